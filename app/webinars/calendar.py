"""iCalendar (RFC 5545) feeds: one VEVENT per sitting, in the organiser's zone with its
VTIMEZONE, with SEQUENCE and STATUS so updates and cancellations reach subscribers."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vText

from app.core.db import utcnow
from app.webinars.timezones import to_local

PRODUCT_ID = "-//Agora//Webinars//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    sequence: int
    cancelled: bool
    updated_at: datetime
    url: str
    location: str | None = None


def build_calendar(name: str, entries: Iterable[CalendarEntry]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    # Clients that honour it poll hourly, so a cancellation shows within the hour.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = utcnow()
    for entry in entries:
        calendar.add_component(_event(entry, stamp))
    # A VTIMEZONE for every TZID used, so clients need no zone database of their own.
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _event(entry: CalendarEntry, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", entry.updated_at)
    event.add("sequence", entry.sequence)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("summary", entry.title)
    if entry.description:
        event.add("description", entry.description)
    # Local times with TZID: a client shows them in its reader's zone and keeps the
    # organiser's wall-clock meaning across daylight-saving changes.
    event.add("dtstart", to_local(entry.starts_at, entry.time_zone))
    event.add("dtend", to_local(entry.ends_at, entry.time_zone))
    event.add("url", entry.url)
    event["location"] = vText(entry.location or entry.url)
    if entry.cancelled:
        event.add("transp", "TRANSPARENT")
    return event

"""iCalendar (RFC 5545) feeds: one VEVENT per sitting, in the organiser's zone with its
VTIMEZONE, with SEQUENCE and STATUS so updates and cancellations reach subscribers."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.core.db import utcnow
from app.webinars.timezones import organiser_zone, to_local

if TYPE_CHECKING:
    from icalendar import Event, Timezone

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
    # icalendar (with dateutil) is imported by the first feed, not by every worker at start-up.
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    # Clients that honour it poll hourly, so a cancellation shows within the hour.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = utcnow()
    listed = list(entries)
    # A VTIMEZONE for every TZID used, so clients need no zone database of their own.
    for zone_name in sorted({entry.time_zone for entry in listed}):
        used = [entry for entry in listed if entry.time_zone == zone_name]
        first = min(entry.starts_at for entry in used).year
        last = max(entry.ends_at for entry in used).year
        calendar.add_component(_vtimezone(zone_name, first, last))
    for entry in listed:
        calendar.add_component(_event(entry, stamp))
    return bytes(calendar.to_ical())


@dataclass(frozen=True)
class _Observance:
    """An offset in force from `onset` (UTC) until the next observance."""

    onset: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


def _vtimezone(zone_name: str, first_year: int, last_year: int) -> "Timezone":
    """The zone's offsets from the start of `first_year` to the end of the year after
    `last_year`, one STANDARD or DAYLIGHT observance per change, each with its own DTSTART.

    Not `icalendar`'s `add_missing_timezones`: it lists every change in one comma-separated
    RDATE, of which ical.js (behind many web calendars) reads only the first, so it shows
    summer sessions an hour late. Its DTSTARTs are also in the new offset where RFC 5545
    wants the one in force before the change."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard  # see build_calendar

    timezone = Timezone()
    timezone.add("tzid", zone_name)
    for observance in _observances(zone_name, first_year, last_year):
        component = TimezoneDaylight() if observance.daylight else TimezoneStandard()
        # RFC 5545 3.6.5: the onset as a local time in the offset in force before it.
        component.add("dtstart", (observance.onset + observance.offset_from).replace(tzinfo=None))
        component.add("tzoffsetfrom", observance.offset_from)
        component.add("tzoffsetto", observance.offset_to)
        component.add("tzname", observance.name)
        timezone.add_component(component)
    return timezone


@lru_cache(maxsize=256)
def _observances(zone_name: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    tz = organiser_zone(zone_name)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 2, 1, 1, tzinfo=UTC)
    found = [_observance(tz, start, _offset(tz, start))]
    day = start
    while day < end:
        following = day + timedelta(days=1)
        # No zone has changed its offset twice within a day, so a daily look misses none.
        if _offset(tz, following) != found[-1].offset_to:
            found.append(_observance(tz, _onset(tz, day, following), found[-1].offset_to))
        day = following
    return tuple(found)


def _offset(tz: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(tz).utcoffset() or timedelta(0)


def _onset(tz: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first whole second with the new offset, between two moments either side of it."""
    low, high = int(before.timestamp()), int(after.timestamp())
    old = _offset(tz, before)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(tz, datetime.fromtimestamp(middle, UTC)) == old:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _observance(tz: ZoneInfo, onset: datetime, offset_from: timedelta) -> _Observance:
    local = onset.astimezone(tz)
    return _Observance(
        onset=onset,
        offset_from=offset_from,
        offset_to=local.utcoffset() or timedelta(0),
        name=local.tzname() or "",
        daylight=bool(local.dst()),
    )


def _event(entry: CalendarEntry, stamp: datetime) -> "Event":
    from icalendar import Event, vText  # see build_calendar

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

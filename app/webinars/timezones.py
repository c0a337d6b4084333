"""Organisers' wall-clock times turned into UTC instants, and weekly series that keep their
local time across daylight-saving changes. Pure functions over `zoneinfo`; no database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from app.core.errors import Invalid
from app.core.i18n import N_, utc_offset

MAX_OCCURRENCES = 52


class UnknownTimeZone(Invalid):
    code = "unknown_time_zone"
    title = N_("This is not an IANA time zone name (such as Europe/Paris or Asia/Kolkata).")


def organiser_zone(name: str) -> ZoneInfo:
    """The IANA zone by name; unlike `core.i18n.zone`, an unknown name is an error, since a
    session scheduled in the wrong zone would silently move by hours."""
    if name not in _zone_names():
        raise UnknownTimeZone(field="time_zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unreadable
        raise UnknownTimeZone(field="time_zone") from exc


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones()) | {"UTC"}
    return _ZONES


def to_utc(local: datetime, zone_name: str) -> datetime:
    """A wall-clock time in the organiser's zone as a UTC instant.

    A time that does not exist (skipped when clocks go forward) is moved forward by the gap, as
    calendar programs do: 02:30 on the night Paris jumps from 02:00 to 03:00 becomes 03:30. A
    time that happens twice (clocks go back) means its first occurrence."""
    tz = organiser_zone(zone_name)
    # PEP 495: with fold=0 a time in a gap takes the offset from before the change (so it
    # lands after it), and a repeated time means its first occurrence.
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_local(moment: datetime, zone_name: str) -> datetime:
    return moment.astimezone(organiser_zone(zone_name))


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    ends_at: datetime


def weekly(
    first_day: date,
    start: time,
    duration: timedelta,
    zone_name: str,
    count: int,
    every_weeks: int = 1,
) -> list[Occurrence]:
    """`count` occurrences, one every `every_weeks` weeks, each starting at the same wall-clock
    time in the organiser's zone, whatever daylight saving does in between: a webinar at
    18:00 in Paris stays at 18:00 in Paris, so it moves by an hour in UTC (and for readers in
    zones without daylight saving) when Paris changes its clocks."""
    if not 1 <= count <= MAX_OCCURRENCES:
        raise Invalid(f"A series has 1 to {MAX_OCCURRENCES} occurrences.", field="count")
    if every_weeks < 1:
        raise Invalid("Repeat at least every week.", field="every_weeks")
    if duration <= timedelta(0):
        raise Invalid("A session must end after it starts.", field="ends_at")
    occurrences = []
    for index in range(count):
        day = first_day + timedelta(weeks=index * every_weeks)
        local_start = datetime.combine(day, start)
        # The end is a wall-clock time too, so a session across a change keeps its local end.
        occurrences.append(local_span(local_start, local_start + duration, zone_name))
    return occurrences


def local_span(local_start: datetime, local_end: datetime, zone_name: str) -> Occurrence:
    """Two wall-clock times in the organiser's zone as UTC instants, resolved alike: when the
    start does not exist (the spring gap), both move forward by the gap, so 02:30-03:30 on
    the night Paris skips 02:00-03:00 becomes 03:30-04:30 and keeps its hour."""
    starts_at = to_utc(local_start, zone_name)
    # fold=0 put a skipped start after the gap; the start as it will read tells by how much.
    shift = to_local(starts_at, zone_name).replace(tzinfo=None) - local_start
    return Occurrence(starts_at, to_utc(local_end + shift, zone_name))


def utc_offset_label(moment: datetime, zone_name: str) -> str:
    """`UTC+5:45` for Kathmandu, `UTC\u22123:30` for St John's, as readers see it everywhere
    (`core.i18n.utc_offset`): offsets are not whole hours."""
    return utc_offset(moment, organiser_zone(zone_name))

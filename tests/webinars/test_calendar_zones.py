"""The zones written into calendar feeds, read back as clients read them: by `icalendar` from the
VTIMEZONE itself, and by ical.js (the parser behind many web calendars) under node."""

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from app.webinars import feeds
from tests.webinars.conftest import Classroom

BROWSER_TOOLS = Path(__file__).resolve().parents[1] / "browser"
# Prints {summary: [start, end]} as UTC instants, reading the feed given on stdin as a web
# calendar would: the zones from the feed's own VTIMEZONEs, not from a zone database.
ICALJS_INSTANTS = """
import ICAL from "ical.js";
import { readFileSync } from "node:fs";
const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of root.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
const instants = {};
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  instants[event.summary] = [event.startDate, event.endDate].map(t => t.toJSDate().toISOString());
}
console.log(JSON.stringify(instants));
"""

# Wall-clock times in the organiser's zone, and the UTC instants they are.
SESSIONS = {
    "Paris in winter": ("Europe/Paris", "2027-01-12T18:00", "2027-01-12T19:30"),
    "Paris in summer": ("Europe/Paris", "2027-07-06T18:00", "2027-07-06T19:30"),
    "Paris the night clocks go forward": ("Europe/Paris", "2027-03-28T03:30", "2027-03-28T04:00"),
    "Vientiane": ("Asia/Vientiane", "2027-07-06T19:00", "2027-07-06T20:30"),
}
INSTANTS = {
    "Paris in winter": ["2027-01-12T17:00:00.000Z", "2027-01-12T18:30:00.000Z"],
    "Paris in summer": ["2027-07-06T16:00:00.000Z", "2027-07-06T17:30:00.000Z"],
    "Paris the night clocks go forward": ["2027-03-28T01:30:00.000Z", "2027-03-28T02:00:00.000Z"],
    "Vientiane": ["2027-07-06T12:00:00.000Z", "2027-07-06T13:30:00.000Z"],
}


def _feed(classroom: Classroom) -> bytes:
    for title, (zone, starts_at, ends_at) in SESSIONS.items():
        classroom.schedule(title=title, time_zone=zone, starts_at=starts_at, ends_at=ends_at)
    return feeds.course_feed(
        classroom.db, classroom.teacher_actor, classroom.course.id, "https://agora.example"
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
def test_each_zone_change_is_its_own_observance_that_icalendar_reads_right(
    classroom: Classroom,
):
    calendar = Calendar.from_ical(_feed(classroom))
    zones = {str(vtz["TZID"]): vtz for vtz in calendar.walk("VTIMEZONE")}
    paris = zones["Europe/Paris"]
    changes = [
        (str(o.name), o.decoded("dtstart").isoformat(), o["tzoffsetto"].to_ical())
        for o in paris.subcomponents
    ]

    assert set(zones) == {"Europe/Paris", "Asia/Vientiane"}
    assert not [o for vtz in zones.values() for o in vtz.subcomponents if "RDATE" in o]
    # RFC 5545: each onset as a local time in the offset in force before it.
    assert ("DAYLIGHT", "2027-03-28T02:00:00", "+0200") in changes
    assert ("STANDARD", "2027-10-31T03:00:00", "+0100") in changes
    read = {}
    for event in calendar.walk("VEVENT"):
        zone = zones[str(event["dtstart"].params["TZID"])].to_tz(lookup_tzid=False)
        starts, ends = (event.decoded(key).replace(tzinfo=zone) for key in ("dtstart", "dtend"))
        read[str(event["summary"])] = [_utc(starts), _utc(ends)]
    assert read == INSTANTS


@pytest.mark.browser
@pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
def test_icaljs_reads_summer_and_winter_sessions_at_their_instants(classroom: Classroom):
    """ical.js read only the first date of a comma-separated RDATE, so a summer session in
    Paris showed an hour late in web calendars. Marked `browser` because it needs node and the
    ical.js pinned in tests/browser/package-lock.json, which `make test-browser` installs
    (`npm ci`) before running the browser-marked tests; `make test` stays pure Python."""
    if not (BROWSER_TOOLS / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is missing: run `make test-browser` (npm ci --prefix tests/browser)")

    done = subprocess.run(
        ["node", "--input-type=module", "--eval", ICALJS_INSTANTS],
        input=_feed(classroom),
        cwd=BROWSER_TOOLS,
        capture_output=True,
        check=True,
        timeout=60,
    )

    assert json.loads(done.stdout) == INSTANTS

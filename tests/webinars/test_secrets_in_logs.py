"""Secrets that travel in URLs never reach the logs: the app's log configuration, applied on
top of uvicorn's as `agora serve` does, redacts calendar-feed and webhook tokens and
BigBlueButton checksums and passwords from the access log and from every other logger."""

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest
import uvicorn.config

from app.core.logging import configure_logging

FEED_TOKEN = "Zx9_feed-token-0123456789abcdefghijklmnopqrs"
EVENTS_TOKEN = "Qw8_events-token-0123456789abcdefghijklmnop"


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Uvicorn's logging, then the app's, as in a served worker; every line into one stream."""
    names = ("", "uvicorn", "uvicorn.access", "uvicorn.error")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).filters[:]) for n in names}
    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
    configure_logging()
    stream = io.StringIO()
    for name in ("uvicorn.access", ""):
        for handler in logging.getLogger(name).handlers:
            assert isinstance(handler, logging.StreamHandler)
            handler.setStream(stream)
    yield stream
    for name, (handlers, filters) in saved.items():
        logging.getLogger(name).handlers[:], logging.getLogger(name).filters[:] = handlers, filters


def _access(path: str) -> None:
    # What uvicorn's h11/httptools protocols log for each request.
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "203.0.113.9:51234", "GET", path, "1.1", 200
    )


def test_the_access_log_shows_no_calendar_feed_or_webhook_token(logs: io.StringIO):
    _access(f"/api/v1/calendar/{FEED_TOKEN}.ics")
    _access(f"/api/v1/webinars/bbb-events/{EVENTS_TOKEN}?checksum=0a1b2c3d4e5f")
    _access("/sessions/12/attendance?saved=1")

    written = logs.getvalue()
    assert FEED_TOKEN not in written
    assert EVENTS_TOKEN not in written
    assert "0a1b2c3d4e5f" not in written
    assert '"GET /api/v1/calendar/[redacted].ics HTTP/1.1" 200' in written
    assert "/api/v1/webinars/bbb-events/[redacted]?checksum=[redacted]" in written
    assert "/sessions/12/attendance?saved=1" in written  # nothing else is touched


def test_other_loggers_do_not_write_meeting_passwords_or_checksums(logs: io.StringIO):
    logging.getLogger("httpx").info(
        'HTTP Request: GET %s "HTTP/1.1 200 OK"',
        "https://bbb.example.org/bigbluebutton/api/create?name=W&meetingID=agora-1"
        "&attendeePW=att3nd&moderatorPW=m0d3r&checksum=ffee",
    )

    written = logs.getvalue()
    assert "att3nd" not in written
    assert "m0d3r" not in written
    assert "ffee" not in written
    assert "meetingID=agora-1&attendeePW=[redacted]&moderatorPW=[redacted]" in written

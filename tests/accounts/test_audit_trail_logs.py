"""No logged value can forge a log line: carriage returns, line feeds and other control
characters in messages, paths, user agents or e-mail addresses are written as visible escapes,
in the app's JSON lines and in uvicorn's access log alike (configured as `agora serve` does)."""

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest
import uvicorn.config

from app.core.logging import configure_logging, neutralise

FORGED = '\r\n{"level": "ERROR", "message": "FAKE admin signed in"}'


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


def _lines(logs: io.StringIO) -> list[str]:
    return logs.getvalue().splitlines()


def test_control_characters_become_visible_escapes():
    assert neutralise("a\r\nb") == "a\\r\\nb"
    assert neutralise("tab\there") == "tab\\there"
    assert neutralise("\x1b[31mred\x00") == "\\x1b[31mred\\x00"
    assert neutralise("line\u2028separator\x85") == "line\\u2028separator\\x85"
    assert neutralise("Ünïcödé, ليلى, Лола") == "Ünïcödé, ليلى, Лола"  # left as they are


def test_a_path_with_crlf_in_the_access_log_stays_on_its_line(logs: io.StringIO):
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "203.0.113.9:51234", "GET", f"/courses/x{FORGED}", "1.1", 404
    )

    [line] = _lines(logs)
    assert "FAKE admin signed in" in line
    assert '"GET /courses/x\\r\\n{"level": "ERROR"' in line
    assert line.endswith(" 404 Not Found")


@pytest.mark.parametrize(
    "value",
    [
        f"/api/v1/users{FORGED}",  # a path
        f"Mozilla/5.0{FORGED}",  # a user agent
        f"someone@example.org{FORGED}",  # an e-mail address
    ],
)
def test_a_logged_value_with_crlf_is_one_json_line_with_the_value_escaped(
    logs: io.StringIO, value: str
):
    logging.getLogger("agora.test").warning("refused %s for %s (%d tries)", value, "x", 3)

    [line] = _lines(logs)
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert "\r" not in entry["message"]
    assert "\n" not in entry["message"]
    assert "\\r\\n{" in entry["message"]
    assert entry["message"].endswith("for x (3 tries)")


def test_a_message_formatted_beforehand_is_escaped_whole(logs: io.StringIO):
    logging.getLogger("agora.test").error(f"sign-in failed for {FORGED}")

    [line] = _lines(logs)
    assert json.loads(line)["message"] == "sign-in failed for " + neutralise(FORGED)


def test_a_developers_own_line_breaks_with_arguments_are_kept_inside_the_json_line(
    logs: io.StringIO,
):
    logging.getLogger("agora.test").info("mail not sent:\n%s", f"body{FORGED}")

    [line] = _lines(logs)
    assert json.loads(line)["message"] == "mail not sent:\nbody" + neutralise(FORGED)

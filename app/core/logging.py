"""Structured (JSON-lines) logs carrying the request id, with secrets that travel in URLs
(calendar-feed, webhook and password-reset tokens; BigBlueButton checksums and passwords)
redacted before any line is written, and the control characters of every logged value (CR,
LF, escape…) written as visible escapes, so no value can forge a log line of its own."""

import json
import logging
import re
from collections.abc import Mapping
from contextvars import ContextVar
from decimal import Decimal

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: a log reader may
# take any of them for the end of a line (or a terminal for a command).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def neutralise(text: str) -> str:
    """`text` with every control character written as an escape (`\\r`, `\\n`, `\\x1b`,
    `\\u2028`): what was one value stays on one line."""
    return _CONTROLS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def _neutral_value(value: object) -> object:
    """A logged argument, neutralised; numbers stay numbers for `%d` and `%f`."""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return neutralise(text) if _CONTROLS.search(text) else value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": neutralise(request_id_var.get()),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


REDACTED = "[redacted]"
# A path segment that is itself the secret: /api/v1/calendar/<token>.ics, the per-meeting
# /api/v1/webinars/bbb-events/<token>, /reset-password/<token>.
_SECRET_SEGMENTS = re.compile(r"(/api/v1/calendar/|/bbb-events/|/reset-password/)[^/?#\s.]+")
# Query parameters that carry a secret or a signature over one (BigBlueButton's API and
# bbb-webhooks sign with `checksum`; its create and join calls carry meeting passwords).
_SECRET_PARAMS = re.compile(
    r"(?i)([?&](?:token|access_token|refresh_token|checksum|password|attendeePW|moderatorPW"
    r"|secret|sessionToken)=)[^&#\s\"']*"
)


def redact(text: str) -> str:
    """`text` with the secrets of known URL shapes replaced by `[redacted]`."""
    return _SECRET_PARAMS.sub(rf"\1{REDACTED}", _SECRET_SEGMENTS.sub(rf"\1{REDACTED}", text))


class RedactSecrets(logging.Filter):
    """Redacts secrets in URLs from every record it sees, and neutralises the control
    characters of its values (`neutralise`). Uvicorn's access records keep their five
    arguments (its formatter unpacks them), with the path redacted; any other record has its
    arguments neutralised, then its message rendered and redacted. A message given with
    arguments keeps its own line breaks (the developer's); one given without (perhaps
    formatted beforehand) is neutralised whole."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            if len(record.args) == 5:
                client, method, path, version, status = record.args
                record.args = (
                    neutralise(str(client)),
                    neutralise(str(method)),
                    neutralise(redact(str(path))),
                    neutralise(str(version)),
                    status,
                )
            return True
        _neutralise_arguments(record)
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _neutralise_arguments(record: logging.LogRecord) -> None:
    if isinstance(record.args, tuple) and record.args:
        record.args = tuple(_neutral_value(value) for value in record.args)
    elif isinstance(record.args, Mapping) and record.args:
        record.args = {key: _neutral_value(value) for key, value in record.args.items()}
    elif not record.args:
        record.msg = _neutral_value(record.msg)


def _add_once(target: logging.Logger | logging.Handler) -> None:
    if not any(isinstance(f, RedactSecrets) for f in target.filters):
        target.addFilter(RedactSecrets())


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    _add_once(handler)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Uvicorn's access logger does not propagate to the root and writes through its own
    # handler: the filter goes on the logger itself, so every handler gets redacted lines.
    _add_once(logging.getLogger("uvicorn.access"))
    _add_once(logging.getLogger("uvicorn.error"))

"""Structured (JSON-lines) logs carrying the request id, with secrets that travel in URLs
(calendar-feed, webhook and password-reset tokens; BigBlueButton checksums and passwords)
redacted before any line is written."""

import json
import logging
import re
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id_var.get(),
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
    """Redacts secrets in URLs from every record it sees. Uvicorn's access records keep their
    five arguments (its formatter unpacks them), with the path redacted; any other record has
    its message rendered and redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            if len(record.args) == 5:
                client, method, path, version, status = record.args
                record.args = (client, method, redact(str(path)), version, status)
            return True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


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

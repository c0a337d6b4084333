"""`datetime-local` fields of the assignment pages: shown and read in the reader's own zone,
stored as UTC instants."""

from datetime import datetime

from app.accounts.models import User
from app.core.i18n import N_, zone
from app.webinars.timezones import to_utc

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
WHEN_REFUSED = N_("Give a date and a time.")


def local_value(moment: datetime | None, user: User) -> str:
    """An instant as a `datetime-local` field shows it, in the reader's zone."""
    return moment.astimezone(zone(user.time_zone)).strftime(LOCAL_FORMAT) if moment else ""


def instant(text: str, user: User) -> datetime | None:
    """A `datetime-local` value read in the reader's zone; ValueError if it is not one."""
    if not text.strip():
        return None
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is not None:
        return moment
    try:
        return to_utc(moment, user.time_zone or "UTC")
    except OverflowError as exc:  # the first or last days of the calendar
        raise ValueError(text) from exc


def instants(fields: dict[str, str], user: User) -> tuple[dict[str, datetime | None], str | None]:
    """Every field read as an instant, or the name of the first that is not a date and time."""
    read: dict[str, datetime | None] = {}
    for name, text in fields.items():
        try:
            read[name] = instant(text, user)
        except ValueError:
            return read, name
    return read, None

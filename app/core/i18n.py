"""Languages, gettext catalogues and localised dates in the reader's time zone.

Catalogues are the `.po` files under `app/translations/`; they are compiled in memory at first
use, so there is no build step and no binary file in the repository.
"""

import io
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_time, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

SUPPORTED_LOCALES = ("en", "fr", "ru", "ar")
DEFAULT_LOCALE = "en"
RTL_LOCALES = frozenset({"ar"})
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
LANGUAGE_NAMES = {code: Locale.parse(code).get_display_name(code) for code in SUPPORTED_LOCALES}


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def translations_for(locale: str) -> NullTranslations:
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def negotiate(preferred: str | None, accept_language: str | None) -> str:
    """The user's saved language, else the best match of the browser's, else English."""
    if preferred in SUPPORTED_LOCALES:
        return preferred
    wanted = [
        part.split(";")[0].strip().replace("-", "_")
        for part in (accept_language or "").split(",")
        if part.strip()
    ]
    return negotiate_locale(wanted, list(SUPPORTED_LOCALES), sep="_") or DEFAULT_LOCALE


def is_rtl(locale: str) -> bool:
    return locale in RTL_LOCALES


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_when(moment: datetime, zone_name: str | None, locale: str) -> str:
    """A date and time in the reader's zone and language, with the zone named."""
    tz = zone(zone_name)
    local = moment.astimezone(tz)
    day = format_date(local, format="medium", locale=locale)
    time = format_time(local, format="short", tzinfo=tz, locale=locale)
    return f"{day} {time} ({get_timezone_name(tz, locale=locale)})"


def format_number(value: Decimal | float | int, locale: str) -> str:
    return format_decimal(value, locale=locale)


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where shown."""
    return message

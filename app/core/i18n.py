"""Languages, gettext catalogues and localised dates in the reader's time zone.

Catalogues are the `.po` files under `app/translations/`; they are compiled in memory at first
use, so there is no build step and no binary file in the repository.
"""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, negotiate_locale
from babel.core import get_global
from babel.dates import (
    DateTimePattern,
    get_date_format,
    get_time_format,
    get_timezone_location,
    parse_pattern,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

SUPPORTED_LOCALES = ("en", "fr", "ru", "ar")
DEFAULT_LOCALE = "en"
RTL_LOCALES = frozenset({"ar"})
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
LANGUAGE_NAMES = {code: Locale.parse(code).get_display_name(code) for code in SUPPORTED_LOCALES}


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where shown."""
    return message


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


# Content may be in languages the interface is not offered in (a course's own language).
RTL_LANGUAGES = frozenset({"ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def language_names_in(locale: str) -> dict[str, str]:
    """Each interface language named in `locale` (`ru` in French: `russe`), for sentences;
    `LANGUAGE_NAMES` names each in itself, for choosing."""
    return {code: Locale.parse(code).get_display_name(locale) or code for code in SUPPORTED_LOCALES}


def direction_of(language: str) -> str:
    """`rtl` or `ltr` for a language code (`ar`, `fa-AF`, `en`), by its primary subtag."""
    primary = language.replace("_", "-").split("-")[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# Bounded: the same sessions' dates are shown to every participant, in a few zones and languages.
@lru_cache(maxsize=8192)
def format_when(moment: datetime, zone_name: str | None, locale: str) -> str:
    """A date and time in the reader's zone and language, with the zone named for that
    moment: `Dec 15, 2026 7:00 PM (Vientiane, UTC+7)`."""
    local = moment.astimezone(zone(zone_name))
    language, day, time = _when_patterns(locale)
    label = zone_label(moment, zone_name, locale)
    return f"{day.apply(local, language)} {time.apply(local, language)} ({label})"


@lru_cache(maxsize=64)
def _when_patterns(locale: str) -> tuple[Locale, DateTimePattern, DateTimePattern]:
    """Babel's `format_date(…, "medium")` and `format_time(…, "short")` without parsing the
    locale and looking the patterns up on every call (pages format dozens of dates)."""
    language = Locale.parse(locale)
    day = parse_pattern(get_date_format("medium", locale=language))
    time = parse_pattern(get_time_format("short", locale=language))
    return language, day, time


# --- naming a zone -------------------------------------------------------------------------

MINUS_SIGN = "\u2212"
# The first part of an IANA name when it is a place; `Etc/GMT+3`, `EST5EDT` or `UTC` are not.
ZONE_REGIONS = {
    "Africa": N_("Africa"),
    "America": N_("America"),
    "Antarctica": N_("Antarctica"),
    "Arctic": N_("Arctic"),
    "Asia": N_("Asia"),
    "Atlantic": N_("Atlantic Ocean"),
    "Australia": N_("Australia"),
    "Europe": N_("Europe"),
    "Indian": N_("Indian Ocean"),
    "Pacific": N_("Pacific Ocean"),
}
CITY_AND_OFFSET = N_("%(city)s, %(offset)s")


def utc_offset(moment: datetime, tz: tzinfo) -> str:
    """The offset at that instant: `UTC+7`, `UTC+5:30`, `UTC\u22123` (a true minus sign, which
    screen readers say as "minus"), `UTC+0`."""
    offset = moment.astimezone(tz).utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else MINUS_SIGN
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}:{rest:02d}" if rest else f"UTC{sign}{hours}"


def zone_label(moment: datetime, zone_name: str | None, locale: str) -> str:
    """The zone as the reader can check it at that moment: its city in their language and the
    offset then (`Vientiane, UTC+7`, `Вьентьян, UTC+7`). Not a name such as "Central European
    Summer Time": the zone alone does not say whether summer time applies, and a reader in a
    zone without it cannot tell which hour is meant."""
    tz = zone(zone_name)
    offset = utc_offset(moment, tz)
    city = _city(tz.key, locale)
    if city is None:
        return "UTC" if offset == "UTC+0" else offset
    pattern = translations_for(locale).gettext(CITY_AND_OFFSET)
    return pattern % {"city": city, "offset": offset}


@lru_cache(maxsize=4096)  # zones × interface languages
def _city(zone_key: str, locale: str) -> str | None:
    """The city in the reader's language; none for zones that are not a place."""
    canonical = _zone_aliases().get(zone_key, zone_key)
    if canonical.split("/")[0] not in ZONE_REGIONS:
        return None
    return str(get_timezone_location(canonical, locale=locale, return_city=True))


@lru_cache(maxsize=1)
def _zone_aliases() -> dict[str, str]:
    """Old IANA names and the names that replaced them (`Asia/Calcutta` → `Asia/Kolkata`)."""
    return dict(get_global("zone_aliases"))


@dataclass(frozen=True)
class ZoneChoice:
    name: str
    city: str


@dataclass(frozen=True)
class ZoneGroup:
    region: str
    """An untranslated message id: translate where shown."""
    choices: tuple[ZoneChoice, ...]


@lru_cache(maxsize=1)
def pickable_zones() -> frozenset[str]:
    """Every place in the IANA database once: old names (`Asia/Calcutta`, `US/Pacific`) and
    offsets (`Etc/GMT+3`) left out, since each would offer a place twice or mislead."""
    aliases = _zone_aliases()
    return frozenset(
        name
        for name in available_timezones()
        if name.split("/")[0] in ZONE_REGIONS and name not in aliases
    )


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def zone_groups(locale: str) -> tuple[ZoneGroup, ...]:
    """The zones a person picks from (`UTC` is offered apart), by region, each named by its
    city in their language and sorted by that name."""
    by_region: dict[str, list[ZoneChoice]] = {region: [] for region in ZONE_REGIONS}
    for name in pickable_zones():
        by_region[name.split("/")[0]].append(ZoneChoice(name, _city(name, locale) or name))
    return tuple(
        ZoneGroup(ZONE_REGIONS[region], tuple(sorted(choices, key=lambda c: c.city.casefold())))
        for region, choices in by_region.items()
        if choices
    )


def format_number(value: Decimal | float | int, locale: str) -> str:
    return format_decimal(value, locale=locale)


# A count that is not whole (1.5 hours) takes the plural form CLDR gives to fractions: "other"
# in English and Arabic ("1.5 hours", form 5 of 6), "one" in French below 2 ("1,5 heure"),
# "few" in Russian ("1,5 часа"). gettext's plural rules only take whole numbers, so each
# language gets a whole number standing for that form.
_FRACTION_FORM = {"en": 2, "ru": 2, "ar": 100}


def plural_count(value: Decimal | float | int | None, locale: str) -> int:
    """The whole number that picks the right plural form for `value` in `locale`: what to
    give `ngettext` for a count that may be a decimal (attendance hours)."""
    if value is None:
        return 0
    whole = int(value)
    if whole == value:
        return whole
    if locale == "fr":
        return 1 if -2 < whole < 2 else 2
    return _FRACTION_FORM.get(locale, 2)

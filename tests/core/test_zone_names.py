"""A zone is named for the moment shown, as its city in the reader's language and the UTC offset
then, so a reader in Vientiane cannot misread a time set in Paris, whatever today's date or the
server's own zone."""

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from app.core.i18n import format_when, utc_offset, zone, zone_groups, zone_label

WINTER = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2027, 7, 15, 12, 0, tzinfo=UTC)
RAMADAN = datetime(2027, 2, 20, 12, 0, tzinfo=UTC)  # Morocco sets its clocks back for it
# Kazakhstan moved to UTC+5 in 2024; 2023 reads the same in every tz database release.
ALMATY_WINTER = datetime(2023, 12, 15, 12, 0, tzinfo=UTC)
ALMATY_SUMMER = datetime(2023, 7, 15, 12, 0, tzinfo=UTC)
MINUS = "\u2212"

LABELS = [
    # Moscow keeps UTC+3 all year.
    (WINTER, "Europe/Moscow", "en", "Moscow, UTC+3"),
    (SUMMER, "Europe/Moscow", "ru", "Москва, UTC+3"),
    (SUMMER, "Europe/Moscow", "fr", "Moscou, UTC+3"),
    # Paris changes both ways.
    (WINTER, "Europe/Paris", "en", "Paris, UTC+1"),
    (SUMMER, "Europe/Paris", "en", "Paris, UTC+2"),
    (WINTER, "Europe/Paris", "ru", "Париж, UTC+1"),
    (SUMMER, "Europe/Paris", "ar", "باريس، UTC+2"),
    # Casablanca is not "Western European Time": UTC+1, but UTC+0 during Ramadan.
    (WINTER, "Africa/Casablanca", "fr", "Casablanca, UTC+1"),
    (RAMADAN, "Africa/Casablanca", "fr", "Casablanca, UTC+0"),
    (SUMMER, "Africa/Casablanca", "en", "Casablanca, UTC+1"),
    (RAMADAN, "Africa/Casablanca", "ar", "الدار البيضاء، UTC+0"),
    # Half-hour and no daylight saving, in December as in July ("летнее время" no more).
    (WINTER, "Asia/Kolkata", "en", "Kolkata, UTC+5:30"),
    (WINTER, "Asia/Kolkata", "fr", "Calcutta, UTC+5:30"),
    (WINTER, "Asia/Kolkata", "ru", "Калькутта, UTC+5:30"),
    (SUMMER, "Asia/Kolkata", "ar", "كالكتا، UTC+5:30"),
    (ALMATY_WINTER, "Asia/Almaty", "ru", "Алматы, UTC+6"),
    (ALMATY_SUMMER, "Asia/Almaty", "ru", "Алматы, UTC+6"),
    (ALMATY_WINTER, "Asia/Almaty", "fr", "Alma Ata, UTC+6"),
    (WINTER, "Asia/Vientiane", "ru", "Вьентьян, UTC+7"),
    (SUMMER, "Asia/Vientiane", "en", "Vientiane, UTC+7"),
    # West of Greenwich, with a true minus sign.
    (WINTER, "America/St_Johns", "en", f"St. John’s, UTC{MINUS}3:30"),
    (SUMMER, "America/St_Johns", "en", f"St. John’s, UTC{MINUS}2:30"),
    (WINTER, "US/Pacific", "en", f"Los Angeles, UTC{MINUS}8"),  # an old name still reads
    # Zones that are not a place show their offset alone, never "GMT+3" for UTC-3.
    (WINTER, "Etc/GMT+3", "en", f"UTC{MINUS}3"),
    (WINTER, "UTC", "ru", "UTC"),
    (WINTER, None, "en", "UTC"),
]


@pytest.mark.parametrize(("moment", "zone_name", "locale", "expected"), LABELS)
def test_a_zone_is_named_by_its_city_and_its_offset_at_that_moment(
    moment: datetime, zone_name: str | None, locale: str, expected: str
):
    assert zone_label(moment, zone_name, locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Dec 15, 2026 7:00\u202fPM (Vientiane, UTC+7)"),
        ("fr", "15 déc. 2026 19:00 (Vientiane, UTC+7)"),
        ("ru", "15 дек. 2026\u202fг. 19:00 (Вьентьян, UTC+7)"),
        ("ar", "15\u200f/12\u200f/2026 7:00 م (فيانتيان، UTC+7)"),
    ],
)
def test_a_time_set_in_paris_reads_in_vientiane_in_each_language(locale: str, expected: str):
    assert format_when(WINTER, "Asia/Vientiane", locale) == expected


@pytest.mark.parametrize("today", [WINTER, SUMMER, RAMADAN])
def test_the_text_does_not_change_with_todays_date(today: datetime):
    with time_machine.travel(today, tick=False):
        summer_in_paris = format_when(SUMMER, "Europe/Paris", "ru")
        winter_in_almaty = format_when(ALMATY_WINTER, "Asia/Almaty", "ru")

    assert summer_in_paris == "15 июл. 2027\u202fг. 14:00 (Париж, UTC+2)"
    assert winter_in_almaty == "15 дек. 2023\u202fг. 18:00 (Алматы, UTC+6)"


@pytest.fixture
def machine_in_los_angeles() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("machine_in_los_angeles")
def test_the_servers_own_zone_changes_nothing():
    assert (
        format_when(WINTER, "Asia/Kolkata", "en") == "Dec 15, 2026 5:30\u202fPM (Kolkata, UTC+5:30)"
    )


def test_offsets_use_one_sign_convention():
    offsets = [utc_offset(WINTER, zone(name)) for name in ("America/St_Johns", "Asia/Kathmandu")]

    assert offsets == [f"UTC{MINUS}3:30", "UTC+5:45"]
    assert "-" not in offsets[0]


def test_the_picker_groups_places_by_region_once_each():
    groups = {group.region: group.choices for group in zone_groups("ru")}
    names = [choice.name for choices in groups.values() for choice in choices]
    asia = {choice.name: choice.city for choice in groups["Asia"]}

    assert list(groups)[:3] == ["Africa", "America", "Antarctica"]
    assert asia["Asia/Vientiane"] == "Вьентьян"
    assert "Asia/Kolkata" in asia
    assert "Asia/Calcutta" not in names  # the old name of the same place
    assert not [name for name in names if name.startswith(("Etc/", "US/"))]
    assert len(names) == len(set(names))

"""The catalogues follow docs/glossary.md (the rules a machine can check) and CLDR's plurals."""

import gettext
import re

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from babel.plural import to_gettext

from app.core.i18n import TRANSLATIONS_DIR, plural_count, translations_for

NNBSP = "\u202f"


def _catalog(locale: str) -> Catalog:
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=locale)


def _entries(locale: str) -> list[tuple[str, str]]:
    """(msgid, translation) for every translated form of every entry."""
    found = []
    for message in _catalog(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        found.extend((ids[0], form) for form in forms if form)
    return found


def _offending(locale: str, rule) -> list[tuple[str, str]]:
    return [(msgid, text) for msgid, text in _entries(locale) if rule(msgid, text)]


def _says(word: str, msgid: str, text: str) -> bool:
    """The English message uses the word as a word of the sentence, not as a code that the
    translation keeps as it is (`role: use student, teacher…`, a CSV column)."""
    found = re.search(rf"\b{word}", msgid, re.I)
    return bool(found) and not re.search(rf"\b{word}", text, re.I)


# --- Arabic --------------------------------------------------------------------------------


def test_arabic_says_webinar_one_way():
    assert not _offending(
        "ar",
        lambda msgid, text: (
            _says("webinar", msgid, text) and ("عبر الإنترنت" not in text or "الويب" in text)
        ),
    )


def test_arabic_recordings_are_not_registrations():
    assert not _offending(
        "ar", lambda msgid, text: _says("recording", msgid, text) and "مصوَّر" not in text
    )


def test_arabic_teacher_and_tutor():
    assert not _offending(
        "ar",
        lambda msgid, text: (_says("teacher", msgid, text) and "أستاذ" not in text
                             and "أساتذة" not in text)
        or (_says("tutor", msgid, text) and "مؤطِّر" not in text)
        or re.search(r"مدرّ?س(?!ة)|مرشد", text)  # مدرسة is a school,
    )  # fmt: skip


def test_arabic_revoking_is_not_cancelling():
    assert not _offending(
        "ar",
        lambda msgid, text: _says("revok", msgid, text) and not re.search("بطل|بطِل|بطَل|بطال", text),
    )
    assert translations_for("ar").gettext("Revoke") != translations_for("ar").gettext("Cancel")


def test_arabic_calendar_is_not_assessment():
    assert not _offending(
        "ar",
        lambda msgid, text: (
            _says("calendar", msgid, text) and ("تقويم" not in text or "تقييم" in text)
        ),
    )


def test_arabic_signed_in_sessions_are_not_webinar_sessions():
    assert translations_for("ar").gettext("Sessions") == "جلسات الدخول"


# --- Russian -------------------------------------------------------------------------------


def test_russian_nobody_is_expelled():
    assert not _offending("ru", lambda _msgid, text: "отчисл" in text.lower())
    assert translations_for("ru").gettext("withdrawn") == "запись отменена"


def test_russian_cohort_is_potok():
    assert not _offending("ru", lambda _msgid, text: "когорт" in text.lower())
    assert not _offending(
        "ru", lambda msgid, text: _says("cohort", msgid, text) and "поток" not in text.lower()
    )


# --- French --------------------------------------------------------------------------------

_CODE = re.compile(r"`[^`]*`|https?://\S+")
# An ordinary space, a tab or a wide no-break space where the narrow one belongs, or none.
_WRONG_SPACE = re.compile(r"[ \u00a0][;:?!»]|«[ \u00a0]|(?<![\s\u202f])[;?!»]|«(?!\u202f)")
_TIGHT_COLON = re.compile(r"[^\W\d_]:(?=\s|$)")


def test_french_typography_in_every_string():
    def wrong(_msgid: str, text: str) -> bool:
        prose = _CODE.sub("", text)
        return bool(_WRONG_SPACE.search(prose) or _TIGHT_COLON.search(prose))

    assert not _offending("fr", wrong)


def test_french_has_one_word_for_induction_and_no_inclusive_dot():
    assert translations_for("fr").gettext("induction") == "formation d'accueil"
    assert not _offending("fr", lambda _msgid, text: "intégration" in text or "·" in text)


# --- plural rules --------------------------------------------------------------------------

# CLDR's categories in the order of each catalogue's forms (msgstr[0], msgstr[1], …). Russian
# "other" is for fractions only and French "many" for millions; neither occurs below.
FORMS = {
    "fr": ["one", "other"],
    "ru": ["one", "few", "many"],
    "ar": ["zero", "one", "two", "few", "many", "other"],
}


def _header_rule(locale: str):
    catalog = _catalog(locale)
    return catalog.num_plurals, gettext.c2py(catalog.plural_expr)


@pytest.mark.parametrize("locale", sorted(FORMS))
def test_plural_rule_of_each_catalogue_is_cldrs(locale: str):
    num_plurals, rule = _header_rule(locale)
    cldr = Locale.parse(locale).plural_form

    wrong = [n for n in range(0, 10_000) if FORMS[locale][rule(n)] != cldr(n)]

    assert num_plurals == len(FORMS[locale])
    assert not wrong, wrong[:10]


def test_arabic_plural_header_equals_cldrs_gettext_rule():
    _, rule = _header_rule("ar")
    cldr = to_gettext(Locale.parse("ar").plural_form)
    expression = cldr.split("plural=")[1].rstrip(";")
    cldr_rule = gettext.c2py(expression.replace("((0 == 0))", "1"))

    assert [rule(n) for n in range(0, 1200)] == [cldr_rule(n) for n in range(0, 1200)]
    # The categories the old header swapped: 11–99 is "many", 100–102 "other".
    assert (rule(11), rule(99), rule(100), rule(102), rule(103)) == (4, 4, 5, 5, 3)


@pytest.mark.parametrize("locale", sorted(FORMS))
def test_every_plural_entry_has_all_the_forms(locale: str):
    def incomplete(message: Message) -> bool:
        forms = message.string if isinstance(message.string, tuple) else ()
        return len(forms) != len(FORMS[locale]) or not all(forms)

    plural = [m for m in _catalog(locale) if m.id and isinstance(m.id, tuple)]

    assert plural
    assert not [m.id for m in plural if incomplete(m)]


def test_a_decimal_count_takes_cldrs_form_for_fractions():
    assert [plural_count(v, "en") for v in (1, 2, 1.5)] == [1, 2, 2]
    forms = {
        locale: translations_for(locale).ngettext(
            "%(hours)s of %(num)s hour", "%(hours)s of %(num)s hours", plural_count(1.5, locale)
        )
        % {"hours": "1", "num": "1,5"}
        for locale in ("fr", "ar")
    }
    assert forms == {"fr": "1 sur 1,5 heure", "ar": "1 من 1,5 ساعة"}

"""Every string shown to people is translated in every catalogue (fr, ru, ar)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.core.i18n import SUPPORTED_LOCALES, TRANSLATIONS_DIR, translations_for
from app.core.web import templates_for

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _source_messages() -> set[str]:
    found: set[str] = set()
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


SOURCE = _source_messages()


@pytest.mark.parametrize("locale", [code for code in SUPPORTED_LOCALES if code != "en"])
def test_every_source_string_is_translated(locale: str):
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    translated = {
        str(m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id
        and m.string
        and (m.string if isinstance(m.string, str) else all(m.string))
        and not m.fuzzy
    }

    missing = sorted(SOURCE - translated)

    assert not missing, f"{len(missing)} untranslated in {locale}: {missing[:10]}"


PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


@pytest.mark.parametrize("locale", [code for code in SUPPORTED_LOCALES if code != "en"])
def test_translations_keep_every_placeholder(locale: str):
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)

    broken = [
        m.id
        for m in catalog
        if isinstance(m.id, str)
        and isinstance(m.string, str)
        and m.string
        and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]

    assert not broken, broken


def test_templates_translate_and_escape_what_is_put_into_a_translation():
    french = templates_for("fr")
    page = french.from_string(
        '{{ _("Sign in") }}|{{ _("Starts on %(day)s", day=day) }}|'
        '{{ ngettext("%(num)s hour of work", "%(num)s hours of work", 3) }}'
    )

    signed, starts, hours = page.render(day="<b>1 mars</b>").split("|")

    assert signed == str(translations_for("fr").gettext("Sign in")) != "Sign in"
    assert "&lt;b&gt;1 mars&lt;/b&gt;" in starts
    assert "<b>" not in starts
    assert hours == translations_for("fr").ngettext(
        "%(num)s hour of work", "%(num)s hours of work", 3
    ) % {"num": 3}

"""What every page shares: HEAD answered like GET, unique ids (a label points at one control),
the lock drawn as an icon rather than a character some fonts lack, and a header that works
without JavaScript on a phone."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.i18n import SUPPORTED_LOCALES, translations_for
from app.core.web import TEMPLATES_DIR
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.courses.factories import enrol_as, import_hs101

VARYING = {"date", "x-request-id", "set-cookie"}


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[str(found["id"])] += 1
        if tag == "label" and found.get("for"):
            self.label_targets.append(str(found["for"]))


def _ids(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", ["/", "/login", "/catalogue", "/courses/HS-101", "/healthz"])
def test_head_is_answered_like_get_without_a_body(
    client: TestClient, db: Session, settings: Settings, path: str
):
    import_hs101(db, settings)

    got = client.get(path)
    head = client.head(path)

    assert got.status_code == head.status_code == 200
    assert head.content == b""
    same = {k: v for k, v in got.headers.items() if k not in VARYING}
    assert {k: v for k, v in head.headers.items() if k not in VARYING} == same  # length too


def test_head_of_a_missing_page_is_a_404_and_openapi_lists_no_head(client: TestClient):
    missing = client.head("/no-such-page")
    assert missing.status_code == 404
    assert missing.content == b""
    assert client.head("/login", follow_redirects=False).status_code == 200
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert not [path for path, ops in paths.items() if "head" in ops]


def test_pages_with_a_language_field_keep_ids_unique(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    make_user(db, email="boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    pages = {}
    pages["/catalogue"] = client.get("/catalogue").text
    sign_in(client, "boss@example.org")
    for path in ("/profile", "/admin/courses/new", "/admin/users", f"/courses/{course.code}/edit"):
        pages[path] = client.get(path).text

    for path, html in pages.items():
        found = _ids(html)
        assert [i for i, n in found.ids.items() if n > 1] == [], path
        assert found.ids["site-language"] == 1, path  # the header's switcher
        assert all(found.ids[target] == 1 for target in found.label_targets), path
    assert _ids(pages["/catalogue"]).ids["language"] == 1  # the search filter's own field


def test_the_lock_is_an_icon_beside_the_words_in_the_outline(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    sign_in(client, "s@example.org")

    page = client.get(f"/courses/{course.code}").text

    assert "\U0001f512" not in page
    locked_item = page.split('<li class="locked">')[1].split("</li>")[0]
    assert '<svg class="icon"' in locked_item
    assert 'aria-hidden="true"' in locked_item
    assert "locked" in locked_item.split("</svg>")[1]  # the words a screen reader hears


def test_the_phone_menu_needs_no_script_and_repeats_the_header_links(
    client: TestClient, db: Session
):
    make_user(db, email="s@example.org", password=PASSWORD)
    sign_in(client, "s@example.org")

    html = client.get("/profile").text
    header = html.split('<header class="top">')[1].split("</header>")[0]

    menu = header.split('<details class="phone-nav">')[1].split("</details>")[0]
    assert "<summary>Menu</summary>" in menu
    assert 'href="/profile"' in menu
    assert 'action="/logout"' in menu
    assert "<script" not in header


_LABELLED_BUTTON = re.compile(
    r"""<button[^>]*aria-label="\{\{ _\('([^']+)'[^)]*\) \}\}"[^>]*>"""
    r"""\{\{ _\("([^"]+)"\) \}\}</button>"""
)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_buttons_name_contains_its_visible_words_in_every_language(locale: str):
    """WCAG 2.5.3 (axe `label-content-name-mismatch`): a person who says what they see
    ("Remove") must reach the button, so an `aria-label` must contain the visible text."""
    translations = translations_for(locale)
    found = []
    for template in TEMPLATES_DIR.rglob("*.html"):
        for label, visible in _LABELLED_BUTTON.findall(template.read_text()):
            name, words = translations.gettext(label), translations.gettext(visible)
            if words.casefold() not in name.casefold():
                found.append(f"{template.name}: {name!r} does not contain {words!r}")
    assert found == []

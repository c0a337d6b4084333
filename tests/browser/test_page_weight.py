"""Core pages stay light for slow connections: ≤ 50 KB on a first visit, ≤ 15 KB on a repeat
visit (user content excluded), measured in the browser."""

from playwright.sync_api import Page

from tests.browser.conftest import sign_in, transferred_bytes

FIRST_VISIT_BUDGET = 50 * 1024
REPEAT_VISIT_BUDGET = 15 * 1024


def _first_and_repeat(page: Page, path: str) -> tuple[int, int]:
    return transferred_bytes(page, path, cold=True), transferred_bytes(page, path, cold=False)


def test_sign_in_page_is_light(page: Page):
    first, repeat = _first_and_repeat(page, "/login")

    assert first <= FIRST_VISIT_BUDGET
    assert repeat <= REPEAT_VISIT_BUDGET
    assert repeat < first  # the stylesheet came from the cache


def test_home_page_is_light_when_signed_in(page: Page):
    sign_in(page, "student1@demo.agora")

    first, repeat = _first_and_repeat(page, "/")

    assert first <= FIRST_VISIT_BUDGET
    assert repeat <= REPEAT_VISIT_BUDGET


def test_course_module_and_catalogue_pages_are_light(page: Page):
    sign_in(page, "student1@demo.agora")
    page.goto("/courses/MPHM-IND")
    module_href = page.get_by_role("link", name="Welcome to the induction course").get_attribute(
        "href"
    )

    for path in ("/courses/MPHM-IND", str(module_href), "/catalogue?q=health"):
        first, repeat = _first_and_repeat(page, path)
        assert first <= FIRST_VISIT_BUDGET, path
        assert repeat <= REPEAT_VISIT_BUDGET, path


def test_community_pages_are_light(page: Page):
    sign_in(page, "teacher@demo.agora")
    page.goto("/courses/MPHM-IND/forums")
    forum = page.locator("a[href*='/forums/']", has_text="Welcome space").first.get_attribute(
        "href"
    )
    page.goto("/surveys")
    builder = page.locator("a[href$='/build']").first.get_attribute("href")
    results = str(builder).removesuffix("/build") + "/results"

    for path in (str(forum), "/messages", "/notifications", "/surveys", results):
        first, repeat = _first_and_repeat(page, path)
        assert first <= FIRST_VISIT_BUDGET, path
        assert repeat <= REPEAT_VISIT_BUDGET, path

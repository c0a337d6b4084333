"""At 360 px (a small phone) no core page scrolls sideways, the header stays under 100 px and
the header's and forms' controls are at least 24 x 24 px (WCAG 2.5.8), in English and in
Arabic (right to left). One browser session per role and language; every failure of a run
is reported at once."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import ARTIFACTS, sign_in

PHONE = {"width": 360, "height": 740}
LANGUAGES = ["en", "ar"]

MEASURE = """() => {
  const view = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > view + 1 || r.left < -1) && !el.closest('.visually-hidden')
        && getComputedStyle(el).position !== 'absolute') {
      wide.push(`${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''}`
                + ` ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  const small = [];
  const targets = 'header a, header button, header select, header summary, main form button,'
    + ' main form input:not([type=hidden]), main form select, main form textarea';
  for (const el of document.querySelectorAll(targets)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not displayed at this width
    if (r.width < 24 || r.height < 24) {
      const name = (el.textContent || el.name || el.type || '').trim().slice(0, 30);
      const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
      small.push(`${el.tagName.toLowerCase()} "${name}" ${size}`);
    }
  }
  return {
    width: document.documentElement.scrollWidth,
    header: Math.round(document.querySelector('header.top').getBoundingClientRect().height),
    wide: wide.slice(0, 4),
    small: small.slice(0, 6),
  };
}"""


@pytest.fixture
def phone(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def problems_on(page: Page, path: str, language: str) -> list[str]:
    response = page.goto(path)
    assert response is not None, path
    assert response.ok, (path, response.status)
    assert page.locator("html").get_attribute("lang") == language, path
    found = page.evaluate(MEASURE)
    problems = []
    if found["width"] > PHONE["width"]:
        problems.append(f"{path}: {found['width']} px wide ({found['wide']})")
    if found["header"] > 100:
        problems.append(f"{path}: header {found['header']} px high")
    if found["small"]:
        problems.append(f"{path}: targets under 24 px {found['small']}")
    return problems


def first_link(page: Page, path: str, selector: str) -> str:
    page.goto(path)
    href = page.locator(selector).first.get_attribute("href")
    assert href, (path, selector)
    return href


def choose_language(page: Page, language: str) -> None:
    """The header's switcher (saved in a signed-in person's profile)."""
    page.locator("#site-language").select_option(language)
    page.locator("form[action='/language'] button").click()


def check_pages(page: Page, language: str, paths: list[str]) -> None:
    problems = [problem for path in paths for problem in problems_on(page, path, language)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_fit_a_phone(phone: Page, live_server: str, language: str):
    phone.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    module = first_link(phone, "/courses/MPHM-IND", "ul.modules a")
    paths = ["/", "/login", "/reset-password", "/catalogue", "/courses/MPHM-IND", module]

    check_pages(phone, language, paths)


def test_the_phone_menu_opens_without_javascript(browser: Browser, live_server: str):
    context = browser.new_context(base_url=live_server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "student1@demo.agora")
        page.goto("/calendar")
        profile = page.locator("header").get_by_role("link", name="Profile")
        assert not profile.is_visible()

        page.locator("header summary").click()

        assert profile.is_visible()
        assert page.locator("header").get_by_role("button", name="Sign out").is_visible()
        header = page.locator("header.top").bounding_box()
        assert header is not None
        assert header["height"] <= 100
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_student_pages_fit_a_phone(phone: Page, language: str):
    sign_in(phone, "student1@demo.agora")
    choose_language(phone, language)
    try:
        module = first_link(phone, "/courses/MPHM-IND", "ul.modules a")
        session = first_link(phone, "/courses/MPHM-IND/sessions", "ul.sessions a")
        forum = first_link(
            phone, "/courses/MPHM-IND/forums", "a[href*='/forums/']:has-text('Welcome space')"
        )
        thread = first_link(phone, forum, "a[href^='/forums/threads/']")
        phone.goto("/calendar")  # with an address shown (a long one, in a field)
        phone.locator("form[action='/calendar'] button").click()
        paths = ["/", "/courses/MPHM-IND", module, "/profile", "/calendar", "/attendance",
                 "/catalogue", "/courses/MPHM-IND/sessions", session,
                 "/courses/MPHM-IND/forums", forum, thread, "/messages", "/notifications",
                 "/notifications/preferences", "/surveys"]  # fmt: skip
        check_pages(phone, language, paths)
    finally:
        choose_language(phone, "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_teaching_pages_fit_a_phone(phone: Page, language: str):
    sign_in(phone, "teacher@demo.agora")
    choose_language(phone, language)
    try:
        session = first_link(phone, "/courses/MPHM-IND/sessions", "ul.sessions a")
        new_module = first_link(phone, "/courses/LMQS-QM/edit", "a[href$='/modules/new']")
        builder = first_link(phone, "/surveys", "a[href$='/build']")
        results = builder.removesuffix("/build") + "/results"
        paths = ["/courses/LMQS-QM/edit", new_module, "/courses/LMQS-QM/participants",
                 "/courses/LMQS-QM/groups", "/courses/LMQS-QM/bulk-enrol",
                 "/courses/MPHM-IND/sessions", "/courses/MPHM-IND/sessions/new", session,
                 f"{session}/attendance", "/surveys/new", builder, results]  # fmt: skip
        check_pages(phone, language, paths)
    finally:
        choose_language(phone, "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_management_pages_fit_a_phone(phone: Page, language: str):
    sign_in(phone, "manager@demo.agora")
    choose_language(phone, language)
    try:
        phone.goto("/admin/cohorts")
        if phone.locator("main a[href^='/admin/cohorts/']").count() == 0:  # the seed has none
            phone.locator("#code").fill("PHONE-2026")
            phone.locator("#name").fill("Phones 2026")
            phone.locator("form[action='/admin/cohorts'] button").click()
        cohort = first_link(phone, "/admin/cohorts", "main a[href^='/admin/cohorts/']")
        user = first_link(phone, "/admin/users", "main a[href^='/admin/users/']")
        paths = ["/admin/users", user, "/admin/cohorts", cohort, "/admin/institutions",
                 "/admin/programmes", "/admin/api-clients", "/admin/webhooks", "/admin/lti",
                 "/admin/courses/new", "/reports", "/reports/LMQS",
                 "/reports/LMQS/manage", "/admin/audit", "/profile/personal-data"]  # fmt: skip
        check_pages(phone, language, paths)
    finally:
        choose_language(phone, "en")

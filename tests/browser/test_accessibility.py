"""axe-core finds no serious or critical WCAG 2.1 AA violation, in each language."""

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import axe_violations, sign_in

LANGUAGES = ["en", "fr", "ru", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_accessible(page: Page, language: str, live_server: str):
    page.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    # LMQS-HS is closed: a visitor gets its landing page.
    for path in (
        "/",
        "/login",
        "/reset-password",
        "/catalogue",
        "/courses/MPHM-IND",
        "/courses/LMQS-HS",
    ):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert axe_violations(page) == [], (language, path)


def test_profile_page_is_accessible(page: Page):
    sign_in(page, "student2@demo.agora")
    page.goto("/profile")

    assert axe_violations(page) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_student_core_pages_are_accessible(page: Page, language: str):
    sign_in(page, "student1@demo.agora")
    page.locator("#site-language").select_option(language)  # saved in the profile
    page.locator("form[action='/language'] button").click()
    try:
        page.goto("/courses/MPHM-IND")
        module_href = page.locator("ul.modules a").first.get_attribute("href")
        page.goto("/courses/MPHM-IND/forums")
        forum = page.locator("a[href*='/forums/']", has_text="Welcome space").first
        forum_href = forum.get_attribute("href")
        page.goto(str(forum_href))
        thread_href = page.locator("a[href^='/forums/threads/']").first.get_attribute("href")
        page.goto("/messages")
        contact_href = page.locator("ul.contacts a").first.get_attribute("href")
        paths = ("/", "/courses/MPHM-IND", str(module_href), "/courses/MPHM-IND/forums",
                 str(forum_href), str(thread_href), "/messages", str(contact_href),
                 "/notifications", "/notifications/preferences")  # fmt: skip
        for path in paths:
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language
            assert axe_violations(page) == [], (language, path)
    finally:
        page.locator("#site-language").select_option("en")
        page.locator("form[action='/language'] button").click()


def test_teaching_pages_are_accessible(page: Page):
    sign_in(page, "teacher@demo.agora")
    for path in (
        "/courses/LMQS-QM/edit",
        "/courses/LMQS-QM/participants",
        "/courses/LMQS-QM/groups",
        "/courses/LMQS-QM/bulk-enrol",
        "/courses/LMQS-QM/intakes",
        "/courses/MPHM-IND/sessions",
        "/courses/MPHM-IND/sessions/new",
        "/surveys",
        "/surveys/new",
    ):
        page.goto(path)
        assert axe_violations(page) == [], path
    page.goto("/courses/MPHM-IND/sessions")
    page.locator("ul.sessions a").first.click()
    assert axe_violations(page) == [], "session page"
    page.get_by_role("link", name="Attendance register").click()
    assert axe_violations(page) == [], "attendance register"


@pytest.mark.parametrize("language", LANGUAGES)
def test_preview_as_a_student_is_accessible(page: Page, language: str):
    sign_in(page, "teacher@demo.agora")
    page.locator("#site-language").select_option(language)  # saved in the profile
    page.locator("form[action='/language'] button").click()
    try:
        page.goto("/courses/LMQS-QM?preview=student")
        assert page.locator("p.warning[role=status] a[href='/courses/LMQS-QM']").count() == 1
        assert axe_violations(page) == [], (language, "preview")
        page.locator("ul.modules a").first.click()
        assert axe_violations(page) == [], (language, "module in preview")
    finally:
        page.locator("#site-language").select_option("en")
        page.locator("form[action='/language'] button").click()


def test_management_pages_are_accessible(page: Page):
    sign_in(page, "manager@demo.agora")
    for path in (
        "/admin/users",
        "/admin/cohorts",
        "/admin/programmes",
        "/admin/webhooks",
        "/admin/lti",
        "/admin/message-reports",
        "/admin/courses/new",
        "/reports",
        "/reports/new",
        "/reports/LMQS",
        "/reports/LMQS/manage",
        "/admin/audit",
        "/profile/personal-data",
    ):
        page.goto(path)
        assert axe_violations(page) == [], path


@pytest.mark.parametrize("language", LANGUAGES)
def test_editing_pages_are_accessible(page: Page, language: str):
    sign_in(page, "teacher@demo.agora")
    page.locator("#site-language").select_option(language)  # saved in the profile
    page.locator("form[action='/language'] button").click()
    try:
        page.goto("/courses/LMQS-QM/edit")
        edit = "a[href$='/edit'][href^='/{}/']"
        module_path = str(page.locator(edit.format("modules")).first.get_attribute("href"))
        section_path = str(page.locator(edit.format("sections")).first.get_attribute("href"))
        module_path, section_path = module_path[: -len("/edit")], section_path[: -len("/edit")]
        for path in (
            f"{module_path}/edit",
            f"{module_path}/delete",
            f"{section_path}/edit",
            f"{section_path}/delete",
            "/courses/LMQS-QM/history",
        ):
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language
            assert axe_violations(page) == [], (language, path)
    finally:
        page.locator("#site-language").select_option("en")
        page.locator("form[action='/language'] button").click()

"""axe-core finds no serious or critical WCAG 2.1 AA violation, in each language."""

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import axe_violations, sign_in

LANGUAGES = ["en", "fr", "ru", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_accessible(page: Page, language: str, live_server: str):
    page.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    for path in ("/", "/login", "/reset-password", "/catalogue", "/courses/MPHM-IND"):
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
    page.locator("#language").select_option(language)  # saved in the profile
    page.locator("form[action='/language'] button").click()
    try:
        page.goto("/courses/MPHM-IND")
        module_href = page.locator("ul.modules a").first.get_attribute("href")
        for path in ("/", "/courses/MPHM-IND", str(module_href)):
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language
            assert axe_violations(page) == [], (language, path)
    finally:
        page.locator("#language").select_option("en")
        page.locator("form[action='/language'] button").click()


def test_teaching_pages_are_accessible(page: Page):
    sign_in(page, "teacher@demo.agora")
    for path in (
        "/courses/LMQS-QM/edit",
        "/courses/LMQS-QM/participants",
        "/courses/LMQS-QM/groups",
        "/courses/LMQS-QM/bulk-enrol",
        "/courses/MPHM-IND/sessions",
        "/courses/MPHM-IND/sessions/new",
    ):
        page.goto(path)
        assert axe_violations(page) == [], path
    page.goto("/courses/MPHM-IND/sessions")
    page.locator("ul.sessions a").first.click()
    assert axe_violations(page) == [], "session page"
    page.get_by_role("link", name="Attendance register").click()
    assert axe_violations(page) == [], "attendance register"


def test_management_pages_are_accessible(page: Page):
    sign_in(page, "manager@demo.agora")
    for path in ("/admin/users", "/admin/cohorts", "/admin/programmes", "/admin/courses/new"):
        page.goto(path)
        assert axe_violations(page) == [], path

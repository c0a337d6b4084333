"""Credits in a real browser: a teacher marks and releases a passing grade of LMQS-HS, the learner's
"My credits" page then counts five more ECTS credits earned toward the LMQS Master and her
history shows the award, and she issues and downloads her Transcript of Records (a PDF). The
credits pages pass axe-core in each language and fit a phone."""

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DEMO_PASSWORD, ROOT, axe_violations, sign_in
from tests.browser.credits_arrange import COURSE, LEARNER, PROGRAMME
from tests.browser.test_phone_layout import PHONE, check_pages, choose_language

LANGUAGES = ["en", "fr", "ru", "ar"]
EARNED = re.compile(r"([\d.,\s\u00a0\u202f]+?)\s*(?:of [\d.,\s]+)?ECTS credits earned")


@pytest.fixture(scope="module")
def arranged(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The learner's handed-in examination (its submission id), arranged once."""
    # The live server's own database (`live_server` makes its work directory "live0").
    database = tmp_path_factory.getbasetemp() / "live0" / "agora.db"
    env = {**os.environ, "AGORA_ENV": "test", "DATABASE_URL": f"sqlite:///{database}",
           "SECRET_KEY": "browser-tests-secret-key-0123456789abcdef"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tests.browser.credits_arrange", DEMO_PASSWORD],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


def _earned(page: Page) -> float:
    """The credits earned toward the Master, as its block on "My credits" says them."""
    page.goto("/me/credits")
    text = page.locator(f"#programme-{PROGRAMME}").inner_text()
    found = EARNED.search(text)
    assert found, text
    return float(re.sub(r"[\s\u00a0\u202f]", "", found.group(1)).replace(",", "."))


def test_a_released_pass_moves_my_credits_and_i_download_my_transcript(
    page: Page, browser: Browser, live_server: str, arranged: int
):
    sign_in(page, LEARNER)
    before = _earned(page)

    teacher = browser.new_context(base_url=live_server).new_page()
    sign_in(teacher, "teacher@demo.agora")
    teacher.goto(f"/submissions/{arranged}/mark")
    teacher.get_by_label("Points (out of 20)").fill("15")
    teacher.get_by_label("Feedback (Markdown)").fill("A sound safety plan.")
    release = teacher.get_by_label("Release now (the learner sees the grade and feedback)")
    release.check()
    teacher.get_by_role("button", name="Save the marking").click()
    expect(release).to_have_count(0)  # released: nothing more to release
    teacher.context.close()

    assert _earned(page) == before + 5
    page.get_by_role("link", name="History").click()
    expect(page.locator("tr", has_text=COURSE)).to_contain_text("Course result")

    page.goto("/me/credits")
    page.get_by_role("link", name="Transcript and documents").click()
    page.get_by_role("button", name="Issue a transcript").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").first.click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def _learner_pages(_page: Page) -> list[str]:
    return ["/me/credits", "/me/credits/history", "/me/credits/documents"]


def _registrar_pages(page: Page) -> list[str]:
    page.goto("/admin/credits?q=credits-journey")
    ledger = page.locator("a[href$='/ledger']").first.get_attribute("href")
    assert ledger
    return [
        "/admin/credits?q=credits-journey",
        ledger,
        "/admin/credits/recognition",
        "/admin/credits/agreements",
        "/admin/credits/double-degrees",
        "/admin/credits/tables",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.usefixtures("arranged")
def test_credits_pages_are_accessible(page: Page, language: str):
    for email, pages in ((LEARNER, _learner_pages), ("manager@demo.agora", _registrar_pages)):
        page.context.clear_cookies()
        sign_in(page, email)
        choose_language(page, language)
        try:
            paths = pages(page)
            for path in paths:
                response = page.goto(path)
                assert response is not None
                assert response.ok, (path, response.status)
                assert page.locator("html").get_attribute("lang") == language
                assert axe_violations(page) == [], (language, path)
        finally:
            choose_language(page, "en")


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.usefixtures("arranged")
def test_credits_pages_fit_a_phone(browser: Browser, live_server: str, language: str):
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    phone = context.new_page()
    try:
        for email, pages in ((LEARNER, _learner_pages), ("manager@demo.agora", _registrar_pages)):
            context.clear_cookies()
            sign_in(phone, email)
            choose_language(phone, language)
            try:
                paths = pages(phone)
                check_pages(phone, language, paths)
            finally:
                choose_language(phone, "en")
    finally:
        context.close()

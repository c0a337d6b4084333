"""The assessment pages of the demo, in a real Chromium: axe finds no serious or critical
WCAG 2.1 AA violation on them in the four languages, none scrolls sideways on a 360 px phone
(English and Arabic), and they keep the core pages' weight budgets. A student takes the
induction's week-1 quiz page by page; a teacher opens the gradebook, the question bank and the
marking pages."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import axe_violations, sign_in, transferred_bytes
from tests.browser.prepare import PAGE_CHECKER
from tests.browser.test_page_weight import FIRST_VISIT_BUDGET, REPEAT_VISIT_BUDGET
from tests.browser.test_phone_layout import PHONE, check_pages, choose_language

LANGUAGES = ["en", "fr", "ru", "ar"]
QUIZ_TITLE = re.compile("Check yourself: health systems")
QUIZ = ("MPHM-IND", QUIZ_TITLE)
# The induction's assignment opens on a pass of the quiz: the student takes the sustainable
# development course's, two pages further; the teacher checks the quality course's (they teach
# it) and opens pages only, so the journeys' counts of completions stay as they expect.
STUDENT_ASSIGNMENT = ("LMQS-SD", re.compile("One sustainable change"))
TEACHER_ASSIGNMENT = ("LMQS-QM", re.compile("Design three indicators|Разработайте три индикатора"))


def _module(page: Page, where: tuple[str, re.Pattern[str]]) -> str:
    """A module's address; a student first reads what it requires (opening a page ticks it)."""
    code, title = where
    for _ in range(8):  # each round opens what the previous round unlocked
        page.goto(f"/courses/{code}")
        link = page.locator("main a", has_text=title)
        if link.count():
            href = link.first.get_attribute("href")
            assert href, title
            return href
        for other in page.locator("ul.modules a").evaluate_all("a => a.map(e => e.href)"):
            page.goto(other)
    raise AssertionError(f"no link to {title.pattern} in {code}")


def student_paths(page: Page) -> list[str]:
    """The quiz module, an attempt's first page (started or continued), the assignment's
    module and submission pages, and the learner's grades."""
    quiz = _module(page, QUIZ)
    page.goto(quiz)
    page.locator("form[action$='/attempts'] button").click()
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    attempt = page.url
    assignment = _module(page, STUDENT_ASSIGNMENT)
    page.goto(assignment)
    submission = page.locator("a[href$='/submission']").first.get_attribute("href")
    assert submission
    return [quiz, attempt, assignment, submission, "/courses/MPHM-IND/my-grades"]


def teacher_paths(page: Page) -> list[str]:
    """The gradebook's pages, the question bank, a quiz's settings and results, an
    assignment's settings, submissions list and rubric (of the Master course the teacher also
    teaches)."""
    page.goto(_module(page, QUIZ))
    settings = page.locator("a[href$='/quiz']").first.get_attribute("href")
    results = page.locator("a[href$='/results']").first.get_attribute("href")
    page.goto(_module(page, TEACHER_ASSIGNMENT))
    submissions = page.locator("a[href$='/submissions']").first.get_attribute("href")
    assignment_settings = page.locator("a[href$='/assignment']").first.get_attribute("href")
    assert settings, "quiz settings link"
    assert results, "quiz results link"
    assert submissions, "submissions link"
    assert assignment_settings, "assignment settings link"
    return [
        "/courses/MPHM-IND/grades",
        "/courses/MPHM-IND/gradebook/setup",
        "/courses/MPHM-IND/questions",
        settings,
        results,
        assignment_settings,
        submissions,
        submissions.replace("/submissions", "/rubric"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_students_assessment_pages_are_accessible(page: Page, language: str):
    sign_in(page, PAGE_CHECKER)
    choose_language(page, language)
    try:
        for path in student_paths(page):
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language, path
            assert axe_violations(page) == [], (language, path)
    finally:
        choose_language(page, "en")


def test_a_teachers_assessment_pages_are_accessible(page: Page):
    sign_in(page, "teacher@demo.agora")
    for path in teacher_paths(page):
        page.goto(path)
        assert axe_violations(page) == [], path


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_assessment_pages_fit_a_phone(phone: Page, language: str):
    sign_in(phone, PAGE_CHECKER)
    choose_language(phone, language)
    try:
        check_pages(phone, language, student_paths(phone))
    finally:
        choose_language(phone, "en")
    phone.context.clear_cookies()
    sign_in(phone, "teacher@demo.agora")
    choose_language(phone, language)
    try:
        check_pages(phone, language, teacher_paths(phone))
    finally:
        choose_language(phone, "en")


def _within_budgets(page: Page, paths: list[str]) -> None:
    for path in paths:
        first = transferred_bytes(page, path, cold=True)
        repeat = transferred_bytes(page, path, cold=False)
        assert first <= FIRST_VISIT_BUDGET, (path, first)
        assert repeat <= REPEAT_VISIT_BUDGET, (path, repeat)


def test_assessment_pages_are_light(page: Page):
    """A quiz attempt, a submission and the learner's grades for a slow connection, and the
    teacher's grader table and gradebook: within the core pages' budgets."""
    sign_in(page, PAGE_CHECKER)
    _within_budgets(page, student_paths(page))
    page.context.clear_cookies()
    sign_in(page, "teacher@demo.agora")
    _within_budgets(page, teacher_paths(page)[:2])

"""The community in a real browser: a student introduces themselves in the induction's welcome
space with JavaScript turned off, and the teacher who opened it is told; the teacher reads the
induction's evaluation results, drawn on the server."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, sign_in
from tests.browser.prepare import PAGE_CHECKER


def test_a_student_posts_an_introduction_without_javascript_and_the_teacher_is_told(
    browser: Browser, live_server: str
):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "student1@demo.agora")
        page.goto("/courses/MPHM-IND/forums")
        page.locator("a[href*='/forums/']", has_text="Welcome space").first.click()
        page.locator("a[href^='/forums/threads/']").first.click()
        introduction = "I am a hospital manager in Vientiane, keen to meet you all."
        page.get_by_label("Your reply").fill(introduction)
        page.get_by_role("button", name="Post the reply").click()

        expect(page.locator("article", has_text=introduction)).to_be_visible()
        page.context.clear_cookies()
        sign_in(page, "teacher@demo.agora")
        expect(page.locator("header")).to_contain_text("unread")
        page.goto("/notifications")
        told = page.locator("ul.notifications li", has_text="Welcome space").first
        expect(told).to_contain_text(introduction)
        told.get_by_role("link").click()
        expect(page.locator("article", has_text=introduction)).to_be_visible()
    finally:
        context.close()


def test_the_teacher_reads_the_evaluation_results_chart(page: Page):
    sign_in(page, "teacher@demo.agora")
    page.goto("/surveys")
    page.get_by_role("link", name=re.compile("MPHM-IND")).first.click()
    page.get_by_role("link", name="Results").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Results")
    chart = page.locator("svg[role=img]").first
    expect(chart).to_be_visible()
    assert chart.get_attribute("aria-label")
    expect(page.get_by_text("6 respondents").first).to_be_visible()
    assert axe_violations(page) == []


def test_the_survey_pages_a_respondent_meets_are_accessible(page: Page):
    sign_in(page, PAGE_CHECKER)  # in the induction's audience, who has not answered
    page.goto("/surveys")
    assert axe_violations(page) == [], "/surveys"
    page.locator("ul.rows a").first.click()
    assert axe_violations(page) == [], "the survey's first page"
    page.get_by_role("link", name="Start").click()
    expect(page.locator("form fieldset").first).to_be_visible()
    assert axe_violations(page) == [], "a section to answer"

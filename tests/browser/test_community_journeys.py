"""The community in a real browser: a student introduces themselves in the induction's welcome
space with JavaScript turned off, and the teacher who opened it is told."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import sign_in


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

"""A student works through the induction course in a real browser."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in


def test_student_completes_the_welcome_and_sees_progress_move(page: Page):
    sign_in(page, "student2@demo.agora")
    card = page.locator(".card", has_text="Online induction")
    expect(card).to_contain_text("0% done")

    card.get_by_role("link").click()
    page.get_by_role("link", name="Welcome to the induction course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the induction course")
    page.get_by_role("link", name="Online induction to primary health care").click()
    page.get_by_role("link", name="How the four weeks work").click()
    page.goto("/")

    expect(page.locator(".card", has_text="Online induction")).to_contain_text("16% done")


def test_a_locked_module_explains_itself(page: Page):
    sign_in(page, "student1@demo.agora")
    page.goto("/courses/MPHM-IND")

    title = page.get_by_text("The six building blocks", exact=True)
    locked = page.locator("li.locked").filter(has=title)

    expect(locked).to_contain_text("Complete “What is a health system?” first.")
    expect(locked.get_by_role("link")).to_have_count(0)


def test_visitor_browses_the_catalogue_and_reads_an_open_course(page: Page):
    page.goto("/catalogue")
    page.get_by_label("Search").fill("quality")
    page.get_by_role("button", name="Search").click()

    page.get_by_role("link", name="Quality management in health care").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Quality management in health care")
    expect(page.get_by_text("Open educational resource, licence CC-BY-4.0.")).to_be_visible()

"""A person signs in, edits their profile and switches to Arabic, in a real browser."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in


def test_student_signs_in_and_sees_their_name(page: Page):
    sign_in(page, "student1@demo.agora")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo Student Vientiane")


def test_wrong_password_keeps_the_address_and_explains(page: Page):
    sign_in(page, "student2@demo.agora", "not the password")

    expect(page.get_by_role("alert")).to_contain_text("not correct")
    expect(page.get_by_label("E-mail address")).to_have_value("student2@demo.agora")


def test_arabic_speaker_gets_a_right_to_left_page(page: Page):
    page.goto("/login")
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("تسجيل الدخول")

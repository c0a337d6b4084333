"""A student finds the week's webinar on the dashboard, reads its time in their own zone and
registers; a teacher opens the attendance register."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

LAOS = ZoneInfo("Asia/Vientiane")


def _day(text: str) -> date:
    found = re.match(r"(\w{3} \d{1,2}, \d{4})", text)
    assert found, text
    return datetime.strptime(found.group(1), "%b %d, %Y").date()  # noqa: DTZ007


def test_student_registers_for_the_weekly_webinar_from_the_dashboard(page: Page):
    sign_in(page, "student1@demo.agora")  # Asia/Vientiane
    coming = page.locator("ul.agenda li", has_text="Weekly webinar").first
    expect(coming).to_contain_text("(Vientiane, UTC+7)")

    coming.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Weekly webinar")
    expect(page.get_by_text("Dr Bounthanh Sisouk")).to_be_visible()
    # e.g. "Dec 1, 2026 7:00 PM (Vientiane, UTC+7) – …"
    when = page.locator("dd").first.inner_text()
    assert when.count("(Vientiane, UTC+7)") == 2
    day = _day(when)
    in_laos = datetime.combine(day, time(13), ZoneInfo("Europe/Paris")).astimezone(LAOS)
    assert f"{in_laos.hour - 12}:00" in when  # Tuesday 13:00 in Paris, in the reader's zone
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("status")).to_have_text("You are registered.")
    expect(page.get_by_role("button", name="Cancel my registration")).to_be_visible()
    expect(page.get_by_text("The join link opens at")).to_be_visible()


def test_teacher_opens_the_attendance_register(page: Page):
    sign_in(page, "teacher@demo.agora")
    page.goto("/courses/MPHM-IND/sessions")
    page.get_by_role("link", name=re.compile("Weekly webinar")).first.click()
    page.get_by_role("link", name="Attendance register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance register")
    expect(page.get_by_text("Present only with at least 85% of each day attended.")).to_be_visible()

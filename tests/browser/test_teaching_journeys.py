"""Teachers and managers at work in a real browser: a teacher adds a section, a page and a
file that a student then sees; a manager uploads an intake list with one bad row."""

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, sign_in

INTAKE = (
    b"external_id,email,display_name\n"
    b"AZ-101,leyla@example.org,Leyla Aliyeva\n"
    b"AZ-102,not-an-address,Rashad Mammadov\n"
    b"AZ-103,nigar@example.org,Nigar Huseynova\n"
)


def test_teacher_adds_a_section_a_page_and_a_file_and_a_student_sees_them(
    page: Page, browser: Browser, live_server: str
):
    sign_in(page, "teacher@demo.agora")
    page.goto("/courses/LMQS-QM/edit")
    page.get_by_label("Title").last.fill("Week 5 — Patient safety walk-rounds")
    page.locator("form[action$='/sections']").get_by_role("button", name="Add").click()
    section = page.locator("section", has_text="Week 5 — Patient safety walk-rounds")
    section.get_by_role("link", name="Add a module to this section").click()
    page.get_by_label("Title").fill("Preparing a walk-round")
    page.get_by_label("Key", exact=True).fill("walk-round")
    page.get_by_label("Text (Markdown, for pages)").fill("Walk the ward **with** the team.")
    page.get_by_role("button", name="Create the module").click()
    page.get_by_label("Attach a file").set_input_files(
        files=[{"name": "walk-round-checklist.txt", "mimeType": "text/plain", "buffer": b"1. ask"}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="walk-round-checklist.txt")).to_be_visible()

    student = browser.new_context(base_url=live_server).new_page()
    sign_in(student, "student1@demo.agora")
    student.goto("/courses/LMQS-QM")
    expect(
        student.get_by_role("heading", name="Week 5 — Patient safety walk-rounds")
    ).to_be_visible()
    student.get_by_role("link", name="Preparing a walk-round").click()

    expect(student.locator("strong", has_text="with")).to_be_visible()
    expect(student.get_by_role("link", name="walk-round-checklist.txt")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    student.screenshot(path=str(ARTIFACTS / "student_sees_the_new_page.png"), full_page=True)
    student.context.close()


def test_manager_uploads_an_intake_with_one_bad_row_and_reads_the_report(page: Page):
    sign_in(page, "manager@demo.agora")
    page.goto("/admin/cohorts")
    page.get_by_label("Code").fill("MBA-AZ-2027")
    page.get_by_label("Name").fill("MBA Azerbaijan 2027")
    page.get_by_role("button", name="Create").click()
    page.get_by_label("Link a course (its code)").fill("LMQS-QM")
    page.get_by_role("button", name="Link and enrol the members").click()

    page.get_by_label("CSV file", exact=True).set_input_files(
        files=[{"name": "intake.csv", "mimeType": "text/csv", "buffer": INTAKE}]
    )
    page.get_by_role("button", name="Upload").click()

    report = page.locator("table", has=page.get_by_role("columnheader", name="Outcome"))
    expect(report.locator("tbody tr")).to_have_count(3)
    expect(report.locator("tr.error")).to_contain_text("AZ-102")
    expect(report.locator("tr.error")).to_contain_text("email")
    expect(page.get_by_text("Leyla Aliyeva")).to_be_visible()
    expect(page.get_by_text("Nigar Huseynova")).to_be_visible()

"""Teachers and managers at work in a real browser: a teacher adds a section, a page and a
file that a student then sees; a teacher edits a module and deletes another, and a student
sees the result; a manager uploads an intake list with one bad row."""

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, axe_violations, sign_in

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
    page.get_by_label("Publish now").check()  # new modules are drafts otherwise
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


def test_teacher_edits_a_module_deletes_another_after_confirming_and_a_student_sees_it(
    page: Page, browser: Browser, live_server: str
):
    sign_in(page, "teacher@demo.agora")
    page.goto("/courses/LMQS-QM/edit")
    path = page.locator("li", has_text="ECTS, validation of experience and your individual path")
    path.get_by_role("link", name="Edit").click()
    page.get_by_label("Title").fill("Your own path: ECTS and validated experience")
    page.get_by_label("Text (Markdown, for pages)").fill("Your path is **yours** to plan.")
    page.get_by_role("button", name="Save the module").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")

    page.goto("/courses/LMQS-QM/edit")
    workplace = page.locator("li", has_text="Learning in medical enterprises")
    workplace.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("note")).to_contain_text("completions recorded by learners")
    page.get_by_role("button", name="Delete the module").click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    page.get_by_role("link", name="History of the edits").click()
    expect(page.locator("tbody tr").first).to_contain_text(
        "module deleted: Learning in medical enterprises and centres of excellence"
    )

    student = browser.new_context(base_url=live_server).new_page()
    sign_in(student, "student1@demo.agora")
    student.goto("/courses/LMQS-QM")
    expect(student.get_by_text("Learning in medical enterprises")).to_have_count(0)
    student.get_by_role("link", name="Your own path: ECTS and validated experience").click()
    expect(student.locator("strong", has_text="yours")).to_be_visible()
    student.context.close()


def test_manager_uploads_an_intake_with_one_bad_row_and_reads_the_report(page: Page):
    sign_in(page, "manager@demo.agora")
    page.goto("/admin/cohorts")
    page.get_by_label("Code").fill("MBA-AZ-2027")
    page.get_by_label("Name").fill("MBA Azerbaijan 2027")
    page.get_by_role("button", name="Create").click()
    page.get_by_label("Link a course (its code)").fill("LMQS-QM")
    page.get_by_role("button", name="Link and enrol the members").click()

    page.get_by_label("Partner institution").select_option(index=1)  # chosen, not defaulted
    page.get_by_label("CSV file", exact=True).set_input_files(
        files=[{"name": "intake.csv", "mimeType": "text/csv", "buffer": INTAKE}]
    )
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", name="Intake report")).to_be_visible()
    report = page.locator("table", has=page.get_by_role("columnheader", name="Outcome"))
    expect(report.locator("tbody tr")).to_have_count(3)
    expect(report.locator("tr.error")).to_contain_text("AZ-102")
    expect(report.locator("tr.error")).to_contain_text("Not a valid e-mail address.")
    expect(report.locator("tr.error")).to_contain_text("3")  # its spreadsheet line
    assert axe_violations(page) == [], "intake report"
    page.get_by_role("link", name="MBA Azerbaijan 2027").click()
    expect(page.get_by_text("Leyla Aliyeva")).to_be_visible()
    expect(page.get_by_text("Nigar Huseynova")).to_be_visible()

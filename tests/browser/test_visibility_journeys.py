"""Who sees what, in a real browser: a teacher keeps one new module as a draft and hides
another; a student sees neither; the teacher publishes the draft and the student sees it."""

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in


def _add_module(page: Page, section_title: str, title: str, key: str, publish: bool) -> None:
    page.goto("/courses/LMQS-QM/edit")
    section = page.locator("section", has_text=section_title)
    section.get_by_role("link", name="Add a module to this section").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Key", exact=True).fill(key)
    page.get_by_label("Text (Markdown, for pages)").fill(f"{title}: what to look for.")
    page.get_by_label("Publish now" if publish else "Save as draft").check()
    page.get_by_role("button", name="Create the module").click()


def test_a_draft_and_a_hidden_module_stay_unseen_until_published(
    page: Page, browser: Browser, live_server: str
):
    sign_in(page, "teacher@demo.agora")
    page.goto("/courses/LMQS-QM/edit")
    page.get_by_label("Title").last.fill("Week 6 — Audits")
    page.locator("form[action$='/sections']").get_by_role("button", name="Add").click()
    _add_module(page, "Week 6 — Audits", "Audit checklist", "audit-checklist", publish=False)
    _add_module(page, "Week 6 — Audits", "Audit answers", "audit-answers", publish=True)
    page.goto("/courses/LMQS-QM/edit")
    answers = page.locator("li", has_text="Audit answers")
    answers.get_by_role("button", name="Hide from students").click()
    expect(page.locator("li", has_text="Audit answers")).to_contain_text("Hidden from students")
    expect(page.locator("li", has_text="Audit checklist")).to_contain_text("Draft")

    student = browser.new_context(base_url=live_server).new_page()
    sign_in(student, "student1@demo.agora")
    student.goto("/courses/LMQS-QM")
    expect(student.get_by_role("heading", name="Week 6 — Audits")).to_be_visible()
    expect(student.get_by_role("link", name="Audit checklist")).to_have_count(0)
    expect(student.get_by_role("link", name="Audit answers")).to_have_count(0)

    page.locator("li", has_text="Audit checklist").get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The module is published.")).to_be_visible()

    student.reload()
    student.get_by_role("link", name="Audit checklist").click()
    expect(student.get_by_role("heading", name="Audit checklist")).to_be_visible()
    expect(student.get_by_role("link", name="Audit answers")).to_have_count(0)
    student.context.close()

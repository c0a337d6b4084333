"""A group hands in its collective project in a real browser, without JavaScript: one member
writes and uploads, then submits; the other confirms; the page then shows it submitted for
the group."""

import os
import subprocess
import sys

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ROOT, sign_in
from tests.browser.submission_arrange import TEAM


@pytest.fixture(scope="module")
def project_id(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> int:
    # The live server's own database (`live_server` makes its work directory "live0").
    database = tmp_path_factory.getbasetemp() / "live0" / "agora.db"
    env = {**os.environ, "AGORA_ENV": "test", "DATABASE_URL": f"sqlite:///{database}",
           "SECRET_KEY": "browser-tests-secret-key-0123456789abcdef"}  # fmt: skip
    arranged = subprocess.run(
        [sys.executable, "-m", "tests.browser.submission_arrange"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(arranged.stdout.strip().splitlines()[-1])


def test_one_member_writes_and_submits_the_other_confirms_and_it_is_the_groups(
    browser: Browser, live_server: str, project_id: int, tmp_path
):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    writer = context.new_page()
    sign_in(writer, "student1@demo.agora")
    writer.goto(f"/assignments/{project_id}/submission")
    expect(writer.get_by_role("heading", name=f"Group: {TEAM}")).to_be_visible()
    writer.get_by_label("Your text (Markdown)").fill("Our **turnaround** plan, in three phases.")
    writer.get_by_role("button", name="Save the draft").click()
    expect(writer.get_by_text("The draft is saved.")).to_be_visible()
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    writer.get_by_label("Add a file").set_input_files(str(plan))
    writer.get_by_role("button", name="Upload").click()
    expect(writer.get_by_role("link", name="plan.pdf")).to_be_visible()
    writer.get_by_role("button", name="Submit").click()
    expect(writer.get_by_text("Your confirmation is recorded.")).to_be_visible()
    expect(writer.locator("tr", has_text="Demo Student Almaty")).to_contain_text("Not yet")
    context.close()

    other = browser.new_context(base_url=live_server, java_script_enabled=False)
    confirmer = other.new_page()
    sign_in(confirmer, "student2@demo.agora")
    confirmer.goto(f"/assignments/{project_id}/submission")
    expect(confirmer.locator("article.content, textarea")).to_have_count(1)
    expect(confirmer.get_by_label("Your text (Markdown)")).to_have_value(
        "Our **turnaround** plan, in three phases."
    )
    confirmer.get_by_role("button", name="Confirm the submission").click()
    expect(
        confirmer.get_by_text("Submitted. A receipt is on its way to you by e-mail.")
    ).to_be_visible()
    expect(confirmer.locator("strong", has_text="turnaround")).to_be_visible()
    expect(confirmer.get_by_text("Not yet")).to_have_count(0)
    expect(confirmer.get_by_role("button", name="Save the draft")).to_have_count(0)
    other.close()

"""A jury at work in a real browser: an external examiner and the chair mark a group's project
independently, the chair agrees the grade and releases it, and a member of the group then
sees it among their grades."""

import os
import subprocess
import sys

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DEMO_PASSWORD, ROOT, sign_in
from tests.browser.jury_arrange import EXAMINER, TITLE


@pytest.fixture(scope="module")
def project_id(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> int:
    # The live server's own database (`live_server` makes its work directory "live0").
    database = tmp_path_factory.getbasetemp() / "live0" / "agora.db"
    env = {**os.environ, "AGORA_ENV": "test", "DATABASE_URL": f"sqlite:///{database}",
           "SECRET_KEY": "browser-tests-secret-key-0123456789abcdef"}  # fmt: skip
    arranged = subprocess.run(
        [sys.executable, "-m", "tests.browser.jury_arrange", DEMO_PASSWORD],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(arranged.stdout.strip().splitlines()[-1])


def test_two_members_mark_the_chair_agrees_and_releases_and_a_group_member_sees_the_grade(
    page: Page, browser: Browser, live_server: str, project_id: int
):
    sign_in(page, EXAMINER)
    page.goto(f"/assignments/{project_id}/jury")
    page.get_by_role("link", name="Jury journey team").click()
    expect(
        page.get_by_text("The other members' marks show once you have entered yours.")
    ).to_be_visible()
    page.get_by_label("Points out of 20").fill("14")
    page.get_by_label("Comment for the jury (Markdown)").fill("A feasible plan, *thin* on costs.")
    page.get_by_role("button", name="Save my mark").click()
    expect(page.get_by_text("Marked: 1 of 2")).to_be_visible()
    mark_page = page.url

    chair = browser.new_context(base_url=live_server).new_page()
    sign_in(chair, "teacher@demo.agora")
    chair.goto(mark_page)
    expect(chair.get_by_text("thin")).to_have_count(0)  # independent until the chair has marked
    chair.get_by_label("Points out of 20").fill("16")
    chair.get_by_role("button", name="Save my mark").click()
    expect(chair.locator("em", has_text="thin")).to_be_visible()
    chair.get_by_role("link", name="Final grade").click()
    chair.get_by_label("Agreed points out of 20").fill("15")
    chair.get_by_label("Why the jury agreed on this grade").fill("Convincing defence.")
    chair.get_by_label("Feedback for the learners (Markdown)").fill("Well defended.")
    chair.get_by_role("button", name="Release to the learners").click()
    expect(chair.get_by_text("Released on")).to_be_visible()
    chair.context.close()

    learner = browser.new_context(base_url=live_server).new_page()
    sign_in(learner, "student2@demo.agora")
    learner.goto("/courses/LMQS-QM/my-grades")
    row = learner.locator("tr", has_text=TITLE)
    expect(row).to_contain_text("15")
    expect(learner.get_by_text("thin on costs")).to_have_count(0)  # no member's mark or comment
    learner.context.close()

"""A student takes a quiz in a real browser without JavaScript: opens the quiz module, starts,
answers two pages, submits and sees the review with the grade and the explanations."""

import os
import subprocess
import sys

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ROOT, sign_in


@pytest.fixture(scope="module")
def quiz_module_id(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> int:
    # The live server's own database (`live_server` makes its work directory "live0").
    database = tmp_path_factory.getbasetemp() / "live0" / "agora.db"
    env = {**os.environ, "AGORA_ENV": "test", "DATABASE_URL": f"sqlite:///{database}",
           "SECRET_KEY": "browser-tests-secret-key-0123456789abcdef",
           "STORAGE_DIR": str(tmp_path_factory.getbasetemp() / "live0" / "storage")}  # fmt: skip
    arranged = subprocess.run(
        [sys.executable, "-m", "tests.browser.quiz_arrange"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(arranged.stdout.strip().splitlines()[-1])


def test_a_student_takes_a_quiz_without_javascript_and_sees_the_review(
    browser: Browser, live_server: str, quiz_module_id: int
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "student1@demo.agora")
    page.goto(f"/courses/MBA-TSM/modules/{quiz_module_id}")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_text("page 1 of 2")).to_be_visible()
    page.get_by_label("True").check()
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("page 2 of 2")).to_be_visible()
    page.get_by_label("False").check()
    page.get_by_role("button", name="Finish the attempt…").click()
    expect(page.get_by_role("heading", name="Summary of attempt 1")).to_be_visible()
    expect(page.get_by_text("Answer saved")).to_have_count(2)
    page.get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_role("heading", name="Review of attempt 1")).to_be_visible()
    expect(page.get_by_text("10 out of 10")).to_be_visible()
    expect(page.get_by_text("Because: Primary health care")).to_be_visible()
    context.close()

"""Reporting in a real browser: a coordinator who reads Russian opens the LMQS dashboard,
reads its targets and charts, and downloads the XLSX, whose words are Russian too."""

import io

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_violations, sign_in


def _choose_language(page: Page, language: str) -> None:
    page.goto("/profile")
    page.locator("#preferred_language").select_option(language)
    page.locator("form", has=page.locator("#preferred_language")).get_by_role(
        "button"
    ).first.click()


def test_a_coordinator_reads_the_lmqs_dashboard_in_russian_and_downloads_the_xlsx(page: Page):
    sign_in(page, "admin@demo.agora")
    _choose_language(page, "ru")
    try:
        page.goto("/reports")
        page.get_by_role("link", name="LMQS").first.click()

        expect(page.get_by_role("heading", name="Цели")).to_be_visible()
        expect(page.get_by_role("row", name="Students enrolled in Kazakhstan")).to_contain_text(
            "30"
        )
        expect(page.get_by_text("Меньше 5 человек").first).to_be_visible()
        assert page.locator("svg[role=img]").count() >= 2
        assert axe_violations(page) == []
        with page.expect_download() as download:
            page.get_by_role("link", name="Скачать (XLSX)").click()
        workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))

        assert workbook.sheetnames == ["Сведения", "Отчёт"]
        header, *rows = workbook["Отчёт"].iter_rows(values_only=True)
        assert header[:2] == ("Раздел", "Показатель")
        assert any(row[1] == "Students enrolled in Kazakhstan" and row[5] == 30 for row in rows)
    finally:
        _choose_language(page, "en")

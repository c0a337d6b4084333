"""A dashboard in words, one table for every output: the page's tables and the CSV and XLSX
downloads all read `report_rows`, so what the dashboard withholds is
withheld everywhere. A hidden figure is an empty value with a note, never a number."""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date

from app.core.i18n import N_, format_number, translations_for
from app.core.spreadsheets import csv_text, spreadsheet_cell
from app.reporting.models import Indicator
from app.reporting.service.cells import Cell
from app.reporting.service.dashboard import Dashboard, IndicatorReport, Progress, Term
from app.reporting.service.indicators import DEFINITIONS, NAMES

Gettext = Callable[[str], str]

PROGRESS_NAMES = {
    Progress.MET: N_("Met"),
    Progress.ON_TRACK: N_("On track"),
    Progress.BEHIND: N_("Behind schedule"),
    Progress.LATE: N_("Late"),
    Progress.NOT_SHOWN: N_("Not shown"),
}
BREAKDOWNS = {
    "total": N_("All learners"),
    "term": N_("Semester"),
    "country": N_("Country"),
    "institution": N_("Institution"),
    "course": N_("Course"),
    "cohort": N_("Cohort"),
}
NOT_RECORDED = N_("Not recorded")
HEADER = (
    N_("Section"), N_("Indicator"), N_("Breakdown"), N_("Group"), N_("Value"), N_("Target"),
    N_("Due"), N_("Progress"), N_("Note"),
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    section: str
    indicator: str
    breakdown: str
    group: str
    value: str
    target: str = ""
    due: str = ""
    progress: str = ""
    note: str = ""
    # The figures as numbers, for a spreadsheet's cells (None: hidden, or none).
    amount: Decimal | None = None
    goal: Decimal | None = None

    def cells(self) -> tuple[str, ...]:
        return (
            self.section, self.indicator, self.breakdown, self.group, self.value, self.target,
            self.due, self.progress, self.note,
        )  # fmt: skip

    def spreadsheet_cells(self) -> list[object]:
        """Text neutralised (never a formula), figures as numbers."""
        found: list[object] = [spreadsheet_cell(value) for value in self.cells()]
        if self.amount is not None:
            found[4] = self.amount
        if self.goal is not None:
            found[5] = self.goal
        return found


class Words:
    """How a dashboard's keys read in one language."""

    def __init__(self, dashboard: Dashboard, locale: str) -> None:
        self.dashboard = dashboard
        self.locale = locale
        self.gettext: Gettext = translations_for(locale).gettext
        self._territories = Locale.parse(locale).territories

    def hidden(self) -> str:
        return self.gettext("Fewer than %(num)s people: not shown.") % {
            "num": self.dashboard.threshold
        }

    def number(self, value: Decimal | None) -> str:
        return "" if value is None else format_number(value.normalize(), self.locale)

    def day(self, value: date) -> str:
        return str(format_date(value, "medium", locale=self.locale))

    def term(self, term: Term) -> str:
        return self.gettext("%(year)s, semester %(num)s") % {
            "year": f"{term.year}-{str(term.year + 1)[-2:]}", "num": term.number,
        }  # fmt: skip

    def group(self, by: str, key: object) -> str:
        if key is None:
            return self.gettext(NOT_RECORDED)
        if by == "term":
            return self.term(self.dashboard.terms[str(key)])
        if by == "country":
            return str(self._territories.get(str(key), str(key)))
        if by == "institution":
            return self.dashboard.institutions.get(int(str(key)), str(key))
        return str(key)

    def definition(self, indicator: Indicator) -> str:
        return self.gettext(DEFINITIONS[indicator])


def _cell_row(words: Words, section: str, name: str, by: str, group: str, cell: Cell) -> Row:
    note = words.hidden() if cell.value is None else ""
    return Row(
        section, name, words.gettext(BREAKDOWNS[by]), group, words.number(cell.value), note=note,
        amount=cell.value,
    )  # fmt: skip


def _target_rows(words: Words) -> Iterator[Row]:
    section = words.gettext("Targets")
    for item in words.dashboard.targets:
        target = item.target
        scope = ", ".join(
            part for part in (
                words.group("country", target.country) if target.country else "",
                words.group("institution", target.institution_id) if target.institution_id else "",
            ) if part
        )  # fmt: skip
        yield Row(
            section, target.label or words.gettext(NAMES[target.indicator]),
            words.gettext(BREAKDOWNS["total"]), scope, words.number(item.figure.value),
            words.number(target.value), words.day(target.due_on),
            words.gettext(PROGRESS_NAMES[item.progress]),
            words.hidden() if item.figure.value is None else "", item.figure.value, target.value,
        )  # fmt: skip


def _indicator_rows(words: Words, report: IndicatorReport) -> Iterator[Row]:
    section, name = words.gettext("Indicators"), words.gettext(NAMES[report.indicator])
    yield _cell_row(words, section, name, "total", "", report.total)
    for by, found in (
        ("term", report.by_term), ("country", report.by_country),
        ("institution", report.by_institution),
    ):  # fmt: skip
        for cell in found:
            yield _cell_row(words, section, name, by, words.group(by, cell.key), cell)


def _drill_rows(words: Words) -> Iterator[Row]:
    section = words.gettext("Courses and cohorts")
    enrolled, completed = words.gettext(NAMES[next(iter(NAMES))]), words.gettext("Completed")
    for by, found in (("course", words.dashboard.courses), ("cohort", words.dashboard.cohorts)):
        for row in found or ():
            yield _cell_row(words, section, enrolled, by, row.name, row.enrolled)
            yield _cell_row(words, section, completed, by, row.name, row.completed)


def _definition_rows(words: Words) -> Iterator[Row]:
    section = words.gettext("Definitions")
    for report in words.dashboard.indicators:
        yield Row(
            section,
            words.gettext(NAMES[report.indicator]),
            "",
            "",
            "",
            note=words.definition(report.indicator),
        )


def report_rows(dashboard: Dashboard, locale: str) -> list[Row]:
    words = Words(dashboard, locale)
    rows = [*_target_rows(words)]
    for report in dashboard.indicators:
        rows.extend(_indicator_rows(words, report))
    rows.extend(_drill_rows(words))
    rows.extend(_definition_rows(words))
    return rows


def _title_rows(dashboard: Dashboard, locale: str, extracted: datetime) -> list[tuple[str, ...]]:
    words = Words(dashboard, locale)
    project = dashboard.opened.project
    return [
        (project.name, project.code),
        (words.gettext("Extracted on"), extracted.strftime("%Y-%m-%d %H:%M UTC")),
        (words.gettext("Counted from"), words.day(project.starts_on)),
        (words.hidden(), ""),
    ]


def report_csv(dashboard: Dashboard, locale: str, extracted: datetime) -> str:
    gettext = translations_for(locale).gettext
    header = [gettext(name) for name in HEADER]
    rows = [
        *_title_rows(dashboard, locale, extracted),
        (),
        *(r.cells() for r in report_rows(dashboard, locale)),
    ]
    return csv_text(header, rows)


def report_xlsx(dashboard: Dashboard, locale: str, extracted: datetime) -> bytes:
    """A sheet of the title, then one of the rows: every text cell written as text (never a
    formula), every figure as a number."""
    from openpyxl import Workbook  # imported here: it loads PIL, which no other request needs

    gettext = translations_for(locale).gettext
    book = Workbook(write_only=True)
    about = book.create_sheet(gettext("About"))
    for line in _title_rows(dashboard, locale, extracted):
        about.append([spreadsheet_cell(value) for value in line])
    sheet = book.create_sheet(gettext("Report"))
    sheet.append([gettext(name) for name in HEADER])
    for row in report_rows(dashboard, locale):
        sheet.append(row.spreadsheet_cells())
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""Survey results as words and as CSV, for the pages and the API alike: a breakdown's group
names and the spreadsheet. What the results withhold stays withheld here: a suppressed
question is one row saying so, with no figure."""

from collections.abc import Callable, Iterator
from decimal import Decimal

from babel import Locale

from app.core.i18n import N_, negotiate, translations_for
from app.core.spreadsheets import csv_text
from app.surveys.service.results import (
    Breakdown,
    GroupResults,
    QuestionResults,
    SurveyResults,
)

Gettext = Callable[[str], str]

BREAKDOWN_NAMES = {
    Breakdown.COUNTRY: N_("Country"),
    Breakdown.INSTITUTION: N_("Institution"),
    Breakdown.PROFESSION: N_("Profession"),
}
PROFESSION_NAMES = {
    "student": N_("Student"),
    "working_professional": N_("Working professional"),
    "civil_servant": N_("Civil servant"),
}
OTHER_GROUPS = N_("Other groups")
NOT_RECORDED = N_("Not recorded")
ALL_RESPONSES = N_("All responses")
MULTIPLE_NOTE = N_("Each respondent may choose several options: the percentages add up to more.")


def fewer_than(threshold: int, locale: str) -> str:
    """What a suppressed survey, question or group shows instead of its figures."""
    message = translations_for(locale).ngettext(
        "Fewer than %(num)s responses: no figures are shown.",
        "Fewer than %(num)s responses: no figures are shown.",
        threshold,
    )
    return message % {"num": threshold}


def group_label(by: Breakdown, group: GroupResults, locale: str) -> str:
    gettext = translations_for(locale).gettext
    if group.pooled:
        return gettext(OTHER_GROUPS)
    if group.value is None:
        return gettext(NOT_RECORDED)
    if by is Breakdown.COUNTRY:
        code = str(group.value)
        return str(Locale.parse(locale).territories.get(code.upper(), code))
    if by is Breakdown.INSTITUTION:
        return group.name or gettext(NOT_RECORDED)
    value = str(group.value)
    return gettext(PROFESSION_NAMES[value]) if value in PROFESSION_NAMES else value


def number_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


def results_csv(results: SurveyResults, language: str) -> tuple[str, str]:
    """The results as CSV (UTF-8 with a byte-order mark, no cell a formula) and its file
    name: a row per option or point of a scale, a row of the respondents with the mean and
    median, each free-text answer in a row of its own."""
    locale = negotiate(language, None)
    gettext = translations_for(locale).gettext
    header = [gettext(name) for name in (
        N_("Group"), N_("Section"), N_("Question"), N_("Option"), N_("Count"), N_("Percent"),
        N_("Mean"), N_("Median"), N_("Answer"),
    )]  # fmt: skip
    name = f"survey-{results.survey.id}-results"
    if results.by is not None:
        name += f"-by-{results.by.value}"
    return csv_text(header, _rows(results, locale)), f"{name}.csv"


def _rows(results: SurveyResults, locale: str) -> Iterator[list[object]]:
    gettext = translations_for(locale).gettext
    hidden = fewer_than(results.threshold, locale)
    everyone = gettext(ALL_RESPONSES)
    if results.suppressed:
        yield [everyone, "", "", hidden]
        return
    yield [everyone, "", "", gettext("Responses"), results.responses]
    for question in results.questions:
        yield from _question_rows(everyone, question, hidden, gettext)
    for group in results.groups:
        assert results.by is not None
        label = group_label(results.by, group, locale)
        yield [label, "", "", gettext("Responses"), group.responses]
        for question in group.questions:
            yield from _question_rows(label, question, hidden, gettext)


def _question_rows(
    group: str, question: QuestionResults, hidden: str, gettext: Gettext
) -> Iterator[list[object]]:
    start: list[object] = [group, question.section, question.text]
    if question.suppressed:
        yield [*start, hidden]
        return
    respondents = gettext(MULTIPLE_NOTE) if question.multiple else gettext("Respondents")
    yield [*start, respondents, question.answered, "",
           number_text(question.mean), number_text(question.median)]  # fmt: skip
    for figure in question.figures:
        yield [*start, figure.label, figure.count, number_text(figure.percent)]
    for text in question.texts:
        yield [*start, "", "", "", "", "", text]

"""Survey results, the rules: figures counted by hand on six responses; suppression of a
survey, a question or a group under the threshold (which a survey may raise, never lower);
breakdowns with complementary suppression, so subtracting shown cells from the total
recovers no hidden group; the charts; the CSV."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.core.charts import Bar, bar_chart
from app.core.config import Settings
from app.core.suppression import complementary_suppression
from app.surveys.models import QuestionKind
from app.surveys.results_export import results_csv
from app.surveys.service.results import (
    Breakdown,
    BreakdownNotOffered,
    SurveyResults,
    results_of,
)
from tests.surveys.results_factories import (
    HYPERLINK,
    WISHES,
    hand_counted,
    make_survey,
    respond,
    responses_from,
    simple_survey,
)


def _figures(results: SurveyResults, index: int) -> list[tuple[str, int, Decimal]]:
    return [(f.label, f.count, f.percent) for f in results.questions[index].figures]


def test_choice_questions_count_and_percent_each_option_of_those_who_answered(
    db: Session, settings: Settings
) -> None:
    q = hand_counted(db)
    results = results_of(db, settings, q.survey, None)

    assert results.responses == 6
    assert not results.suppressed
    assert [r.id for r in results.questions] == [question.id for question in q.questions]
    assert _figures(results, 0) == [
        ("Colleague", 3, Decimal("50.0")), ("Website", 2, Decimal("33.3")),
        ("Ministry", 1, Decimal("16.7")),
    ]  # fmt: skip
    # Five answered the multiple choice; each percentage is of those five: 180% in all.
    topics = results.questions[1]
    assert topics.answered == 5
    assert topics.multiple
    assert _figures(results, 1) == [
        ("Malaria", 4, Decimal("80.0")), ("Nutrition", 3, Decimal("60.0")),
        ("Maternal health", 2, Decimal("40.0")),
    ]  # fmt: skip


def test_scales_give_their_mean_median_and_distribution(db: Session, settings: Settings) -> None:
    q = hand_counted(db)
    results = results_of(db, settings, q.survey, None)
    useful, rating, years = results.questions[2:5]

    # Likert points count from 1: 3 3 2 1 3 3.
    assert _figures(results, 2) == [
        ("Disagree", 1, Decimal("16.7")), ("Neutral", 1, Decimal("16.7")),
        ("Agree", 4, Decimal("66.7")),
    ]  # fmt: skip
    assert (useful.mean, useful.median) == (Decimal("2.50"), Decimal("3.00"))
    # Ratings 8 9 10 7 8 5: every point from 0 to 10 is a bar.
    assert (rating.mean, rating.median) == (Decimal("7.83"), Decimal("8.00"))
    assert [f.label for f in rating.figures] == [str(point) for point in range(11)]
    assert rating.figures[8].count == 2
    assert rating.figures[8].percent == Decimal("33.3")
    # Numbers 2 4 10 1 3 (one skipped): each value a bar.
    assert years.answered == 5
    assert (years.mean, years.median) == (Decimal("4.00"), Decimal("3.00"))
    assert [(f.label, f.count) for f in years.figures] == [
        ("1", 1),
        ("2", 1),
        ("3", 1),
        ("4", 1),
        ("10", 1),
    ]


def test_free_texts_are_listed_without_their_respondent_and_a_question_of_few_is_hidden(
    db: Session, settings: Settings
) -> None:
    q = hand_counted(db)
    results = results_of(db, settings, q.survey, None)
    wishes, other = results.questions[5:7]

    assert sorted(wishes.texts) == sorted(WISHES)
    assert wishes.texts == results_of(db, settings, q.survey, None).questions[5].texts
    # Two answered "Anything else?": neither their number nor their words are given.
    assert other.suppressed
    assert (other.answered, other.figures, other.texts, other.mean) == (None, (), (), None)


def test_a_survey_of_fewer_responses_than_the_threshold_gives_no_figure(
    db: Session, settings: Settings
) -> None:
    survey, question = simple_survey(db)
    responses_from(db, survey, question, {"LA": 4})

    results = results_of(db, settings, survey, None)

    assert results.suppressed
    assert results.responses is None
    assert all(r.suppressed and r.answered is None and not r.figures for r in results.questions)
    assert results.offered == ()


def test_a_survey_may_raise_the_threshold_but_not_lower_it(db: Session, settings: Settings) -> None:
    raised = make_survey(db, min_group_size=7)
    hand_counted(db, raised)
    lowered = make_survey(db, min_group_size=2)
    survey, question = simple_survey(db, lowered)
    responses_from(db, survey, question, {"LA": 4})

    assert results_of(db, settings, raised, None).threshold == 7
    assert results_of(db, settings, raised, None).suppressed  # six responses, fewer than 7
    assert results_of(db, settings, lowered, None).threshold == 5
    assert results_of(db, settings, lowered, None).suppressed
    stricter = settings.model_copy(update={"survey_min_group_size": 8})
    assert results_of(db, stricter, make_survey(db, min_group_size=6), None).threshold == 8


# --- Breakdowns -----------------------------------------------------------------------------


def test_complementary_suppression_hides_the_next_smallest_group_when_the_pool_is_small() -> None:
    assert complementary_suppression({"LA": 7, "VN": 6, "KH": 3}, 5) == (["LA"], ["KH", "VN"])
    assert complementary_suppression({"LA": 7, "VN": 6, "KH": 3, "TH": 2}, 5) == (
        ["LA", "VN"], ["KH", "TH"],
    )  # fmt: skip
    assert complementary_suppression({"LA": 7, "VN": 6}, 5) == (["LA", "VN"], [])
    assert complementary_suppression({"LA": 3, "VN": 1}, 5) == ([], ["LA", "VN"])


def _assert_nothing_recoverable(results: SurveyResults) -> None:
    """Subtracting every shown cell from the total leaves nothing, or a number of responses
    no smaller than the threshold: no hidden group's size or answers can be computed."""
    assert results.responses is not None
    left = results.responses - sum(group.responses for group in results.groups)
    assert left == 0 or left >= results.threshold
    for overall in results.questions:
        cells = [cell for group in results.groups for cell in group.questions
                 if cell.id == overall.id]  # fmt: skip
        if overall.suppressed or not cells:
            continue
        assert overall.answered is not None
        shown = [cell for cell in cells if not cell.suppressed]
        left = overall.answered - sum(cell.answered or 0 for cell in shown)
        assert left == 0 or left >= results.threshold, (overall.text, left)
        if overall.kind is QuestionKind.NUMBER:
            continue  # each cell's own values or ranges
        for position, figure in enumerate(overall.figures):
            rest = figure.count - sum(cell.figures[position].count for cell in shown)
            assert rest >= 0
            if left == 0:
                assert rest == 0


def test_a_breakdown_pools_small_groups_and_recovers_none_of_them(
    db: Session, settings: Settings
) -> None:
    survey, question = simple_survey(db)
    responses_from(db, survey, question, {"LA": 7, "VN": 6, "KH": 3})

    results = results_of(db, settings, survey, Breakdown.COUNTRY)

    # Cambodia's 3 are hidden; pooled alone they could be computed back (16 - 7 - 6), so
    # Viet Nam, the next smallest, joins them.
    assert [(g.value, g.pooled, g.responses) for g in results.groups] == [
        ("LA", False, 7), (None, True, 9),
    ]  # fmt: skip
    assert not any(group.responses == 3 for group in results.groups)
    _assert_nothing_recoverable(results)


def test_a_pool_that_reaches_the_threshold_is_shown_as_other_groups(
    db: Session, settings: Settings
) -> None:
    survey, question = simple_survey(db)
    responses_from(db, survey, question, {"LA": 7, "VN": 6, "KH": 3, "TH": 2})

    results = results_of(db, settings, survey, Breakdown.COUNTRY)

    assert [(g.value, g.pooled, g.responses) for g in results.groups] == [
        ("LA", False, 7), ("VN", False, 6), (None, True, 5),
    ]  # fmt: skip
    assert [f.count for f in results.groups[0].questions[0].figures] == [4, 3]
    _assert_nothing_recoverable(results)


def test_a_question_few_of_a_group_answered_is_hidden_with_the_next_smallest_cell(
    db: Session, settings: Settings
) -> None:
    q = hand_counted(db)  # six responses with no country
    for country, size in (("LA", 8), ("VN", 6)):
        for i in range(size):
            # Of Viet Nam, two tell their years of practice: too few to be shown.
            years = i + 1 if country == "LA" or i < 2 else None
            respond(db, q.survey, {q.heard: i % 3, q.years: years}, country=country)

    results = results_of(db, settings, q.survey, Breakdown.COUNTRY)

    assert [(g.value, g.responses) for g in results.groups] == [("LA", 8), (None, 6), ("VN", 6)]
    years_index = q.questions.index(q.years)
    cells = [group.questions[years_index] for group in results.groups]  # no text questions
    # Viet Nam's 2 are hidden, and so is the smallest other cell (the six without a
    # country, of whom five answered): 2 alone could be computed from the total.
    assert [cell.suppressed for cell in cells] == [False, True, True]
    assert not cells[0].suppressed
    assert cells[0].answered == 8
    assert cells[0].answered == 8
    _assert_nothing_recoverable(results)


def test_a_breakdown_is_offered_only_when_two_groups_reach_the_threshold(
    db: Session, settings: Settings
) -> None:
    survey, question = simple_survey(db)
    for i in range(12):
        respond(
            db, survey, {question: 0}, country="LA", profession=("student", "civil_servant")[i % 2]
        )

    results = results_of(db, settings, survey, None)

    assert results.offered == (Breakdown.PROFESSION,)
    with pytest.raises(BreakdownNotOffered):
        results_of(db, settings, survey, Breakdown.COUNTRY)
    assert [g.value for g in results_of(db, settings, survey, Breakdown.PROFESSION).groups] == [
        "civil_servant", "student",
    ]  # fmt: skip


# --- Charts and CSV -------------------------------------------------------------------------


def test_a_chart_is_a_small_accessible_svg_with_every_label_escaped() -> None:
    bars = [Bar("<script>alert(1)</script>", Decimal("60.0"), "3 (60.0%)"),
            Bar("Nutrition & diet", Decimal("40.0"), "2 (40.0%)")]  # fmt: skip

    chart = str(bar_chart('Topics "used"', bars))

    assert chart.startswith("<svg")
    assert 'role="img"' in chart
    assert 'viewBox="0 0 360 ' in chart
    assert 'width="100%"' in chart
    assert 'aria-label="Topics &#34;used&#34;"' in chart
    assert "<title" in chart
    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart
    assert "Nutrition &amp; diet" in chart
    assert "3 (60.0%)" in chart
    assert len(chart) < 2000


def test_a_right_to_left_chart_is_mirrored() -> None:
    bars = [Bar("نعم", Decimal("100.0"), "5 (100.0%)")]

    ltr, rtl = str(bar_chart("t", bars)), str(bar_chart("t", bars, rtl=True))

    assert 'text-anchor="start"' in ltr
    assert 'text-anchor="end"' not in ltr
    assert 'text-anchor="end"' in rtl
    assert 'x="359' in rtl
    # The bar starts after the label column on the left, and ends before it on the right.
    assert '<rect x="44"' in ltr
    assert '<rect x="92.0"' in rtl


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_gives_each_figure_each_text_a_row_and_neutralises_formulas(
    db: Session, settings: Settings
) -> None:
    q = hand_counted(db)

    text, name = results_csv(results_of(db, settings, q.survey, None), "en")
    rows = _csv_rows(text)

    assert name == f"survey-{q.survey.id}-results.csv"
    assert rows[0] == ["Group", "Section", "Question", "Option", "Count", "Percent", "Mean",
                       "Median", "Answer"]  # fmt: skip
    assert ["All responses", "", "", "Responses", "6"] in rows
    assert ["All responses", "The course", "How did you hear of the course?", "Colleague", "3",
            "50.0"] in rows  # fmt: skip
    assert ["All responses", "The course", "The course was useful", "Respondents", "6", "",
            "2.50", "3.00"] in rows  # fmt: skip
    answers = [row[8] for row in rows if len(row) > 8 and row[8]]
    assert f"'{HYPERLINK}" in answers
    assert HYPERLINK not in answers
    assert ["All responses", "Your practice", "Anything else?",
            "Fewer than 5 responses: no figures are shown."] in rows  # fmt: skip
    assert not any(row[2] == "Anything else?" and len(row) > 4 for row in rows)


def test_a_suppressed_survey_exports_one_row_and_no_figure(db: Session, settings: Settings) -> None:
    survey, question = simple_survey(db)
    responses_from(db, survey, question, {"LA": 4})

    rows = _csv_rows(results_csv(results_of(db, settings, survey, None), "en")[0])

    assert rows[1:] == [["All responses", "", "", "Fewer than 5 responses: no figures are shown."]]

"""Short answer, numerical, matching, cloze and essay: validation, grading, templates."""

from decimal import Decimal

import pytest

from app.core.errors import Invalid
from app.quizzes.models import QuestionType
from app.quizzes.questions.cloze import blanked_html, tokenize
from app.quizzes.questions.essay import grader_info_html, word_count
from app.quizzes.questions.matching import answer_id
from app.quizzes.questions.types import for_type
from tests.quizzes.helpers import graded_review, prompt_of, rendered, version_of

SA, NUM, MATCH = QuestionType.SHORTANSWER, QuestionType.NUMERICAL, QuestionType.MATCHING
CLOZE, ESSAY = QuestionType.CLOZE, QuestionType.ESSAY

# Moodle's documented example of embedded answers (docs.moodle.org, Embedded Answers (Cloze)).
MOODLE_EXAMPLE = (
    "This question consists of some text with an answer embedded right here "
    "{1:MULTICHOICE:Wrong answer#Feedback for this wrong answer~Another wrong answer#Feedback "
    "for the other wrong answer~=Correct answer#Feedback for correct answer~%50%Answer that "
    "gives half the credit#Feedback for half credit answer}\nand right after that you will "
    "have to deal with this short answer {1:SHORTANSWER:Wrong answer#Feedback for this wrong "
    "answer~=Correct answer#Feedback for correct answer~%50%Answer that gives half the "
    "credit#Feedback for half credit answer}\nand finally we have a floating point number "
    "{2:NUMERICAL:=23.8:0.1#Feedback for correct answer 23.8~%50%23.8:2#Feedback for half "
    "credit answer in the nearby region of the correct answer}.\n\nNote that addresses like "
    "www.moodle.org and smileys :-) all work as normal:\n a) How good is this? "
    "{:MULTICHOICE:=Yes#Correct~No#We have a different opinion}\n b) What grade would you "
    "give it? {3:NUMERICAL:=3:2}"
)


def grade(
    qtype: QuestionType, definition: dict[str, object], response: dict[str, object]
) -> Decimal | None:
    return for_type(qtype).grade(version_of(qtype, definition), response).fraction


SHORT = {
    "answers": [
        {"text": "Par*s", "fraction": 1, "feedback": "Yes."},
        {"text": "Lyon", "fraction": "0.25", "feedback": "Second city."},
        {"text": "*", "fraction": 0, "feedback": "No."},
    ]
}


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Paris", 1), ("  pARIS ", 1), ("Parees", 1), ("lyon", "0.25"), ("Rome", 0), ("", 0)],
)
def test_shortanswer_matches_patterns_in_order(given: str, expected: object) -> None:
    assert grade(SA, SHORT, {"answer": given}) == Decimal(str(expected))


def test_shortanswer_case_sensitive_and_literal_star() -> None:
    definition = {"case_sensitive": True, "answers": [{"text": "C\\*", "fraction": 1}]}
    assert grade(SA, definition, {"answer": "C*"}) == 1
    assert grade(SA, definition, {"answer": "c*"}) == 0
    assert grade(SA, definition, {"answer": "Cx"}) == 0
    assert for_type(SA).right_answer(version_of(SA, definition)) == "C*"
    assert for_type(SA).right_answer(version_of(SA, SHORT)) == "Pars"


def test_shortanswer_needs_a_full_mark_answer() -> None:
    with pytest.raises(Invalid) as refused:
        for_type(SA).validate({"answers": [{"text": "x", "fraction": "0.5"}]})
    assert refused.value.field == "answers"


NUMERIC = {
    "answers": [
        {"value": "9.81", "tolerance": "0.05", "fraction": 1, "feedback": "Right."},
        {"value": "10", "tolerance": "0", "fraction": "0.5"},
    ],
    "units": [{"unit": "m/s²", "multiplier": 1}, {"unit": "cm/s²", "multiplier": 100}],
    "unit_handling": "penalty",
    "unit_penalty": "0.2",
}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("9.8 m/s²", "1"),
        ("9,84 m/s²", "1"),
        ("981 cm/s²", "1"),
        ("9.81", "0.8"),
        ("9.81 km", "0.8"),
        ("10 m/s²", "0.5"),
        ("11 m/s²", "0"),
        ("about ten", "0"),
    ],
)
def test_numerical_tolerance_and_units_with_penalty(given: str, expected: str) -> None:
    assert grade(NUM, NUMERIC, {"answer": given}) == Decimal(expected)


def test_numerical_required_and_no_units() -> None:
    required = {**NUMERIC, "unit_handling": "required"}
    assert grade(NUM, required, {"answer": "9.81"}) == 0
    assert grade(NUM, required, {"answer": "981 cm/s²"}) == 1
    plain = {"answers": [{"value": "-2e3", "tolerance": 1, "fraction": 1}]}
    assert grade(NUM, plain, {"answer": "-2000.5"}) == 1
    assert grade(NUM, plain, {"answer": "-2000 kg"}) == 0
    assert for_type(NUM).right_answer(version_of(NUM, NUMERIC)) == "9.81 m/s²"


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({"answers": [{"value": "x", "fraction": 1}]}, "answers.0.value"),
        ({"answers": [{"value": 1, "tolerance": -1, "fraction": 1}]}, "answers.0.tolerance"),
        ({"answers": [{"value": 1, "fraction": 1}], "unit_handling": "required"}, "units"),
        ({"answers": [{"value": 1, "fraction": 1}], "unit_handling": "sometimes"}, "unit_handling"),
        ({"answers": [{"value": "Infinity", "fraction": 1}]}, "answers.0.value"),
    ],
)
def test_numerical_refuses_broken_definitions(definition: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        for_type(NUM).validate(definition)
    assert refused.value.field == field


PAIRS = {
    "pairs": [
        {"id": "fr", "question": "France", "answer": "Paris"},
        {"id": "it", "question": "Italy", "answer": "Rome"},
        {"id": "es", "question": "Spain", "answer": "Madrid"},
        {"question": "", "answer": "Berlin"},
    ]
}


def test_matching_gives_partial_credit_per_pair_and_hides_the_pairing() -> None:
    version = version_of(MATCH, PAIRS)
    q = prompt_of(version, 4)
    assert [s["id"] for s in q["stems"]] == ["fr", "it", "es"]
    assert {a["text"] for a in q["answers"]} == {"Paris", "Rome", "Madrid", "Berlin"}
    assert [a["text"] for a in prompt_of(version)["answers"]] == [
        "Berlin",
        "Madrid",
        "Paris",
        "Rome",
    ]
    kind = for_type(MATCH)
    form = {"s1-match-fr": [answer_id("Paris")], "s1-match-it": [answer_id("Madrid")]}
    graded = kind.grade(version, kind.read_response("s1-", form))
    assert graded.parts == (True, False, False)
    assert graded.fraction == Decimal("0.3333333")
    assert kind.right_answer(version).startswith("France → Paris")
    page = rendered(MATCH, q, response=kind.read_response("s1-", form))
    assert 'for="s1-match-fr"' in page
    assert page.count("<select") == 3


def test_matching_needs_two_sub_questions() -> None:
    with pytest.raises(Invalid):
        for_type(MATCH).validate({"pairs": [{"question": "A", "answer": "B"}]})


def test_cloze_reads_moodles_documented_example() -> None:
    version = version_of(CLOZE, {"text": MOODLE_EXAMPLE})
    gaps = version.definition["gaps"]
    assert [(g["kind"], g["weight"]) for g in gaps] == [
        ("multichoice", 1),
        ("shortanswer", 1),
        ("numerical", 2),
        ("multichoice", 1),
        ("numerical", 3),
    ]
    kind = for_type(CLOZE)
    all_right = {"1": "o3", "2": "correct answer", "3": "23.85", "4": "o1", "5": "4.5"}
    assert kind.grade(version, {"gaps": all_right}).fraction == 1
    half = {**all_right, "1": "o4", "3": "22"}  # (0.5 + 1 + 2*0.5 + 1 + 3) / 8
    graded = kind.grade(version, {"gaps": half})
    assert graded.fraction == Decimal("0.8125")
    assert graded.parts == (False, True, False, True, True)
    assert "Feedback for half credit answer" in graded.feedback_html
    assert (
        kind.right_answer(version) == "1: Correct answer; 2: Correct answer; 3: 23.8; 4: Yes; 5: 3"
    )
    assert "www.moodle.org" in blanked_html(version.definition)


def test_cloze_page_shows_a_field_per_gap_and_no_answer() -> None:
    version = version_of(CLOZE, {"text": MOODLE_EXAMPLE})
    q = prompt_of(version)
    page = rendered(CLOZE, q, response={"gaps": {"2": "typed"}})
    assert page.count("<select") == 2
    assert 'name="s1-gap-3"' in page
    assert 'value="typed"' in page
    assert "23.8" not in page
    assert "Feedback for" not in page
    kind = for_type(CLOZE)
    assert kind.read_response("s1-", {"s1-gap-2": ["x"], "s1-gap-9": [""]}) == {"gaps": {"2": "x"}}


def test_cloze_escapes_vertical_choices_and_plain_braces() -> None:
    source = r"Set {x} then {2:MCV:=a \} b~c \~ d#why \# not} and {:SAC:=Yes}"
    _texts, gaps = tokenize(source)
    assert len(gaps) == 2
    version = version_of(CLOZE, {"text": source})
    first, second = version.definition["gaps"]
    assert [a["text"] for a in first["answers"]] == ["a } b", "c ~ d"]
    assert first["answers"][1]["feedback"] == "why # not"
    assert first["display"] == "vertical"
    assert second["case_sensitive"] is True
    page = rendered(CLOZE, prompt_of(version))
    assert page.count('type="radio"') == 2
    assert "{x}" in page


@pytest.mark.parametrize(
    "source",
    ["No gap here", "Open {1:SA:=never closed", "{1:SA:wrong~also wrong}", "{1:NM:=abc}"],
)
def test_cloze_refuses_broken_sources(source: str) -> None:
    with pytest.raises(Invalid) as refused:
        for_type(CLOZE).validate({"text": source})
    assert (refused.value.field or "").startswith("text")


def test_essay_waits_for_a_teacher_and_shows_markdown_sanitised() -> None:
    version = version_of(ESSAY, {"grader_info": "Look for **three** causes.", "min_words": 10})
    kind = for_type(ESSAY)
    response = kind.read_response("s1-", {"s1-text": ["*Liberty* <script>alert(1)</script>"]})
    assert kind.grade(version, response).fraction is None
    assert word_count(response) == 2
    assert "<strong>three</strong>" in grader_info_html(version)
    q = prompt_of(version)
    review = graded_review(kind.grade(version, response), None)
    page = rendered(ESSAY, q, response=response, readonly=True, review=review)
    assert "<em>Liberty</em>" in page
    assert "<script>" not in page
    assert "Waits for grading." in page
    assert "three" not in rendered(ESSAY, q)
    with pytest.raises(Invalid):
        kind.validate({"min_words": 10, "max_words": 5})

"""True/false and multiple choice: validation, shuffling with stable ids, grading and the
templates a learner sees."""

from decimal import Decimal
from random import Random

import pytest

from app.core.errors import Invalid
from app.quizzes.models import QuestionType
from app.quizzes.questions.types import for_type
from tests.quizzes.helpers import graded_review, prompt_of, rendered, version_of

TF = QuestionType.TRUEFALSE
MC = QuestionType.MULTICHOICE

SINGLE = {
    "single": True,
    "choices": [
        {"id": "a", "text": "Paris", "fraction": 1, "feedback": "Yes, *Paris*."},
        {"id": "b", "text": "Lyon", "fraction": 0, "feedback": "Lyon is second."},
        {"id": "c", "text": "Nice", "fraction": "-0.5", "feedback": ""},
    ],
}
MULTIPLE = {
    "single": False,
    "choices": [
        {"id": "p", "text": "2", "fraction": "0.5"},
        {"id": "q", "text": "3", "fraction": "0.5"},
        {"id": "r", "text": "4", "fraction": "-1"},
        {"id": "s", "text": "9", "fraction": "-0.5"},
    ],
}


def test_truefalse_grades_the_reply_and_gives_its_feedback() -> None:
    version = version_of(
        TF, {"answer": False, "feedback_true": "No: *never*.", "feedback_false": "Right."}
    )
    kind = for_type(TF)
    wrong = kind.grade(version, kind.read_response("s1-", {"s1-answer": ["true"]}))
    right = kind.grade(version, kind.read_response("s1-", {"s1-answer": ["false"]}))
    assert (wrong.fraction, right.fraction) == (Decimal(0), Decimal(1))
    assert "<em>never</em>" in wrong.feedback_html
    assert kind.grade(version, {}).fraction == 0
    assert kind.read_response("s1-", {"s1-answer": ["maybe"]}) == {}
    assert kind.right_answer(version) == "False"


def test_truefalse_refuses_a_statement_without_an_answer() -> None:
    with pytest.raises(Invalid) as refused:
        for_type(TF).validate({"answer": "yes"})
    assert refused.value.field == "answer"


def test_truefalse_template_keeps_the_reply_and_shows_review_in_french() -> None:
    version = version_of(TF, {"answer": True})
    q = prompt_of(version)
    page = rendered(TF, q, response={"answer": True})
    assert 'name="s1-answer" value="true"' in page
    assert "checked" in page.split('value="true"')[1].split(">")[0]
    assert "<legend>" in page
    assert 'for="s1-answer-true"' in page
    review = graded_review(for_type(TF).grade(version, {"answer": True}), "True")
    french = rendered(TF, q, response={"answer": True}, readonly=True, review=review, locale="fr")
    assert "disabled" in french


def test_single_choice_grades_by_choice_id_whatever_the_shown_order() -> None:
    version = version_of(MC, SINGLE)
    orders = {tuple(c["id"] for c in prompt_of(version, seed)["choices"]) for seed in range(20)}
    assert len(orders) > 1  # shuffled
    assert prompt_of(version)["choices"][0] == {"id": "a", "text": "Paris"}  # no rng: as written
    kind = for_type(MC)
    graded = kind.grade(version, kind.read_response("s2-", {"s2-choice": ["a"]}))
    assert graded.fraction == 1
    assert "<em>Paris</em>" in graded.feedback_html
    assert kind.grade(version, {"choices": ["c"]}).fraction == 0  # negative clipped to 0
    assert kind.grade(version, {"choices": ["zzz"]}).fraction == 0
    assert kind.right_answer(version) == "Paris"


def test_shuffle_off_keeps_the_written_order() -> None:
    version = version_of(MC, {**SINGLE, "shuffle": False})
    assert [c["id"] for c in prompt_of(version, 3)["choices"]] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        (["p", "q"], Decimal(1)),
        (["p"], Decimal("0.5")),
        (["p", "q", "s"], Decimal("0.5")),
        (["p", "r"], Decimal(0)),
        (["p", "q", "r", "s"], Decimal(0)),
        ([], Decimal(0)),
    ],
)
def test_multiple_choice_adds_fractions_clipped_to_zero_and_one(
    ticked: list[str], expected: Decimal
) -> None:
    version = version_of(MC, MULTIPLE)
    kind = for_type(MC)
    response = kind.read_response("x-", {"x-choice": ticked})
    assert kind.grade(version, response).fraction == expected


def test_multiple_choice_right_answer_lists_every_right_choice() -> None:
    assert for_type(MC).right_answer(version_of(MC, MULTIPLE)) == "2; 3"


def test_choice_ids_are_given_when_missing() -> None:
    cleaned = for_type(MC).validate(
        {"choices": [{"text": "A", "fraction": 1}, {"text": "B", "fraction": 0}]}
    )
    assert [c["id"] for c in cleaned["choices"]] == ["c1", "c2"]


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({"choices": [{"text": "A", "fraction": 0}, {"text": "B", "fraction": 0}]}, "choices"),
        (
            {"choices": [{"text": "A", "fraction": 2}, {"text": "B", "fraction": 0}]},
            "choices.0.fraction",
        ),
        (
            {"choices": [{"text": "A", "fraction": 1}, {"text": " ", "fraction": 0}]},
            "choices.1.text",
        ),
        ({"choices": [{"text": "A", "fraction": 1}]}, "choices"),
        ({"single": False, "choices": [{"text": "A", "fraction": 0.5}, {"text": "B"}]}, "choices"),
        (
            {"choices": [{"id": "x", "text": "A", "fraction": 1}, {"id": "x", "text": "B"}]},
            "choices.1.id",
        ),
        ({"choices": "A,B"}, "choices"),
        ({"choices": [{"text": "A", "fraction": "NaN"}, {"text": "B"}]}, "choices.0.fraction"),
        ({"choices": [{"text": "A", "fraction": True}, {"text": "B"}]}, "choices.0.fraction"),
    ],
)
def test_multiple_choice_refuses_broken_definitions(
    definition: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        for_type(MC).validate(definition)
    assert refused.value.field == field


def test_multichoice_template_shows_radios_or_checkboxes_with_labels() -> None:
    single = prompt_of(version_of(MC, SINGLE), 1)
    page = rendered(MC, single, response={"choices": ["b"]})
    assert page.count('type="radio"') == 3
    assert 'for="s1-choice-b"' in page
    assert "checked" in page.split('value="b"')[1].split(">")[0]
    multiple = rendered(MC, prompt_of(version_of(MC, MULTIPLE), 1))
    assert multiple.count('type="checkbox"') == 4
    assert "<fieldset" in multiple
    assert "<legend>" in multiple


def test_multichoice_review_shows_feedback_and_right_answer_when_given() -> None:
    version = version_of(MC, SINGLE)
    graded = for_type(MC).grade(version, {"choices": ["b"]})
    page = rendered(
        MC,
        prompt_of(version, 2),
        response={"choices": ["b"]},
        readonly=True,
        review=graded_review(graded, for_type(MC).right_answer(version)),
    )
    assert "Incorrect" in page
    assert "Lyon is second." in page
    assert "The right answer: Paris" in page
    assert "disabled" in page


def test_truefalse_right_answer_is_translated_in_review() -> None:
    version = version_of(TF, {"answer": True})
    page = rendered(
        TF, prompt_of(version), readonly=True, review=graded_review(None, "True"), locale="fr"
    )
    assert "La bonne réponse : Vrai" in page


def test_shuffling_draws_from_the_given_generator_only() -> None:
    version = version_of(MC, SINGLE)
    first = prompt_of(version, 7)
    again = for_type(MC).prompt(version, Random(7))
    assert first == again

"""What a learner is shown before review (the prompt, stored on the attempt, and its page with
`review=None`) never carries a right answer, a fraction, a feedback or the general feedback,
for random valid definitions of every question type. Answers, feedback and fractions are drawn
as distinctive strings, so finding none of them means none was shown."""

import json
from decimal import Decimal
from random import Random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions.types import for_type
from tests.quizzes.helpers import rendered

GENERAL = "GENERALFEEDBACKzq"
LETTERS = "bcdfghjklmnpqrstvwxz"


def word(prefix: str) -> st.SearchStrategy[str]:
    return st.text(LETTERS, min_size=6, max_size=10).map(lambda tail: prefix + tail)


def odd_fraction(low: float, high: float) -> st.SearchStrategy[str]:
    """Fractions with three decimals (none of 0, 1, 0.5) so they cannot match by chance."""
    return (
        st.integers(int(low * 1000), int(high * 1000))
        .filter(lambda n: n % 100 != 0 and n not in (500, -500))
        .map(lambda n: str(Decimal(n) / 1000))
    )


def leaks(
    qtype: QuestionType, definition: dict[str, Any], secrets: list[str], seed: int
) -> list[str]:
    kind = for_type(qtype)
    cleaned = kind.validate(definition)
    version = QuestionVersion(
        qtype=qtype,
        name="SECRETNAMEzq",
        text_html="<p>What?</p>",
        definition=cleaned,
        general_feedback_html=f"<p>{GENERAL}</p>",
    )
    shown = []
    for rng in (None, Random(seed)):
        q = kind.prompt(version, rng)
        shown += [json.dumps(q, ensure_ascii=False), rendered(qtype, q)]
    secrets = [*secrets, GENERAL, "SECRETNAMEzq"]
    found = [secret for secret in secrets for text in shown if secret in text]
    if any('"fraction"' in text or '"feedback"' in text for text in shown):
        found.append("a fraction or feedback key")
    return found


@st.composite
def truefalse(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    yes, no = draw(word("FEEDBACKT")), draw(word("FEEDBACKF"))
    return {"answer": draw(st.booleans()), "feedback_true": yes, "feedback_false": no}, [yes, no]


@st.composite
def multichoice(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    single = draw(st.booleans())
    right = 1 if single else draw(st.integers(1, 4))
    wrong = draw(st.integers(1, 4))
    share = (Decimal(1) / right).quantize(Decimal("0.0000001"))
    fractions = [str(share)] * right
    low = -1.0 if not single else 0.001
    fractions += [draw(odd_fraction(low, -0.001 if not single else 0.999)) for _ in range(wrong)]
    feedback = [draw(word("FEEDBACK")) for _ in fractions]
    choices = [
        {"text": draw(word("CHOICE")), "fraction": f, "feedback": fb}
        for f, fb in zip(fractions, feedback, strict=True)
    ]
    draw(st.randoms()).shuffle(choices)
    odd = [f for f in fractions if len(f) > 3]
    return {"single": single, "choices": choices}, feedback + odd


@st.composite
def shortanswer(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    answers = [{"text": draw(word("RIGHT")), "fraction": 1, "feedback": draw(word("FEEDBACK"))}]
    for _ in range(draw(st.integers(0, 3))):
        answers.append(
            {
                "text": draw(word("PART")),
                "fraction": draw(odd_fraction(0.001, 0.999)),
                "feedback": draw(word("FEEDBACK")),
            }
        )
    secrets = [a["text"] for a in answers] + [a["feedback"] for a in answers]
    secrets += [a["fraction"] for a in answers[1:]]
    return {"case_sensitive": draw(st.booleans()), "answers": answers}, secrets


@st.composite
def numerical(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    value = str(Decimal(draw(st.integers(10_000_000, 99_999_999))) / 1000)
    tolerance = str(Decimal(draw(st.integers(1001, 9999))) / 10_000)
    feedback = draw(word("FEEDBACK"))
    handling = draw(st.sampled_from(["none", "optional", "penalty", "required"]))
    definition = {
        "answers": [{"value": value, "tolerance": tolerance, "fraction": 1, "feedback": feedback}],
        "units": [{"unit": "m", "multiplier": 1}, {"unit": "cm", "multiplier": 100}],
        "unit_handling": handling,
        "unit_penalty": "0.137",
    }
    return definition, [value, tolerance, feedback, "0.137"]


@st.composite
def matching(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    count = draw(st.integers(2, 5))
    pairs = [
        {"id": f"pair{n}", "question": draw(word("STEM")), "answer": draw(word("ANSWER"))}
        for n in range(count)
    ]
    pairs += [
        {"question": "", "answer": draw(word("EXTRA"))} for _ in range(draw(st.integers(0, 2)))
    ]
    # The pairing is the secret: an answer's id must not name its pair.
    return {"pairs": pairs}, []


@st.composite
def cloze(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    pieces, secrets = [], []
    for n in range(draw(st.integers(1, 4))):
        pieces.append(draw(word("Text ")))
        kind = draw(st.sampled_from(["SA", "SAC", "NM", "MC", "MCV", "MCH"]))
        feedback = draw(word("FEEDBACK"))
        secrets.append(feedback)
        if kind in ("SA", "SAC"):
            right = draw(word("RIGHT"))
            secrets.append(right)
            pieces.append(f"{{{n + 1}:{kind}:={right}#{feedback}~*#{draw(word('FEEDBACK'))}}}")
        elif kind == "NM":
            value = str(Decimal(draw(st.integers(10_000_000, 99_999_999))) / 1000)
            secrets.append(value)
            pieces.append(f"{{{n + 1}:NM:={value}:0.5#{feedback}}}")
        else:
            wrong = draw(word("CHOICE"))
            pieces.append(
                f"{{1:{kind}:={draw(word('CHOICE'))}#{feedback}~%37%{wrong}~{draw(word('CHOICE'))}}}"
            )
    return {"text": " ".join(pieces)}, secrets


@st.composite
def essay(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    info = draw(word("GRADERINFO"))
    return {"grader_info": info, "min_words": draw(st.integers(0, 50))}, [info]


STRATEGIES = {
    QuestionType.TRUEFALSE: truefalse(),
    QuestionType.MULTICHOICE: multichoice(),
    QuestionType.SHORTANSWER: shortanswer(),
    QuestionType.NUMERICAL: numerical(),
    QuestionType.MATCHING: matching(),
    QuestionType.CLOZE: cloze(),
    QuestionType.ESSAY: essay(),
}


def test_every_question_type_is_covered() -> None:
    assert set(STRATEGIES) == set(QuestionType)


@settings(max_examples=60, deadline=None)
@given(
    qtype=st.sampled_from(list(QuestionType)),
    data=st.data(),
    seed=st.integers(0, 2**32),
)
def test_no_prompt_or_unreviewed_page_carries_an_answer(
    qtype: QuestionType, data: st.DataObject, seed: int
) -> None:
    definition, secrets = data.draw(STRATEGIES[qtype])
    assert leaks(qtype, definition, secrets, seed) == []


@settings(max_examples=30, deadline=None)
@given(definition=matching(), seed=st.integers(0, 2**32))
def test_matching_answer_ids_do_not_name_their_pairs(
    definition: tuple[dict[str, Any], list[str]], seed: int
) -> None:
    pairs, _ = definition
    kind = for_type(QuestionType.MATCHING)
    version = QuestionVersion(qtype=QuestionType.MATCHING, definition=kind.validate(pairs))
    q = kind.prompt(version, Random(seed))
    stem_ids = {stem["id"] for stem in q["stems"]}
    assert not any(stem_id in answer["id"] for answer in q["answers"] for stem_id in stem_ids)
    assert [a["text"] for a in kind.prompt(version, None)["answers"]] == sorted(
        a["text"] for a in q["answers"]
    )

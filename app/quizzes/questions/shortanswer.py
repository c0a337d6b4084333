"""Short answer: the learner types a word or phrase, compared with the teacher's patterns.

Definition: `{"case_sensitive": false, "answers": [{"text": "Par*s", "fraction": "1",
"feedback": "…"}, …]}`. `*` in a pattern stands for any characters (`\\*` for a star itself);
spaces around the answer and repeated spaces inside it do not count. The first pattern that
matches, in the order written, gives the fraction and the feedback. Response:
`{"answer": "…"}` from the form field `{prefix}answer`."""

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from random import Random
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import N_
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions import _common
from app.quizzes.questions.types import FormValues, Graded, Response, register

MAX_RESPONSE = 500


def _squeeze(value: str) -> str:
    return " ".join(value.split())


def pattern_matches(pattern: str, given: str, *, case_sensitive: bool) -> bool:
    """Whether a response matches a pattern with `*` wildcards (`\\*` a literal star). Read
    piece by piece, leftmost first (never a regular expression, so no pattern can make it
    slow): the first piece starts the response, the last ends it, the others follow in
    order."""
    pieces = [piece.replace("\\*", "*") for piece in re.split(r"(?<!\\)\*", _squeeze(pattern))]
    text = _squeeze(given)
    if not case_sensitive:
        pieces, text = [piece.casefold() for piece in pieces], text.casefold()
    if len(pieces) == 1:
        return text == pieces[0]
    first, *middle, last = pieces
    if not text.startswith(first) or len(text) < len(first) + len(last):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found == -1:
            return False
        position = found + len(piece)
    return text.endswith(last)


def plain_answer(pattern: str) -> str:
    """A pattern as a learner would write it: wildcards dropped, escaped stars kept."""
    pieces = re.split(r"(?<!\\)\*", pattern)
    return "".join(piece.replace("\\*", "*") for piece in pieces).strip()


def clean_answers(raw: Sequence[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    answers = [
        {
            "text": _common.text(item.get("text"), f"{key}.{n}.text", limit=500),
            "fraction": str(
                _common.fraction(item.get("fraction", 0), f"{key}.{n}.fraction", low=Decimal(0))
            ),
            "feedback": _common.text(item.get("feedback"), f"{key}.{n}.feedback", required=False),
        }
        for n, item in enumerate(raw)
    ]
    if not any(Decimal(a["fraction"]) == 1 for a in answers):
        raise Invalid(N_("One answer must be worth the whole mark."), field=key)
    return answers


def first_match(
    answers: Sequence[Mapping[str, Any]], given: str, *, case_sensitive: bool
) -> Mapping[str, Any] | None:
    if not given.strip():
        return None
    for answer in answers:
        if pattern_matches(str(answer["text"]), given, case_sensitive=case_sensitive):
            return answer
    return None


def best_answer(answers: Sequence[Mapping[str, Any]]) -> str:
    best = next((a for a in answers if Decimal(a["fraction"]) == 1), None)
    return plain_answer(str(best["text"])) if best else ""


class ShortAnswer:
    qtype = QuestionType.SHORTANSWER

    def validate(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        definition = _common.require_mapping(definition)
        return {
            "case_sensitive": _common.flag(definition, "case_sensitive", False),
            "answers": clean_answers(_common.items(definition, "answers"), "answers"),
        }

    def prompt(self, version: QuestionVersion, rng: Random | None) -> dict[str, Any]:
        return {"qtype": self.qtype.value, "text_html": version.text_html}

    def read_response(self, prefix: str, form: FormValues) -> Response:
        given = (_common.first(form, f"{prefix}answer") or "").strip()[:MAX_RESPONSE]
        return {"answer": given} if given else {}

    def grade(self, version: QuestionVersion, response: Response) -> Graded:
        given = response.get("answer")
        answers = _answers(version)
        case_sensitive = bool(version.definition.get("case_sensitive"))
        found = (
            first_match(answers, given, case_sensitive=case_sensitive)
            if isinstance(given, str)
            else None
        )
        if found is None:
            return Graded(fraction=Decimal(0), parts=(False,))
        fraction = Decimal(found["fraction"])
        return Graded(
            fraction=fraction,
            feedback_html=_common.feedback_html(str(found["feedback"])),
            parts=(fraction == 1,),
        )

    def right_answer(self, version: QuestionVersion) -> str:
        return best_answer(_answers(version))


def _answers(version: QuestionVersion) -> list[dict[str, Any]]:
    found = version.definition.get("answers")
    return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []


register(ShortAnswer())

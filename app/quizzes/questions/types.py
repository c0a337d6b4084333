"""The contract every question type implements, and the registry of types."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import Any, Protocol

from app.quizzes.models import QuestionType, QuestionVersion

# A form as the pages read it: each field name to the values sent (checkboxes send several).
FormValues = Mapping[str, Sequence[str]]
# A learner's answer to one question, as stored on the attempt (JSON).
Response = dict[str, Any]


@dataclass(frozen=True)
class Graded:
    """The outcome of grading a response: the fraction of the mark earned (None: waits for a
    teacher, as an essay does) and the feedback for what was answered."""

    fraction: Decimal | None
    feedback_html: str = ""
    # Per part of the question (a cloze's gaps, a matching's pairs): right or not.
    parts: tuple[bool, ...] = field(default_factory=tuple)


class QuestionKind(Protocol):
    qtype: QuestionType

    def validate(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        """The definition cleaned, or `Invalid` naming what is wrong."""
        ...

    def prompt(self, version: QuestionVersion, rng: Random | None) -> dict[str, Any]:
        """What the learner is shown: no fraction, no feedback, no right answer. `rng`, when
        given, shuffles choices; the order shown is part of the result so the attempt keeps it."""
        ...

    def read_response(self, prefix: str, form: FormValues) -> Response:
        """The response from the form fields named `{prefix}…`; missing fields mean no answer."""
        ...

    def grade(self, version: QuestionVersion, response: Response) -> Graded: ...

    def right_answer(self, version: QuestionVersion) -> str:
        """The right answer in words, for review once the quiz allows it."""
        ...


_kinds: dict[QuestionType, QuestionKind] = {}


def register(kind: QuestionKind) -> QuestionKind:
    _kinds[kind.qtype] = kind
    return kind


def for_type(qtype: QuestionType) -> QuestionKind:
    return _kinds[qtype]

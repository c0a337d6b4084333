"""Multiple choice, with one right answer (radio buttons) or several (checkboxes).

Definition: `{"single": true, "shuffle": true, "choices": [{"id": "c1", "text": "…",
"fraction": "1", "feedback": "…"}, …]}`. Choice texts are plain text, feedback Markdown.
Choices keep their ids whatever order they are shown in, so a shuffled attempt grades right.
Single: one choice is worth the whole mark (fraction 1). Multiple: the positive fractions add
up to 1, wrong choices may take marks away (negative fractions) and the sum is clipped to
[0, 1]. Response: `{"choices": ["c2", …]}`; the form sends `{prefix}choice` (once per ticked
box)."""

import re
from collections.abc import Mapping
from decimal import Decimal
from random import Random
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import N_
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions import _common
from app.quizzes.questions.types import FormValues, Graded, Response, register

_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def _choice(raw: Mapping[str, Any], position: int, seen: set[str]) -> dict[str, Any]:
    where = f"choices.{position}"
    given = raw.get("id")
    choice_id = given if isinstance(given, str) and given else f"c{position + 1}"
    if not _ID.match(choice_id) or choice_id in seen:
        raise Invalid(N_("Each choice needs its own short id."), field=f"{where}.id")
    seen.add(choice_id)
    return {
        "id": choice_id,
        "text": _common.text(raw.get("text"), f"{where}.text", limit=1000),
        "fraction": str(_common.fraction(raw.get("fraction", 0), f"{where}.fraction")),
        "feedback": _common.text(raw.get("feedback"), f"{where}.feedback", required=False),
    }


def _check_right_answers(single: bool, choices: list[dict[str, Any]]) -> None:
    fractions = [Decimal(choice["fraction"]) for choice in choices]
    if single and max(fractions) != 1:
        raise Invalid(N_("One choice must be worth the whole mark."), field="choices")
    positive = sum((f for f in fractions if f > 0), Decimal(0))
    if not single and abs(positive - 1) > _common.SUM_SLACK:
        raise Invalid(N_("The right choices' fractions must add up to 1."), field="choices")


class MultiChoice:
    qtype = QuestionType.MULTICHOICE

    def validate(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        definition = _common.require_mapping(definition)
        single = _common.flag(definition, "single", True)
        seen: set[str] = set()
        choices = [
            _choice(raw, position, seen)
            for position, raw in enumerate(_common.items(definition, "choices"))
        ]
        if len(choices) < 2:
            raise Invalid(N_("Give at least two choices."), field="choices")
        _check_right_answers(single, choices)
        return {
            "single": single,
            "shuffle": _common.flag(definition, "shuffle", True),
            "choices": choices,
        }

    def prompt(self, version: QuestionVersion, rng: Random | None) -> dict[str, Any]:
        choices = [{"id": c["id"], "text": c["text"]} for c in _choices(version)]
        if rng is not None and version.definition.get("shuffle", True):
            rng.shuffle(choices)
        return {
            "qtype": self.qtype.value,
            "text_html": version.text_html,
            "single": bool(version.definition.get("single", True)),
            "choices": choices,
        }

    def read_response(self, prefix: str, form: FormValues) -> Response:
        given = [value for value in form.get(f"{prefix}choice") or () if _ID.match(value)]
        return {"choices": list(dict.fromkeys(given))} if given else {}

    def grade(self, version: QuestionVersion, response: Response) -> Graded:
        chosen = _chosen(version, response)
        total = sum((Decimal(c["fraction"]) for c in chosen), Decimal(0))
        feedback = "".join(_common.feedback_html(c["feedback"]) for c in chosen)
        parts = tuple(Decimal(c["fraction"]) > 0 for c in chosen)
        return Graded(fraction=_common.clip(total), feedback_html=feedback, parts=parts)

    def right_answer(self, version: QuestionVersion) -> str:
        choices = _choices(version)
        if version.definition.get("single", True):
            right = [c["text"] for c in choices if Decimal(c["fraction"]) == 1]
        else:
            right = [c["text"] for c in choices if Decimal(c["fraction"]) > 0]
        return "; ".join(right)


def _choices(version: QuestionVersion) -> list[dict[str, Any]]:
    found = version.definition.get("choices")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def _chosen(version: QuestionVersion, response: Response) -> list[dict[str, Any]]:
    """The choices the response ticked, in the question's order; one at most when single."""
    given = response.get("choices")
    ids = {value for value in given if isinstance(value, str)} if isinstance(given, list) else set()
    chosen = [c for c in _choices(version) if c["id"] in ids]
    if version.definition.get("single", True):
        return chosen[:1]
    return chosen


register(MultiChoice())

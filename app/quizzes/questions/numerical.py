"""Numerical: a number within a tolerance of an answer, optionally with a unit.

Definition: `{"answers": [{"value": "9.81", "tolerance": "0.05", "fraction": "1",
"feedback": "…"}], "units": [{"unit": "m/s²", "multiplier": "1"}, …], "unit_handling":
"none" | "optional" | "penalty" | "required", "unit_penalty": "0.1"}`. As in Moodle, the
answer is in the first unit (multiplier 1), and a response in another unit is divided by its
multiplier (`981 cm/s²` with multiplier 100). Unit handling: `none` reads the number only;
`optional` accepts a missing unit but no unknown one; `penalty` takes `unit_penalty` off the
fraction when the unit is missing or unknown; `required` gives nothing without a known unit.
The first answer the response falls within, in the order written, counts. A decimal comma is
read as a point. Response: `{"answer": "981 cm/s²"}` from `{prefix}answer`."""

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from random import Random
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import N_
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions import _common
from app.quizzes.questions.types import FormValues, Graded, Response, register

UNIT_HANDLING = ("none", "optional", "penalty", "required")
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")


def read_number(given: str) -> tuple[Decimal, str] | None:
    """The number at the start of a response and what follows it (the unit), or None."""
    found = _NUMBER.match(given)
    if found is None:
        return None
    try:
        value = Decimal(found.group(1).replace(",", "."))
    except InvalidOperation:
        return None
    return (value, found.group(2)) if value.is_finite() else None


def within(value: Decimal, answer: Mapping[str, Any]) -> bool:
    centre, tolerance = Decimal(answer["value"]), Decimal(answer["tolerance"])
    return centre - tolerance <= value <= centre + tolerance


def clean_answers(raw: Sequence[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    answers = []
    for n, item in enumerate(raw):
        tolerance = _common.number(item.get("tolerance", 0), f"{key}.{n}.tolerance")
        if tolerance < 0:
            raise Invalid(N_("A tolerance cannot be negative."), field=f"{key}.{n}.tolerance")
        answers.append(
            {
                "value": str(_common.number(item.get("value"), f"{key}.{n}.value")),
                "tolerance": str(tolerance),
                "fraction": str(
                    _common.fraction(item.get("fraction", 0), f"{key}.{n}.fraction", low=Decimal(0))
                ),
                "feedback": _common.text(
                    item.get("feedback"), f"{key}.{n}.feedback", required=False
                ),
            }
        )
    if not any(Decimal(a["fraction"]) == 1 for a in answers):
        raise Invalid(N_("One answer must be worth the whole mark."), field=key)
    return answers


def _units(definition: Mapping[str, Any]) -> list[dict[str, str]]:
    if "units" not in definition:
        return []
    units = []
    for n, item in enumerate(_common.items(definition, "units")):
        multiplier = _common.number(item.get("multiplier", 1), f"units.{n}.multiplier")
        if multiplier <= 0:
            raise Invalid(N_("A multiplier must be above zero."), field=f"units.{n}.multiplier")
        unit = _common.text(item.get("unit"), f"units.{n}.unit", limit=30)
        units.append({"unit": unit, "multiplier": str(multiplier)})
    if units and Decimal(units[0]["multiplier"]) != 1:
        raise Invalid(N_("The first unit is the answer's: its multiplier is 1."), field="units")
    return units


class Numerical:
    qtype = QuestionType.NUMERICAL

    def validate(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        definition = _common.require_mapping(definition)
        handling = definition.get("unit_handling", "none")
        if handling not in UNIT_HANDLING:
            raise Invalid(N_("Choose how units are handled."), field="unit_handling")
        units = _units(definition)
        if handling != "none" and not units:
            raise Invalid(N_("Give the units the answer may be written in."), field="units")
        penalty = _common.fraction(
            definition.get("unit_penalty", 0), "unit_penalty", low=Decimal(0)
        )
        return {
            "answers": clean_answers(_common.items(definition, "answers"), "answers"),
            "units": units,
            "unit_handling": handling,
            "unit_penalty": str(penalty),
        }

    def prompt(self, version: QuestionVersion, rng: Random | None) -> dict[str, Any]:
        handling = version.definition.get("unit_handling", "none")
        return {
            "qtype": self.qtype.value,
            "text_html": version.text_html,
            "units": handling != "none",
        }

    def read_response(self, prefix: str, form: FormValues) -> Response:
        given = (_common.first(form, f"{prefix}answer") or "").strip()[:100]
        return {"answer": given} if given else {}

    def grade(self, version: QuestionVersion, response: Response) -> Graded:
        given = response.get("answer")
        read = read_number(given) if isinstance(given, str) else None
        if read is None:
            return Graded(fraction=Decimal(0), parts=(False,))
        converted = self._in_answer_unit(version.definition, *read)
        if converted is None:
            return Graded(fraction=Decimal(0), parts=(False,))
        value, penalty = converted
        found = next((a for a in _answers(version) if within(value, a)), None)
        if found is None:
            return Graded(fraction=Decimal(0), parts=(False,))
        fraction = max(Decimal(0), Decimal(found["fraction"]) - penalty)
        return Graded(
            fraction=fraction,
            feedback_html=_common.feedback_html(str(found["feedback"])),
            parts=(fraction == 1,),
        )

    @staticmethod
    def _in_answer_unit(
        definition: Mapping[str, Any], value: Decimal, unit: str
    ) -> tuple[Decimal, Decimal] | None:
        """The value in the answer's unit and the penalty for its unit, None when refused."""
        handling = definition.get("unit_handling", "none")
        if handling == "none":
            return (value, Decimal(0)) if not unit else None
        units = {u["unit"]: Decimal(u["multiplier"]) for u in definition.get("units") or []}
        if unit in units:
            return value / units[unit], Decimal(0)
        if handling == "optional" and not unit:
            return value, Decimal(0)
        if handling == "penalty":
            return value, Decimal(str(definition.get("unit_penalty", 0)))
        return None

    def right_answer(self, version: QuestionVersion) -> str:
        best = next((a for a in _answers(version) if Decimal(a["fraction"]) == 1), None)
        if best is None:
            return ""
        units = version.definition.get("units")
        shown = (
            isinstance(units, list) and units and version.definition.get("unit_handling") != "none"
        )
        unit = str(units[0]["unit"]) if shown and isinstance(units, list) else ""
        return f"{best['value']} {unit}".strip()


def _answers(version: QuestionVersion) -> list[dict[str, Any]]:
    found = version.definition.get("answers")
    return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []


register(Numerical())

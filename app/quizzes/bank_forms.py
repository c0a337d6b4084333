"""The question editor's form without JavaScript: a fixed number of blank rows for choices,
answers, pairs and units (more appear after saving), read into a type's definition, and a
definition written back into the form's fields for editing. Grades are typed in percent."""

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request

from app.quizzes.models import QuestionType

BLANK_ROWS = 3
MIN_ROWS = 6
FormValues = Mapping[str, Sequence[str]]
_ROW_FIELD = re.compile(r"^definition\.(choices|answers|pairs|units)\.(\d+)\.")
ROW_PREFIX = {"choices": "choice", "answers": "answer", "pairs": "pair", "units": "unit"}


async def posted_form(request: Request) -> dict[str, list[str]]:
    """Every field of the posted form with all its values (read on the event loop)."""
    form = await request.form()
    values: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, []).append(value)
    return values


def one(form: FormValues, name: str, default: str = "") -> str:
    values = form.get(name) or ()
    return values[0].strip() if values else default


def _fraction(percent: str) -> str:
    """A percentage typed in the form as a fraction; what is not a number stays as typed, for
    the type to refuse with its message."""
    try:
        return str(Decimal(percent.replace(",", ".") or "0") / 100)
    except InvalidOperation:
        return percent


def _percent(fraction: object) -> str:
    try:
        return format((Decimal(str(fraction)) * 100).normalize(), "f")
    except InvalidOperation:
        return ""


def _rows(form: FormValues, prefix: str, fields: Sequence[str]) -> list[dict[str, str]]:
    """The filled rows `prefix-<n>-<field>`, in order; a row with every field blank is left out."""
    numbers = sorted(
        {int(m.group(1)) for name in form if (m := re.match(rf"^{prefix}-(\d{{1,3}})-", name))}
    )
    rows = []
    for n in numbers:
        row = {f: one(form, f"{prefix}-{n}-{f}") for f in fields}
        if any(row[f] for f in fields if f not in ("id", "grade", "multiplier", "tolerance")):
            rows.append(row)
    return rows


def definition_from_form(qtype: QuestionType, form: FormValues) -> dict[str, Any]:
    if qtype is QuestionType.TRUEFALSE:
        answer = one(form, "answer")
        return {
            "answer": {"true": True, "false": False}.get(answer, answer),
            "feedback_true": one(form, "feedback_true"),
            "feedback_false": one(form, "feedback_false"),
        }
    if qtype is QuestionType.MULTICHOICE:
        rows = _rows(form, "choice", ("id", "text", "grade", "feedback"))
        return {
            "single": one(form, "single", "1") == "1",
            "shuffle": one(form, "shuffle") == "1",
            "choices": [
                {
                    "id": r["id"],
                    "text": r["text"],
                    "fraction": _fraction(r["grade"]),
                    "feedback": r["feedback"],
                }
                for r in rows
            ],
        }
    if qtype is QuestionType.SHORTANSWER:
        rows = _rows(form, "answer", ("text", "grade", "feedback"))
        return {
            "case_sensitive": one(form, "case_sensitive") == "1",
            "answers": [
                {"text": r["text"], "fraction": _fraction(r["grade"]), "feedback": r["feedback"]}
                for r in rows
            ],
        }
    if qtype is QuestionType.NUMERICAL:
        return _numerical(form)
    if qtype is QuestionType.MATCHING:
        rows = _rows(form, "pair", ("id", "question", "answer"))
        return {"shuffle": one(form, "shuffle") == "1", "pairs": rows}
    if qtype is QuestionType.ESSAY:
        return {
            "response_template": one(form, "response_template"),
            "min_words": _whole(one(form, "min_words", "0")),
            "max_words": _whole(one(form, "max_words", "0")),
            "grader_info": one(form, "grader_info"),
        }
    return {}  # cloze: the gaps are in the text


def _whole(value: str) -> int | str:
    return int(value) if value.isdigit() and len(value) < 7 else value or 0


def _numerical(form: FormValues) -> dict[str, Any]:
    answers = _rows(form, "answer", ("value", "tolerance", "grade", "feedback"))
    units = _rows(form, "unit", ("unit", "multiplier"))
    return {
        "answers": [
            {"value": r["value"], "tolerance": r["tolerance"] or "0",
             "fraction": _fraction(r["grade"]), "feedback": r["feedback"]}
            for r in answers
        ],
        "units": [{"unit": r["unit"], "multiplier": r["multiplier"] or "1"} for r in units],
        "unit_handling": one(form, "unit_handling", "none"),
        "unit_penalty": _fraction(one(form, "unit_penalty", "0")),
    }  # fmt: skip


def form_from_definition(qtype: QuestionType, definition: Mapping[str, Any]) -> dict[str, str]:
    """The editor's fields for a saved definition (rows numbered from 0)."""
    values: dict[str, str] = {}
    for key in (
        "feedback_true",
        "feedback_false",
        "response_template",
        "grader_info",
        "unit_handling",
    ):
        if key in definition:
            values[key] = str(definition[key])
    for key in ("min_words", "max_words"):
        if key in definition:
            values[key] = str(definition[key])
    if "answer" in definition and qtype is QuestionType.TRUEFALSE:
        values["answer"] = "true" if definition["answer"] else "false"
    for key in ("single", "shuffle", "case_sensitive"):
        if key in definition:
            values[key] = "1" if definition[key] else "0"
    if "unit_penalty" in definition:
        values["unit_penalty"] = _percent(definition["unit_penalty"])
    for list_key, prefix in ROW_PREFIX.items():
        if qtype is QuestionType.CLOZE:
            break
        for n, item in enumerate(definition.get(list_key) or []):
            for field, value in item.items():
                name = "grade" if field == "fraction" else field
                values[f"{prefix}-{n}-{name}"] = (
                    _percent(value) if field == "fraction" else str(value)
                )
    return values


def row_count(values: Mapping[str, Any], prefix: str) -> int:
    """Rows to show: those filled and three blank ones, six at least."""
    used = {int(m.group(1)) for name in values if (m := re.match(rf"^{prefix}-(\d+)-", name))}
    return max(MIN_ROWS, (max(used) + 1 if used else 0) + BLANK_ROWS)


def form_values(form: FormValues) -> dict[str, str]:
    """A posted form as the editor shows it again (first value of each field)."""
    return {name: one(form, name) for name in form}


def row_of(field: str) -> str | None:
    """The row a refused field of the definition came from (`definition.choices.2.text` is
    the third filled row), as a number from 1 for the message, or None."""
    found = _ROW_FIELD.match(field)
    return str(int(found.group(2)) + 1) if found else None

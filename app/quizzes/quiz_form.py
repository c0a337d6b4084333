"""Reading the quiz settings form: datetime-local fields in the reader's zone, the review
matrix's checkboxes (`review-<moment>` = item) and three overall feedback rows."""

from datetime import datetime
from typing import Any

from fastapi import Request

from app.core.errors import Invalid
from app.core.i18n import N_
from app.quizzes.attempt_models import Quiz, ReviewMoment
from app.webinars.timezones import to_local, to_utc

BAD_TIME = N_("Give a date and time such as 2026-12-01T09:00.")
BANDS = 3
SIMPLE = (
    "time_limit_minutes", "grace_minutes", "on_expiry", "max_attempts", "delay_minutes",
    "grading_method", "questions_per_page", "navigation", "max_grade", "pass_grade",
)  # fmt: skip
FLAGS = ("shuffle_questions", "shuffle_answers", "self_check")


async def posted_form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    values: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, []).append(value)
    return values


def first(values: dict[str, list[str]], name: str) -> str:
    return (values.get(name) or [""])[0].strip()


def local_time(value: str, zone: str, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return to_utc(datetime.fromisoformat(value), zone)
    except ValueError as error:
        raise Invalid(BAD_TIME, field=field) from error


def settings_data(values: dict[str, list[str]], zone: str) -> dict[str, Any]:
    """The form as the `QuizSettings` schema's input (blank numbers: not set)."""
    data: dict[str, Any] = {
        name: first(values, name) for name in SIMPLE if first(values, name) != ""
    }
    for name in ("opens_at", "closes_at"):
        data[name] = local_time(first(values, name), zone, name)
    for name in FLAGS:
        data[name] = first(values, name) == "on"
    data["review"] = {m.value: values.get(f"review-{m.value}", []) for m in ReviewMoment}
    data["feedback_bands"] = [
        {
            "min_percent": first(values, f"band{n}_min") or "0",
            "text": first(values, f"band{n}_text"),
        }
        for n in range(1, BANDS + 1)
        if first(values, f"band{n}_text")
    ]
    return data


def form_of(values: dict[str, list[str]]) -> dict[str, Any]:
    """What the form shows again after a refusal."""
    shown: dict[str, Any] = {name: first(values, name) for name in values}
    shown["review"] = {m.value: values.get(f"review-{m.value}", []) for m in ReviewMoment}
    return shown


def _local_input(moment: datetime | None, zone: str) -> str:
    return to_local(moment, zone).strftime("%Y-%m-%dT%H:%M") if moment else ""


def form_from_quiz(quiz: Quiz, zone: str) -> dict[str, Any]:
    """The settings form filled from the quiz, times in the reader's zone."""
    shown: dict[str, Any] = {
        name: "" if getattr(quiz, name) is None else str(getattr(quiz, name)) for name in SIMPLE
    }
    shown.update({name: "on" if getattr(quiz, name) else "" for name in FLAGS})
    shown["opens_at"] = _local_input(quiz.opens_at, zone)
    shown["closes_at"] = _local_input(quiz.closes_at, zone)
    shown["review"] = dict(quiz.review or {})
    for n, band in enumerate(quiz.feedback_bands or [], start=1):
        shown[f"band{n}_min"] = str(band.get("min_percent", ""))
        shown[f"band{n}_text"] = str(band.get("text", ""))
    return shown

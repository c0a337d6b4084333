"""Teachers' quiz pages: a quiz module's settings with its questions and overrides, regrading,
and every learner's attempts. Each form calls the same service functions as the API."""

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.quizzes import policy
from app.quizzes.attempt_models import (
    ExpiryAction,
    GradingMethod,
    Navigation,
    ReviewItem,
    ReviewMoment,
)
from app.quizzes.quiz_form import (
    first,
    form_from_quiz,
    form_of,
    local_time,
    posted_form,
    settings_data,
)
from app.quizzes.quiz_schemas import OverrideCreate, QuizSettings, SlotAdd, SlotUpdate
from app.quizzes.service import marking, overrides, quizzes, regrade, slots

router = page_router()
Values = Annotated[dict[str, list[str]], Depends(posted_form)]
Field = Annotated[str, Form(max_length=200)]


def _settings_page(
    request: Request, session: SessionDep, actor: Actor, user: User, module_id: int,
    form: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    access = quizzes.quiz_of_module(session, actor, module_id)
    quiz = access.quiz
    questions, categories = slots.bank_choices(session, quiz.course_id)
    context = {
        "quiz": quiz,
        "module": access.module,
        "course": access.course,
        "form": form or form_from_quiz(quiz, user.time_zone),
        "errors": errors or {},
        "slots": slots.list_slots(session, actor, quiz.id)[1],
        "questions": questions,
        "question_names": dict(questions),
        "categories": categories,
        "overrides": overrides.list_overrides(session, actor, quiz.id),
        "targets": overrides.override_targets(session, quiz.course_id),
        "moments": [m.value for m in ReviewMoment],
        "items": [i.value for i in ReviewItem],
        "expiry_actions": [a.value for a in ExpiryAction],
        "grading_methods": [g.value for g in GradingMethod],
        "navigations": [n.value for n in Navigation],
    }
    return render(request, "quizzes/quiz_settings.html", context, 400 if errors else status)


@router.get("/modules/{module_id}/quiz")
def settings_page(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser, module_id: Id
) -> Response:
    return _settings_page(request, session, actor, user, module_id)


@router.post("/modules/{module_id}/quiz")
def save_settings(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser, module_id: Id,
    values: Values,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        data = QuizSettings.model_validate(settings_data(values, user.time_zone))
        quizzes.update_quiz(session, actor, module_id, data)
    if attempt.refused:
        return _settings_page(
            request, session, actor, user, module_id, form_of(values), attempt.errors
        )
    return see_other(f"/modules/{module_id}/quiz?saved=1")


def _module_of(session: SessionDep, actor: Actor, quiz_id: int) -> int:
    return quizzes.managed_quiz(session, actor, quiz_id).quiz.module_id


def _blank_none(value: str) -> str | None:
    return value.strip() or None


@router.post("/quizzes/{quiz_id}/questions")
def add_questions(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser, quiz_id: Id,
    question_id: Field = "", category_id: Field = "", count: Field = "1", mark: Field = "",
    include_subcategories: Field = "",
) -> Response:  # fmt: skip
    module_id = _module_of(session, actor, quiz_id)
    raw = {
        "question_id": _blank_none(question_id), "category_id": _blank_none(category_id),
        "count": count or "1", "mark": _blank_none(mark),
        "include_subcategories": include_subcategories == "on",
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        slots.add_slots(session, actor, quiz_id, SlotAdd.model_validate(raw))
    if attempt.refused:
        return _settings_page(request, session, actor, user, module_id, None, attempt.errors)
    return see_other(f"/modules/{module_id}/quiz#questions")


@router.post("/quiz-slots/{slot_id}")
def update_slot(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser, slot_id: Id,
    mark: Field = "", page: Field = "", position: Field = "", delete: Field = "",
) -> Response:  # fmt: skip
    quiz_id = slots.slot_quiz_id(session, actor, slot_id)
    with attempt_form(request, session) as attempt:
        if delete:
            slots.remove_slot(session, actor, slot_id)
        else:
            data = {
                "mark": _blank_none(mark),
                "page": _blank_none(page),
                "position": _blank_none(position),
            }
            slots.update_slot(session, actor, slot_id, SlotUpdate.model_validate(data))
    module_id = _module_of(session, actor, quiz_id)
    if attempt.refused:
        return _settings_page(request, session, actor, user, module_id, None, attempt.errors)
    return see_other(f"/modules/{module_id}/quiz#questions")


@router.get("/quizzes/{quiz_id}/overrides")
def overrides_page(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, quiz_id: Id
) -> Response:
    """The overrides are listed and added on the quiz's settings page."""
    return see_other(f"/modules/{_module_of(session, actor, quiz_id)}/quiz#overrides")


@router.post("/quizzes/{quiz_id}/overrides")
def add_override(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser, quiz_id: Id,
    values: Values,
) -> Response:  # fmt: skip
    module_id = _module_of(session, actor, quiz_id)
    zone = user.time_zone
    with attempt_form(request, session) as attempt:
        kind, _, number = first(values, "who").partition("-")
        data = {
            "group_id" if kind == "group" else "user_id": number or None,
            "opens_at": local_time(first(values, "opens_at"), zone, "opens_at"),
            "closes_at": local_time(first(values, "closes_at"), zone, "closes_at"),
            "time_limit_minutes": first(values, "time_limit_minutes") or None,
            "max_attempts": first(values, "max_attempts") or None,
        }
        overrides.add_override(session, actor, quiz_id, OverrideCreate.model_validate(data))
    if attempt.refused:
        return _settings_page(request, session, actor, user, module_id, None, attempt.errors)
    return see_other(f"/modules/{module_id}/quiz#overrides")


@router.post("/quiz-overrides/{override_id}/delete")
def delete_override(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, override_id: Id
) -> Response:
    quiz_id = overrides.delete_override(session, actor, override_id)
    return see_other(f"/modules/{_module_of(session, actor, quiz_id)}/quiz#overrides")


@router.post("/quizzes/{quiz_id}/regrade")
def regrade_quiz(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, quiz_id: Id,
    to_latest: Field = "",
) -> Response:  # fmt: skip
    done = regrade.regrade(session, actor, quiz_id, to_latest=to_latest == "on")
    return see_other(f"/quizzes/{quiz_id}/results?regraded={done.attempts}&changed={done.changed}")


@router.get("/quizzes/{quiz_id}/results")
def results_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, quiz_id: Id
) -> Response:
    access, rows = marking.results(session, actor, quiz_id)
    context = {"quiz": access.quiz, "module": access.module,
        "course": access.course, "rows": rows,
               "can_manage": policy.can_manage_quiz(actor, access.roles)}  # fmt: skip
    return render(request, "quizzes/quiz_results.html", context)

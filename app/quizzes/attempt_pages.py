"""A learner's attempt as pages that work without JavaScript: start (or resume), one page of
questions at a time with the time left as text, a summary, submit, and the review; a grader's
manual mark for a question."""

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.errors import Conflict
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.quizzes import policy
from app.quizzes.quiz_schemas import ManualGrade
from app.quizzes.service import answering, marking, showing
from app.quizzes.service.attempts import start
from app.quizzes.service.showing import Shown
from app.quizzes.service.timing import seconds_left

router = page_router()
FIELD = re.compile(r"^s(\d{1,4})-(.+)$")


@dataclass
class PageForm:
    """The posted page: each slot's fields (prefix `s<position>-` removed), where to go, and
    the question to check (self-check quizzes)."""

    page: int = 1
    go: str = "next"
    check: int | None = None
    answers: dict[int, dict[str, list[str]]] = field(default_factory=dict)


def _int(value: object, default: int | None) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) < 5:
        return int(value)
    return default


async def page_form(request: Request) -> PageForm:
    """Read on the event loop; the service checks the values."""
    form = await request.form()
    posted = PageForm(page=_int(form.get("page"), 1) or 1)
    go = form.get("go")
    posted.go = go if isinstance(go, str) else "next"
    if posted.go.startswith("check-"):
        posted.check = _int(posted.go.removeprefix("check-"), None)
        posted.go = "check"
    for name, value in form.multi_items():
        found = FIELD.match(name)
        if found and isinstance(value, str):
            fields = posted.answers.setdefault(int(found.group(1)), {})
            fields.setdefault(found.group(2), []).append(value)
    return posted


@router.post("/quizzes/{quiz_id}/attempts")
def start_attempt(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, quiz_id: Id
) -> Response:
    with attempt_form(request, session, (Conflict,)) as attempt:
        started, _ = start(session, actor, quiz_id)
    if attempt.refused:
        return render(request, "quizzes/attempt_refused.html", {"message": attempt.message}, 409)
    return see_other(f"/attempts/{started.id}?page={started.current_page}")


def _attempt_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    attempt_id: int,
    page: int,
    message: str = "",
) -> Response:
    shown = showing.answering(session, actor, attempt_id)
    if shown.view.attempt.state.value in ("finished", "abandoned"):
        return see_other(f"/attempts/{attempt_id}/review")
    if page == 0:
        return _summary(request, shown, message)
    answering.check_page(shown.view, page)
    context = {
        "shown": shown,
        "quiz": shown.view.access.quiz,
        "module": shown.view.access.module,
        "course": shown.view.access.course,
        "attempt": shown.view.attempt,
        "page": page,
        "on_page": [item for item in shown.slots if item.slot.page == page],
        "seconds_left": seconds_left(shown.view.attempt, shown.view.now),
        "message": message,
    }
    return render(request, "quizzes/attempt.html", context, 409 if message else 200)


def _summary(request: Request, shown: Shown, message: str = "") -> Response:
    context = {
        "shown": shown,
        "quiz": shown.view.access.quiz,
        "module": shown.view.access.module,
        "course": shown.view.access.course,
        "attempt": shown.view.attempt,
        "seconds_left": seconds_left(shown.view.attempt, shown.view.now),
        "message": message,
    }
    return render(request, "quizzes/attempt_summary.html", context, 409 if message else 200)


@router.get("/attempts/{attempt_id}")
def attempt_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, attempt_id: Id,
    page: int = 1,
) -> Response:  # fmt: skip
    """`page=0` is the summary before submitting."""
    with attempt_form(request, session, (Conflict,)) as attempt:
        return _attempt_page(
            request, session, actor, attempt_id, max(page, 0) if page < 10000 else 1
        )
    return render(request, "quizzes/attempt_refused.html", {"message": attempt.message}, 409)


def _target(posted: PageForm, pages: int) -> int:
    if posted.go == "previous":
        return max(1, posted.page - 1)
    if posted.go == "summary" or (posted.go == "next" and posted.page >= pages):
        return 0
    if posted.go.isdigit() and len(posted.go) < 5:
        return int(posted.go)
    return posted.page if posted.go == "check" else posted.page + 1


@router.post("/attempts/{attempt_id}")
def save_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, attempt_id: Id,
    posted: Annotated[PageForm, Depends(page_form)],
) -> Response:  # fmt: skip
    """Save the page's answers, then go to the next, previous or summary page."""
    check = posted.check if posted.go == "check" else None
    with attempt_form(request, session, (Conflict,)) as attempt:
        saved = answering.save_page(
            session, actor, attempt_id, posted.page, posted.answers,
            next_page=lambda pages: _target(posted, pages) or None, check=check,
        )  # fmt: skip
    if attempt.refused:
        return _attempt_page(
            request,
            session,
            actor,
            attempt_id,
            0 if attempt.code == "attempt_time_up" else posted.page,
            attempt.message,
        )
    anchor = f"#q{check}" if check else ""
    return see_other(f"/attempts/{attempt_id}?page={_target(posted, saved.pages)}{anchor}")


@router.post("/attempts/{attempt_id}/submit")
def submit(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, attempt_id: Id
) -> Response:
    with attempt_form(request, session, (Conflict,)) as attempt:
        answering.submit(session, actor, attempt_id)
    if attempt.refused:
        return render(request, "quizzes/attempt_refused.html", {"message": attempt.message}, 409)
    return see_other(f"/attempts/{attempt_id}/review")


@router.get("/attempts/{attempt_id}/review")
def review(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, attempt_id: Id
) -> Response:
    with attempt_form(request, session, (Conflict,)) as attempt:
        shown = showing.reviewing(session, actor, attempt_id)
    if attempt.refused:
        return see_other(f"/attempts/{attempt_id}")
    context = {
        "shown": shown,
        "quiz": shown.view.access.quiz,
        "module": shown.view.access.module,
        "course": shown.view.access.course,
        "attempt": shown.view.attempt,
        "can_grade": policy.can_grade_attempts(actor, shown.view.access.roles),
    }
    return render(request, "quizzes/review.html", context)


def _grade_page(
    request: Request, session: SessionDep, actor: Actor, attempt_id: int, slot: int,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    view, found = marking.slot_to_grade(session, actor, attempt_id, slot)
    shown = showing.reviewing(session, actor, attempt_id)
    item = next(item for item in shown.slots if item.slot.id == found.id)
    context = {
        "attempt": view.attempt, "item": item, "quiz": view.access.quiz,
        "module": view.access.module,
        "course": view.access.course, "form": form or {}, "errors": errors or {},
    }  # fmt: skip
    return render(request, "quizzes/review_grade.html", context, 400 if errors else 200)


@router.get("/attempts/{attempt_id}/slots/{slot}/grade")
def grade_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    attempt_id: Id, slot: Id,
) -> Response:  # fmt: skip
    return _grade_page(request, session, actor, attempt_id, slot)


@router.post("/attempts/{attempt_id}/slots/{slot}/grade")
def grade_slot(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    attempt_id: Id, slot: Id,
    mark: Annotated[str, Form(max_length=20)] = "",
    comment: Annotated[str, Form(max_length=10000)] = "",
) -> Response:  # fmt: skip
    form = {"mark": mark, "comment": comment}
    with attempt_form(request, session) as attempt:
        marking.grade_by_hand(session, actor, attempt_id, slot, ManualGrade.model_validate(form))
    if attempt.refused:
        return _grade_page(request, session, actor, attempt_id, slot, form, attempt.errors)
    return see_other(f"/attempts/{attempt_id}/review")

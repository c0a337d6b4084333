"""The respondent's pages: a survey's first page, one page per section (the answers of the
earlier sections travel in hidden fields, so no JavaScript and no draft is stored), and a
thank-you page; the same through a public link, where a browser that has answered is
remembered by a cookie."""

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.db import SessionDep
from app.core.errors import Conflict, NotFound
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.security import token_digest
from app.core.web import render, see_other
from app.surveys.service import access, responding
from app.surveys.service.access import Answering
from app.surveys.service.building import outline_of

router = page_router()
ANSWERED_COOKIE = "survey_answered_{id}"
YEAR = 365 * 24 * 3600


async def _answers(request: Request) -> dict[int, list[str]]:
    """The form's answers by question id: every `q<id>` field, each with all its values."""
    form = await request.form()
    found: dict[int, list[str]] = {}
    for name in form:
        if name.startswith("q") and name[1:].isdigit() and len(name) < 12:
            found[int(name[1:])] = [str(value) for value in form.getlist(name)]
    return found


def _carried(step: responding.Step, answers: Mapping[int, list[str]]) -> list[tuple[str, str]]:
    """The answers of the other sections, as hidden fields of this one's form."""
    here = {question.id for question in step.section_questions}
    return [
        (f"q{question_id}", value)
        for question_id, values in answers.items()
        if question_id not in here
        for value in values
    ]


def _step_page(
    request: Request, answering: Answering, step: responding.Step, action: str,
    answers: Mapping[int, list[str]], errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    context: dict[str, Any] = {
        "survey": answering.survey, "step": step, "action": action,
        "answers": answers, "carried": _carried(step, answers), "errors": errors or {},
    }  # fmt: skip
    return render(request, "surveys/respond.html", context, status)


def _step_number(request: Request, default: int = 1) -> int:
    raw = request.query_params.get("step", "")
    return int(raw) if raw.isdigit() and len(raw) < 4 else default


@router.get("/surveys/{survey_id}")
def survey_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, survey_id: Id
) -> Response:
    """Where a notification leads: the first page for a respondent, the builder for its
    builders."""
    try:
        answering = access.survey_to_answer(session, actor, survey_id, for_answer=False)
    except NotFound:
        access.survey_to_manage(session, actor, survey_id)
        return see_other(f"/surveys/{survey_id}/build")
    context = {"survey": answering.survey, "invitation": answering.invitation,
               "answerable": responding.is_answerable(answering.survey),
               "action": f"/surveys/{survey_id}/respond"}  # fmt: skip
    return render(request, "surveys/intro.html", context)


@router.get("/surveys/{survey_id}/respond")
def first_step(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, survey_id: Id
) -> Response:
    answering = access.survey_to_answer(session, actor, survey_id)
    step = responding.step_of(outline_of(session, answering.survey), {}, 1)
    return _step_page(request, answering, step, f"/surveys/{survey_id}/respond", {})


async def _answer_step(
    request: Request, session: SessionDep, answering: Answering, action: str,
    submit: Any,
) -> tuple[Response | None, dict[int, list[str]]]:  # fmt: skip
    """Check the section just answered: show it again with the message, show the next one,
    or (after the last) store the response with `submit`; None once stored."""
    answers = await _answers(request)
    outline = outline_of(session, answering.survey)
    number = _step_number(request)
    with attempt_form(request, session) as attempt:
        step = responding.step_of(outline, answers, number, check_current=True)
        if step.last:
            submit(answers)
    if isinstance(attempt.error, Conflict):  # answered meanwhile, or closed
        context = {"survey": answering.survey, "message": attempt.error.detail}
        return render(request, "surveys/closed.html", context, 409), answers
    if attempt.refused:
        shown = responding.step_of(outline, answers, number, lenient=True)
        return _step_page(request, answering, shown, action, answers, attempt.errors, 400), answers
    if not step.last:
        following = responding.step_of(outline, answers, number + 1)
        return _step_page(request, answering, following, action, answers), answers
    return None, answers


@router.post("/surveys/{survey_id}/respond")
async def answer_step(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, survey_id: Id
) -> Response:
    answering = access.survey_to_answer(session, actor, survey_id)
    action = f"/surveys/{survey_id}/respond"

    def submit(answers: dict[int, list[str]]) -> None:
        responding.submit(session, actor, survey_id, answers)

    page, _ = await _answer_step(request, session, answering, action, submit)
    return page or see_other(f"/surveys/{survey_id}/thanks")


@router.get("/surveys/{survey_id}/thanks")
def thanks(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, survey_id: Id
) -> Response:
    answering = access.survey_to_answer(session, actor, survey_id, for_answer=False)
    return render(request, "surveys/thanks.html", {"survey": answering.survey})


# --- public links --------------------------------------------------------------------------


def _answered_here(request: Request, answering: Answering) -> bool:
    return request.cookies.get(ANSWERED_COOKIE.format(id=answering.survey.id)) == "1"


def _by_link(session: SessionDep, actor: PortalActor, secret: str) -> Answering:
    if len(secret) > 100:
        raise access.NoSuchSurvey()
    return access.survey_by_link(session, actor, token_digest(secret), for_answer=False)


@router.get("/s/{secret}")
def public_first_step(
    request: Request, session: SessionDep, actor: PortalActor, secret: str
) -> Response:
    answering = _by_link(session, actor, secret)
    try:
        access.survey_by_link(session, actor, token_digest(secret))
        if answering.invitation is None and _answered_here(request, answering):
            raise access.AlreadyResponded()
    except Conflict as refusal:
        context = {"survey": answering.survey, "message": refusal.detail}
        return render(request, "surveys/closed.html", context, 409)
    step = responding.step_of(outline_of(session, answering.survey), {}, 1)
    return _step_page(request, answering, step, f"/s/{secret}", {})


@router.post("/s/{secret}")
async def public_answer_step(
    request: Request, session: SessionDep, actor: PortalActor, secret: str
) -> Response:
    answering = _by_link(session, actor, secret)
    here = _answered_here(request, answering)

    def submit(answers: dict[int, list[str]]) -> None:
        responding.submit_by_link(session, actor, secret, answers, answered_in_browser=here)

    page, _ = await _answer_step(request, session, answering, f"/s/{secret}", submit)
    if page is not None:
        return page
    done = see_other(f"/s/{secret}/thanks")
    done.set_cookie(
        ANSWERED_COOKIE.format(id=answering.survey.id), "1", max_age=YEAR, path="/s/",
        httponly=True, samesite="lax", secure=request.url.scheme == "https",
    )  # fmt: skip
    return done


@router.get("/s/{secret}/thanks")
def public_thanks(
    request: Request, session: SessionDep, actor: PortalActor, secret: str
) -> Response:
    answering = _by_link(session, actor, secret)
    return render(request, "surveys/thanks.html", {"survey": answering.survey})


routers = [router]

"""Recognition pages. The learner's `/me/credits/recognition`: their applications, a new one,
the draft's courses, experience and evidence, submit and withdraw, and the decision with its
reasons. Registrars' `/admin/credits/recognition` and the jury's `/credits/recognition/jury`
list what they keep or sit on; `/credits/recognition/{id}` is where a registrar names the jury
and the chair (or a registrar) records the decision. A refused form is shown again with its
message and writes nothing."""

from typing import Annotated, Any

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import StringConstraints
from sqlalchemy import select

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.downloads import stored_file_response
from app.core.forms import FormAttempt, attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.storage import storage_for
from app.core.web import render, see_other
from app.credits.recognition_models import ApplicationStatus, Outcome
from app.credits.recognition_schemas import ApplicationUpdate
from app.credits.service import (
    recognition,
    recognition_decision,
    recognition_decision_rows,
    recognition_evidence,
    recognition_jury,
    recognition_lists,
)
from app.credits.service.recognition import ApplicationView
from app.credits.service.recognition_lists import Listing

router = page_router()
Cursor = Annotated[str | None, Query(max_length=40)]
Short = Annotated[str, StringConstraints(max_length=4000)]
Texts = Annotated[list[Short], Form()]
MINE = "/me/credits/recognition"
JURY_ROWS = 5
PAGE_SIZE = 50


STATUS_NAMES = {
    "draft": N_("Draft (not submitted)"),
    "submitted": N_("Submitted"),
    "under_review": N_("Under review by the jury"),
    "decided": N_("Decided"),
    "withdrawn": N_("Withdrawn"),
}
OUTCOME_NAMES = {
    "full": N_("Granted in full"),
    "partial": N_("Granted in part"),
    "refused": N_("Refused"),
}
HEADINGS = {
    Listing.REGISTRAR: N_("Recognition applications"),
    Listing.JURY: N_("Applications I sit on as a jury member"),
}


def _render(request: Request, template: str, context: dict[str, Any], status: int) -> Response:
    names = {"status_names": STATUS_NAMES, "outcome_names": OUTCOME_NAMES}
    return render(request, f"credits/{template}", {**names, **context}, status)


def _status(attempt: FormAttempt) -> int:
    return 409 if attempt.code in ("already_credited", "already_requested") else 400


@router.get(MINE)
def my_applications(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    cursor: Cursor = None,
) -> Response:  # fmt: skip
    return _mine_page(request, session, actor, cursor=cursor)


def _mine_page(
    request: Request, session: SessionDep, actor: Actor, *, cursor: str | None = None,
    errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    rows, next_cursor = recognition_lists.applications(
        session, actor, Listing.MINE, cursor, PAGE_SIZE
    )
    context = {
        "applications": rows, "next_cursor": next_cursor, "errors": errors or {},
        "programmes": recognition.enrolled_programmes(session, actor),
    }  # fmt: skip
    return _render(request, "recognition_mine.html", context, status)


@router.post(MINE)
def file_application(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    programme_id: Annotated[Id, Form()],
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        view = recognition.create(session, actor, programme_id, [], "")
    if attempt.refused:
        return _mine_page(request, session, actor, errors=attempt.errors, status=_status(attempt))
    return see_other(f"{MINE}/{view.application.id}?created=1")


def _application_page(
    request: Request, session: SessionDep, actor: Actor, application_id: int,
    errors: dict[str, str] | None = None, posted: dict[str, Any] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    view = recognition.learners_view(session, actor, application_id)
    application = view.application
    context = {
        "view": view, "application": application, "errors": errors or {},
        "chosen": set(posted["course_ids"]) if posted else {
            r.course_id for r in application.requests
        },
        "experience": posted["experience"] if posted else application.experience_markdown,
        "editable": application.status is ApplicationStatus.DRAFT,
        "open": application.status in recognition.OPEN,
    }  # fmt: skip
    return _render(request, "recognition_application.html", context, status)


@router.get(MINE + "/{application_id}")
def my_application(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    application_id: Id,
) -> Response:  # fmt: skip
    return _application_page(request, session, actor, application_id)


@router.post(MINE + "/{application_id}")
def save_application(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    application_id: Id, course_ids: Annotated[list[Id] | None, Form()] = None,
    experience: Annotated[str, Form(max_length=50000)] = "",
) -> Response:  # fmt: skip
    chosen = course_ids or []
    with attempt_form(request, session) as attempt:
        data = ApplicationUpdate(course_ids=chosen, experience_markdown=experience)
        recognition.update(
            session, actor, application_id, data.course_ids, data.experience_markdown
        )
    if attempt.refused:
        posted = {"course_ids": chosen, "experience": experience}
        return _application_page(
            request, session, actor, application_id, attempt.errors, posted, _status(attempt)
        )
    return see_other(f"{MINE}/{application_id}?saved=1")


def _learner_action(
    request: Request, session: SessionDep, actor: Actor, application_id: int,
    attempt: FormAttempt, done: str,
) -> Response:  # fmt: skip
    if attempt.refused:
        return _application_page(
            request, session, actor, application_id, attempt.errors, status=_status(attempt)
        )
    return see_other(f"{MINE}/{application_id}?{done}=1")


@router.post(MINE + "/{application_id}/evidence")
def add_evidence(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, application_id: Id, file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        recognition_evidence.add_evidence(
            session, actor, settings, application_id, file.file, file.filename or "file"
        )
    return _learner_action(request, session, actor, application_id, attempt, "uploaded")


@router.post(MINE + "/{application_id}/evidence/{evidence_id}/delete")
def remove_evidence(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    application_id: Id, evidence_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        recognition_evidence.remove_evidence(session, actor, application_id, evidence_id)
    return _learner_action(request, session, actor, application_id, attempt, "removed")


@router.post(MINE + "/{application_id}/submit")
def submit_application(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    application_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        recognition.submit(session, actor, application_id)
    return _learner_action(request, session, actor, application_id, attempt, "submitted")


@router.post(MINE + "/{application_id}/withdraw")
def withdraw_application(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    application_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        recognition.withdraw(session, actor, application_id)
    return _learner_action(request, session, actor, application_id, attempt, "withdrawn")


@router.post(MINE + "/{application_id}/delete")
def delete_draft(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    application_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        recognition.delete(session, actor, application_id)
    if attempt.refused:
        return _application_page(
            request, session, actor, application_id, attempt.errors, status=_status(attempt)
        )
    return see_other(f"{MINE}?deleted=1")


@router.get("/credits/recognition/{application_id}/evidence/{evidence_id}")
def evidence_file(
    session: SessionDep, actor: PortalActor, settings: SettingsDep, _user: CurrentUser,
    application_id: Id, evidence_id: Id,
) -> StreamingResponse:  # fmt: skip
    found = recognition_evidence.evidence_file(session, actor, application_id, evidence_id)
    content = found.content
    return stored_file_response(
        storage_for(settings), content.sha256, found.name, content.media_type, content.size
    )


def _list_page(
    request: Request, session: SessionDep, actor: Actor, listing: Listing, cursor: str | None
) -> Response:
    rows, next_cursor = recognition_lists.applications(session, actor, listing, cursor, PAGE_SIZE)
    context = {"applications": rows, "next_cursor": next_cursor, "heading": HEADINGS[listing]}
    return _render(request, "recognition_list.html", context, 200)


@router.get("/admin/credits/recognition")
def registrar_list(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    cursor: Cursor = None,
) -> Response:  # fmt: skip
    return _list_page(request, session, actor, Listing.REGISTRAR, cursor)


@router.get("/credits/recognition/jury")
def jury_list(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    cursor: Cursor = None,
) -> Response:  # fmt: skip
    return _list_page(request, session, actor, Listing.JURY, cursor)


def _review_page(
    request: Request, session: SessionDep, actor: Actor, application_id: int,
    errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    view = recognition.application_view(session, actor, application_id)
    context = {
        "view": view, "application": view.application, "errors": errors or {},
        "outcomes": [o.value for o in Outcome], **_jury(session, view),
        "reviewing": view.application.status is ApplicationStatus.UNDER_REVIEW,
    }  # fmt: skip
    return _render(request, "recognition_review.html", context, status)


def _jury(session: SessionDep, view: ApplicationView) -> dict[str, Any]:
    """The members named so far (name, chair), and the jury form's rows: their e-mail and
    chair, then blanks."""
    seats = view.application.jury
    found = session.scalars(select(User).where(User.id.in_([m.user_id for m in seats])))
    people = {user.id: user for user in found}
    named = [(people[m.user_id], m.is_chair) for m in seats if m.user_id in people]
    rows = [(user.email, chair) for user, chair in named]
    return {
        "jury_named": [(user.display_name, chair) for user, chair in named],
        "jury_rows": rows + [("", False)] * max(0, JURY_ROWS - len(rows)),
    }


@router.get("/credits/recognition/{application_id}")
def review(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    application_id: Id,
) -> Response:  # fmt: skip
    return _review_page(request, session, actor, application_id)


@router.post("/credits/recognition/{application_id}/jury")
def name_jury(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    application_id: Id, member_email: Texts, chair: Annotated[int, Form(ge=0, le=20)] = 0,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        members = recognition_jury.members_by_email(session, member_email, chair)
        recognition_jury.name_jury(session, actor, application_id, members)
    if attempt.refused:
        return _review_page(request, session, actor, application_id, attempt.errors, 400)
    return see_other(f"/credits/recognition/{application_id}?jury=1")


@router.post("/credits/recognition/{application_id}/decision")
def record_decision(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, application_id: Id, course_id: Annotated[list[Id], Form()],
    outcome: Texts, credits: Texts, remaining: Texts, reason: Texts,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        items = recognition_decision_rows.items_from_rows(
            course_id, outcome, credits, remaining, reason
        )
        recognition_decision.decide(session, actor, settings, application_id, items)
    if attempt.refused:
        return _review_page(
            request, session, actor, application_id, attempt.errors, _status(attempt)
        )
    return see_other(f"/credits/recognition/{application_id}?decided=1")

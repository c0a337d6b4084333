"""The jury's pages: the jury of an assignment (members, chair, who marks what, defence slots),
a member's own mark of a submission, and the chair's final grade and release. Each form calls
the same service functions as the API."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response, StreamingResponse

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.assignments import policy
from app.assignments.jury_schemas import (
    DefenceInput,
    JuryFinalInput,
    JuryMarkInput,
    JuryMemberCreate,
)
from app.assignments.local_times import WHEN_REFUSED
from app.assignments.service import (
    defences,
    examiners,
    jury,
    jury_final,
    jury_marks,
    jury_overview,
)
from app.core.db import SessionDep
from app.core.downloads import stored_file_response
from app.core.errors import Invalid
from app.core.forms import attempt_form
from app.core.i18n import LANGUAGE_NAMES
from app.core.inputs import Id
from app.core.storage import storage_for
from app.core.web import render, see_other

router = page_router()
Text = Annotated[str, Form(max_length=20000)]
Ids = Annotated[list[Id], Form()]


def _jury_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    assignment_id: int,
    form: Mapping[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    found = jury_overview.overview(session, actor, assignment_id)
    context = {
        "jury": found,
        "assignment": found.access.assignment,
        "can_manage": policy.can_manage_jury(actor, found.access.roles),
        "can_decide": policy.can_decide(actor, is_chair=found.access.is_chair),
        "me": found.access.member,
        "languages": LANGUAGE_NAMES,
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "assignments/jury.html", context, 400 if errors else 200)


@router.get("/assignments/{assignment_id}/jury")
def jury_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, assignment_id: Id
) -> Response:
    return _jury_page(request, session, actor, assignment_id)


@router.post("/assignments/{assignment_id}/jury")
def change_jury(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    assignment_id: Id,
    action: Annotated[str, Form(max_length=20)] = "",
    member_id: Annotated[Id | None, Form()] = None,
    user_id: Annotated[str, Form(max_length=20)] = "",
    email: Text = "",
    display_name: Text = "",
    preferred_language: Annotated[str, Form(max_length=8)] = "en",
    chair: Annotated[bool, Form()] = False,
    submission_ids: Ids = [],  # noqa: B006 - FastAPI copies form defaults
    member_ids: Ids = [],  # noqa: B006
) -> Response:
    jury.managed_jury(session, actor, assignment_id)  # a refused reader sees no form
    typed = {"user_id": user_id, "email": email, "display_name": display_name,
             "preferred_language": preferred_language, "chair": chair}  # fmt: skip
    with attempt_form(request, session) as attempt:
        if action == "add":
            if not user_id and not email:  # said in the reader's words, not pydantic's
                raise examiners.NotCourseMarker(field="user_id")
            data = {k: v for k, v in typed.items() if v not in ("", None)}
            created = JuryMemberCreate.model_validate(data)
            examiners.add_member(session, actor, settings, assignment_id, created)
        elif action in ("remove", "chair") and member_id is not None:
            change = jury.remove_member if action == "remove" else jury.set_chair
            change(session, actor, assignment_id, member_id)
        else:
            examiners.allocate(session, actor, settings, assignment_id, submission_ids, member_ids)
    if attempt.refused:
        return _jury_page(request, session, actor, assignment_id, typed, attempt.errors)
    return see_other(f"/assignments/{assignment_id}/jury")


@router.post("/submissions/{submission_id}/defence")
def set_defence(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    submission_id: Id,
    starts_at: Annotated[str, Form(max_length=40)] = "",
    duration_minutes: Annotated[str, Form(max_length=10)] = "",
    place: Annotated[str, Form(max_length=300)] = "",
    webinar_session_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    found = jury.submission_jury(session, actor, submission_id)
    typed = {"starts_at": starts_at, "duration_minutes": duration_minutes, "place": place,
             "webinar_session_id": webinar_session_id}  # fmt: skip
    with attempt_form(request, session) as attempt:
        data = {k: v for k, v in typed.items() if v}
        if not starts_at and not webinar_session_id:
            raise Invalid(WHEN_REFUSED, field="starts_at")
        defence = DefenceInput.model_validate({**data, "time_zone": user.time_zone or "UTC"})
        defences.set_defence(session, actor, submission_id, defence)
    assignment_id = found.access.assignment.id
    if attempt.refused:
        errors = {f"defence-{submission_id}-{k}": v for k, v in attempt.errors.items()}
        return _jury_page(request, session, actor, assignment_id, typed, errors)
    return see_other(f"/assignments/{assignment_id}/jury")


def _mark_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    submission_id: int,
    form: Mapping[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    view = jury_marks.marks_of(session, actor, submission_id)
    assignment = view.jury.access.assignment
    context = {
        "view": view,
        "assignment": assignment,
        "label": jury_overview.submission_label(session, view.jury.submission),
        "files": jury_overview.submission_files(session, submission_id),
        "defence": defences.get_defence(session, actor, submission_id),
        "levels": jury_overview.scale_levels(session, assignment.scale_id),
        "can_mark": policy.can_enter_jury_mark(actor, allocated=view.jury.allocated),
        "can_decide": policy.can_decide(actor, is_chair=view.jury.access.is_chair),
        "released": jury_marks.is_released(session, submission_id),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "assignments/jury_mark.html", context, 400 if errors else 200)


@router.get("/submissions/{submission_id}/jury-mark")
def mark_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, submission_id: Id
) -> Response:
    return _mark_page(request, session, actor, submission_id)


@router.post("/submissions/{submission_id}/jury-mark")
def enter_mark(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    submission_id: Id,
    points: Annotated[str, Form(max_length=20)] = "",
    scale_level_id: Annotated[str, Form(max_length=20)] = "",
    comment: Text = "",
) -> Response:
    typed = {"points": points, "scale_level_id": scale_level_id, "comment": comment}
    with attempt_form(request, session) as attempt:
        data = JuryMarkInput.model_validate({k: v for k, v in typed.items() if v})
        jury_marks.enter_mark(session, actor, submission_id, data)
    if attempt.refused:
        return _mark_page(request, session, actor, submission_id, typed, attempt.errors)
    return see_other(f"/submissions/{submission_id}/jury-mark")


@router.get("/submissions/{submission_id}/jury-files/{file_id}")
def jury_file(
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    submission_id: Id,
    file_id: Id,
) -> StreamingResponse:
    found, content = jury_overview.jury_file(session, actor, submission_id, file_id)
    return stored_file_response(
        storage_for(settings), content.sha256, found.name, content.media_type, content.size
    )


def _final_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    submission_id: int,
    form: Mapping[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    view = jury_final.final_of(session, actor, submission_id)
    assignment = view.marks.jury.access.assignment
    context = {
        "view": view,
        "assignment": assignment,
        "label": jury_overview.submission_label(session, view.marks.jury.submission),
        "levels": jury_overview.scale_levels(session, assignment.scale_id),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "assignments/jury_final.html", context, 400 if errors else 200)


@router.get("/submissions/{submission_id}/jury-final")
def final_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, submission_id: Id
) -> Response:
    return _final_page(request, session, actor, submission_id)


@router.post("/submissions/{submission_id}/jury-final")
def decide(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    submission_id: Id,
    points: Annotated[str, Form(max_length=20)] = "",
    scale_level_id: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    feedback: Text = "",
    release: Annotated[bool, Form()] = False,
) -> Response:
    typed = {"points": points, "scale_level_id": scale_level_id, "reason": reason,
             "feedback": feedback}  # fmt: skip
    with attempt_form(request, session) as attempt:
        data = {k: v for k, v in typed.items() if v}
        jury_final.decide(
            session,
            actor,
            submission_id,
            JuryFinalInput.model_validate({**data, "release": release}),
        )
    if attempt.refused:
        return _final_page(request, session, actor, submission_id, typed, attempt.errors)
    return see_other(f"/submissions/{submission_id}/jury-final")

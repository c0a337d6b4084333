"""The markers' pages: the list of submissions (filter by group, bulk release, reveal of an
anonymous assignment's identities), the marking form of one attempt (grade, criteria,
feedback and files, late penalty, workflow steps, members' own grades) and feedback files."""

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.assignments import policy
from app.assignments.marking_schemas import EmptyAttempt, MarkingUpdate, MemberGrade, WorkflowMove
from app.assignments.models import MarkingState
from app.assignments.service import anonymity, feedback_files, marking, marking_list, workflow
from app.assignments.service.marking_view import MarkingView, marking_view
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import SessionDep
from app.core.downloads import stored_file_response
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.storage import storage_for
from app.core.web import render, see_other
from app.courses.models import Course

router = page_router()
Fields = dict[str, Any]


async def form_fields(request: Request) -> Fields:
    """Every field of the posted form (text as text, a chosen file as an upload); read on the
    event loop, checked by the schemas and services."""
    form = await request.form()
    return dict(form.multi_items())


FormFields = Annotated[Fields, Depends(form_fields)]


def _course(session: Session, course_id: int) -> Course:
    return session.get_one(Course, course_id)


def _list_page(
    request: Request, session: Session, actor: Actor, assignment_id: int,
    group_id: int | None = None, error: str = "",
) -> Response:  # fmt: skip
    found = marking_list.submission_list(session, actor, assignment_id, group_id=group_id)
    roles = found.access.roles
    context = {
        "found": found, "assignment": found.access.assignment, "module": found.access.module,
        "course": _course(session, found.access.assignment.course_id),
        "can_release": policy.can_release(actor, roles),
        "can_reveal": policy.can_reveal_identities(actor, roles) and found.hidden,
        "error": error,
    }  # fmt: skip
    return render(request, "assignments/submissions.html", context, 400 if error else 200)


@router.get("/assignments/{assignment_id}/submissions")
def submissions_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id, group_id: Id | None = None,
) -> Response:  # fmt: skip
    return _list_page(request, session, actor, assignment_id, group_id)


@router.post("/assignments/{assignment_id}/empty-attempts")
def start_empty_attempt(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id, fields: FormFields,
) -> Response:  # fmt: skip
    wanted = {k: fields[k] for k in ("user_id", "participant", "group_id") if fields.get(k)}
    with attempt_form(request, session) as attempt:
        submission = marking.start_empty_attempt(
            session, actor, assignment_id, EmptyAttempt.model_validate(wanted)
        )
    if attempt.refused:
        return _list_page(request, session, actor, assignment_id, error=attempt.message)
    return see_other(f"/submissions/{submission.id}/mark")


@router.post("/assignments/{assignment_id}/release")
def release_ready(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, assignment_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        released = workflow.release_ready(session, actor, settings, assignment_id)
    if attempt.refused:
        return _list_page(request, session, actor, assignment_id, error=attempt.message)
    return see_other(f"/assignments/{assignment_id}/submissions?released={released}")


def _reveal_page(
    request: Request, session: Session, actor: Actor, assignment_id: int, error: str = ""
) -> Response:
    found = marking_list.marker_access(session, actor, assignment_id)
    context = {
        "assignment": found.assignment, "module": found.module,
        "course": _course(session, found.assignment.course_id), "error": error,
    }  # fmt: skip
    return render(request, "assignments/reveal.html", context, 400 if error else 200)


@router.get("/assignments/{assignment_id}/reveal")
def reveal_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id,
) -> Response:  # fmt: skip
    return _reveal_page(request, session, actor, assignment_id)


@router.post("/assignments/{assignment_id}/reveal")
def reveal_identities(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        anonymity.reveal_identities(session, actor, assignment_id)
    if attempt.refused:
        return _reveal_page(request, session, actor, assignment_id, attempt.message)
    return see_other(f"/assignments/{assignment_id}/submissions?revealed=1")


# --- one attempt ----------------------------------------------------------------------------


def _mark_page(
    request: Request, session: Session, actor: Actor, submission_id: int,
    form: Fields | None = None, errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    view = marking_view(session, actor, submission_id)
    roles = view.access.roles
    steps = [
        target for target in MarkingState
        if view.marking is not None and view.assignment.marking_workflow
        and policy.can_move_marking(actor, roles, view.marking.state, target)
    ]  # fmt: skip
    context = {
        "view": view, "assignment": view.assignment, "module": view.access.module,
        "course": _course(session, view.assignment.course_id),
        "form": form if form is not None else _shown(view), "errors": errors or {},
        "steps": steps, "can_override": policy.can_override_member(actor, roles),
    }  # fmt: skip
    return render(request, "assignments/mark.html", context, 400 if errors else 200)


def _shown(view: MarkingView) -> Fields:
    found = view.marking
    form: Fields = {
        "version": view.version,
        "points": "" if found is None or found.points is None else found.points,
        "scale_level_id": found.scale_level_id if found else None,
        "feedback": found.feedback_markdown if found else "",
        "penalty_points": found.penalty_points if found else view.penalty.points,
        "penalty_override_reason": (found.penalty_override_reason or "") if found else "",
    }
    for criterion_id, choice in view.choices.items():
        form[f"criterion-{criterion_id}-level"] = choice.level_id
        form[f"criterion-{criterion_id}-points"] = "" if choice.points is None else choice.points
        form[f"criterion-{criterion_id}-comment"] = choice.comment
    return form


def _criteria(fields: Fields) -> list[dict[str, Any]]:
    ids = sorted(
        {
            int(k.split("-")[1])
            for k in fields
            if k.startswith("criterion-") and k.split("-")[1].isdigit()
        }
    )
    return [
        {
            "criterion_id": i,
            "level_id": fields.get(f"criterion-{i}-level") or None,
            "points": fields.get(f"criterion-{i}-points") or None,
            "comment": fields.get(f"criterion-{i}-comment", ""),
        }
        for i in ids
    ]


def marking_input(fields: Fields) -> dict[str, Any]:
    """The marking form's fields as a `MarkingUpdate` reads them (empty means not given)."""
    text = {k: v for k, v in fields.items() if isinstance(v, str)}
    return {
        "version": text.get("version", ""),
        "points": text.get("points") or None,
        "scale_level_id": text.get("scale_level_id") or None,
        "criteria": _criteria(text),
        "feedback": text.get("feedback", ""),
        "penalty_points": text.get("penalty_points") or None,
        "penalty_override_reason": text.get("penalty_override_reason", ""),
        "release": text.get("release") == "1",
    }


def _save(
    session: Session, actor: Actor, settings: Settings, submission_id: int, fields: Fields
) -> None:
    marking.save_marking(
        session, actor, settings, submission_id, MarkingUpdate.model_validate(marking_input(fields))
    )
    upload = fields.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        feedback_files.add_feedback_file(
            session, actor, settings, submission_id, upload.file, upload.filename
        )


@router.get("/submissions/{submission_id}/mark")
def mark_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    submission_id: Id,
) -> Response:  # fmt: skip
    return _mark_page(request, session, actor, submission_id)


@router.post("/submissions/{submission_id}/mark")
def save_marking(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, submission_id: Id, fields: FormFields,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        _save(session, actor, settings, submission_id, fields)
    if attempt.refused:
        shown = {k: v for k, v in fields.items() if isinstance(v, str)}
        return _mark_page(request, session, actor, submission_id, shown, attempt.errors)
    return see_other(f"/submissions/{submission_id}/mark?saved=1")


@router.post("/submissions/{submission_id}/mark/state")
def move_marking(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, submission_id: Id,
    state: Annotated[str, Form(max_length=24)], version: Annotated[str, Form(max_length=12)],
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        move = WorkflowMove.model_validate({"state": state, "version": version})
        workflow.move_marking(session, actor, settings, submission_id, move)
    if attempt.refused:
        return _mark_page(request, session, actor, submission_id, None, {"form": attempt.message})
    return see_other(f"/submissions/{submission_id}/mark?moved=1")


@router.post("/submissions/{submission_id}/members/{user_id}/grade")
def set_member_grade(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    submission_id: Id, user_id: Id,
    points: Annotated[str, Form(max_length=20)], reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        data = MemberGrade.model_validate({"points": points, "reason": reason})
        marking.set_member_grade(session, actor, submission_id, user_id, data)
    if attempt.refused:
        errors = {f"member-{user_id}": attempt.message}
        return _mark_page(request, session, actor, submission_id, None, errors)
    return see_other(f"/submissions/{submission_id}/mark?member=1")


@router.get("/marking-files/{file_id}")
def feedback_file(
    session: SessionDep, actor: PortalActor, settings: SettingsDep, _user: CurrentUser,
    file_id: Id,
) -> StreamingResponse:  # fmt: skip
    stored = feedback_files.feedback_file(session, actor, file_id)
    content = stored.content
    return stored_file_response(
        storage_for(settings), content.sha256, stored.name, content.media_type, content.size
    )


@router.post("/marking-files/{file_id}/remove")
def remove_feedback_file(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, file_id: Id
) -> Response:
    submission = feedback_files.remove_feedback_file(session, actor, file_id)
    return see_other(f"/submissions/{submission.id}/mark?removed=1")

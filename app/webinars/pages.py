"""Webinar and seminar pages: a course's sessions, a session (in the reader's zone, register,
join when open, materials, recordings), scheduling, the attendance register, calendar feeds."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import SessionDep, utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.forms import attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.web import render, see_other
from app.courses.service.courses import find_course, get_course
from app.enrolment.cohorts import groups_of
from app.webinars import feeds, policy
from app.webinars.api import download
from app.webinars.models import AttendanceStatus, Delivery, RegistrationStatus, SessionKind
from app.webinars.schemas import (
    BulkRegistration,
    RecordingLink,
    SeriesCreate,
)
from app.webinars.service import (
    access,
    hours,
    marking,
    materials,
    meetings,
    recordings,
    registration,
    scheduling,
)
from app.webinars.service.marking import RegisterRow, RegisterRowsInvalid
from app.webinars.service.materials import FileKind

router = page_router()
Text = Annotated[str, Form(max_length=20000)]


@router.get("/courses/{code}/sessions")
def course_sessions(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    course_access = find_course(session, actor, code)
    agenda = access.course_agenda(session, actor, course_access.course.id)
    context = {
        "course": course_access.course,
        "upcoming": agenda.upcoming,
        "past": agenda.past,
        "can_schedule": policy.can_schedule(actor, course_access.roles),
    }
    return render(request, "webinars/course_sessions.html", context)


@router.get("/courses/{code}/calendar.ics")
def course_calendar(
    session: SessionDep, actor: PortalActor, settings: SettingsDep, _user: CurrentUser, code: str
) -> Response:
    course = find_course(session, actor, code).course
    body = feeds.course_feed(session, actor, course.id, settings.base_url)
    return Response(body, media_type="text/calendar; charset=utf-8")


def _session_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    session_id: Id,
    error: str | None = None,
) -> Response:
    view = access.get_webinar(session, actor, session_id)
    webinar = view.webinar
    registered = view.mine is RegistrationStatus.REGISTERED
    context = {
        "view": view,
        "webinar": webinar,
        "course": get_course(session, actor, webinar.course_id).course,
        "can_schedule": policy.can_schedule(actor, view.roles),
        "can_register": policy.can_register_self(actor, view.roles),
        "can_take_attendance": policy.can_take_attendance(actor, view.roles),
        "join_open": policy.may_join(
            actor, webinar, view.roles, registered, utcnow(), settings.webinar_join_window_minutes
        ),
        "opens_at": webinar.starts_at - timedelta(minutes=settings.webinar_join_window_minutes),
        "is_over": webinar.ends_at < utcnow(),
        "groups": (
            [g for g, _ in groups_of(session, actor, webinar.course_id)]
            if policy.can_register_others(actor, view.roles)
            else []
        ),
        "error": error,
    }
    return render(request, "webinars/session.html", context, 400 if error else 200)


@router.get("/sessions/{session_id}")
def session_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: Id,
) -> Response:
    return _session_page(request, session, actor, settings, session_id)


@router.post("/sessions/{session_id}/register")
def register(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: Id,
) -> Response:
    with attempt_form(request, session) as attempt:
        registration.register(session, actor, session_id)
    if attempt.refused:
        return _session_page(request, session, actor, settings, session_id, attempt.message)
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/register-group")
def register_group(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: Id,
    group_id: Annotated[Id, Form()],
) -> Response:
    with attempt_form(request, session) as attempt:
        result = registration.register_many(
            session, actor, session_id, BulkRegistration(group_id=group_id)
        )
    if attempt.refused:
        return _session_page(request, session, actor, settings, session_id, attempt.message)
    return see_other(
        f"/sessions/{session_id}?registered={result.registered}&waitlisted={result.waitlisted}"
    )


@router.post("/sessions/{session_id}/unregister")
def unregister(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, session_id: Id
) -> Response:
    registration.cancel_registration(session, actor, session_id)
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/join")
def join(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: Id,
) -> Response:
    """Records the time in, then sends the browser to the video room."""
    with attempt_form(request, session, (Forbidden,)) as attempt:
        plan = meetings.plan_join(session, actor, settings, session_id)
    if attempt.refused:
        return _session_page(request, session, actor, settings, session_id, attempt.message)
    # The video service is called after the form attempt: no transaction is held meanwhile.
    return see_other(meetings.enter_room(session, settings, plan).url)


@router.post("/sessions/{session_id}/cancel")
def cancel(session: SessionDep, actor: PortalActor, _user: CurrentUser, session_id: Id) -> Response:
    scheduling.cancel_webinar(session, actor, session_id)
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/materials")
def add_material(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: Id,
    file: Annotated[UploadFile, File()],
) -> Response:
    with attempt_form(request, session) as attempt:
        materials.add_material(session, actor, settings, session_id, file.file, file.filename or "")
    if attempt.refused:
        return _session_page(request, session, actor, settings, session_id, attempt.message)
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/recordings")
def add_recording(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: Id,
    url: Annotated[str, Form(max_length=2000)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    with attempt_form(request, session) as attempt:
        if file is not None and file.filename:
            recordings.add_recording_file(
                session, actor, settings, session_id, file.file, file.filename, title
            )
        elif url:
            link = RecordingLink.model_validate({"url": url, "title": title})  # as the API
            recordings.add_recording_link(session, actor, session_id, str(link.url), link.title)
        else:
            raise Invalid(N_("Give the recording's address (https://…) or upload its file."))
    if attempt.refused:
        return _session_page(request, session, actor, settings, session_id, attempt.message)
    return see_other(f"/sessions/{session_id}")


@router.get("/sessions/{session_id}/{kind}/{file_id}/file")
def session_file(
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: Id,
    kind: str,
    file_id: Id,
) -> StreamingResponse:
    if kind not in {k.value for k in FileKind}:
        raise NotFound()
    return download(session, actor, settings, session_id, FileKind(kind), file_id)


# --- scheduling -----------------------------------------------------------------------------


def _schedule_form(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    code: str,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    course_access = find_course(session, actor, code)
    scheduling.require_scheduler(actor, course_access.roles)
    context = {
        "course": course_access.course,
        "form": form or {"time_zone": user.time_zone, "minutes": "90", "count": "1",
                         "kind": "webinar", "delivery": "online", "attendance_threshold": "0"},
        "errors": errors or {},
        "kinds": [k.value for k in SessionKind],
        "deliveries": [d.value for d in Delivery],
    }  # fmt: skip
    return render(request, "webinars/schedule.html", context, 400 if errors else 200)


@router.get("/courses/{code}/sessions/new")
def schedule_form(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser, code: str
) -> Response:
    return _schedule_form(request, session, actor, user, code)


@router.post("/courses/{code}/sessions/new")
def schedule(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    user: CurrentUser,
    code: str,
    title: Text = "",
    description: Text = "",
    kind: Text = "webinar",
    delivery: Text = "online",
    location: Text = "",
    starts_at: Text = "",
    minutes: Text = "90",
    time_zone: Text = "UTC",
    capacity: Text = "",
    count: Text = "1",
    attendance_threshold: Text = "0",
    speaker_name: Text = "",
    speaker_affiliation: Text = "",
    speaker_bio: Text = "",
) -> Response:
    form = {
        "title": title, "description": description, "kind": kind, "delivery": delivery,
        "location": location, "starts_at": starts_at, "minutes": minutes, "time_zone": time_zone,
        "capacity": capacity, "count": count, "attendance_threshold": attendance_threshold,
        "speaker_name": speaker_name, "speaker_affiliation": speaker_affiliation,
        "speaker_bio": speaker_bio,
    }  # fmt: skip
    course = find_course(session, actor, code).course
    try:
        start = datetime.fromisoformat(starts_at)
        end = start + timedelta(minutes=int(minutes))
    except ValueError:
        error = {"starts_at": N_("Give the date and time of the start.")}
        return _schedule_form(request, session, actor, user, code, form, error)
    data = {
        "title": title, "description": description, "kind": kind, "delivery": delivery,
        "location": location or None, "starts_at": start, "ends_at": end,
        "time_zone": time_zone, "capacity": capacity or None,
        "attendance_threshold": attendance_threshold or 0,
        "speakers": [{"name": speaker_name, "affiliation": speaker_affiliation,
                      "bio": speaker_bio}] if speaker_name.strip() else [],
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        wanted = SeriesCreate.model_validate({**data, "count": count.strip() or 1})
        created = scheduling.schedule_one_or_series(session, actor, settings, course.id, wanted)
    if attempt.refused:
        errors = attempt.errors
        if "ends_at" in errors:  # the form asks for a duration, not an end
            errors["minutes"] = errors.pop("ends_at")
        return _schedule_form(request, session, actor, user, code, form, errors)
    return see_other(f"/sessions/{created[0].id}")


# --- attendance -----------------------------------------------------------------------------


def _attendance_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    webinar_id: int,
    refused: RegisterRowsInvalid | None = None,
) -> Response:
    view = access.get_webinar(session, actor, webinar_id)
    context = {
        "webinar": view.webinar,
        "lines": marking.attendance_register(session, actor, webinar_id),
        "absentees": marking.absentees(session, actor, webinar_id),
        "statuses": [s.value for s in AttendanceStatus],
        "can_take_attendance": policy.can_take_attendance(actor, view.roles),
        "refused": refused.rows if refused else [],
    }
    return render(request, "webinars/attendance.html", context, 400 if refused else 200)


@router.get("/sessions/{session_id}/attendance")
def attendance_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, session_id: Id
) -> Response:
    return _attendance_page(request, session, actor, session_id)


async def register_rows(request: Request) -> list[RegisterRow]:
    """The register form's rows: fields `status-<sitting>-<user>` (left empty: unchanged)
    and `minutes-<sitting>-<user>`. Read on the event loop; checking is the service's."""
    form = await request.form()
    rows = []
    for name, value in form.multi_items():
        if not name.startswith("status-") or not isinstance(value, str) or not value:
            continue
        key = name.removeprefix("status-")
        sitting_id, _, user_id = key.partition("-")
        minutes = form.get(f"minutes-{key}")
        rows.append(
            RegisterRow(sitting_id, user_id, value, minutes if isinstance(minutes, str) else "")
        )
    return rows


@router.post("/sessions/{session_id}/attendance")
def save_attendance(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    session_id: Id,
    rows: Annotated[list[RegisterRow], Depends(register_rows)],
) -> Response:
    """One form for the whole register; one invalid row and nothing is saved."""
    with attempt_form(request, session, (RegisterRowsInvalid,)) as attempt:
        marking.save_register(session, actor, session_id, rows)
    if isinstance(attempt.error, RegisterRowsInvalid):
        return _attendance_page(request, session, actor, session_id, attempt.error)
    return see_other(f"/sessions/{session_id}/attendance?saved=1")


@router.get("/attendance")
def my_attendance(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    context = {"programmes": hours.my_attendance(session, actor)}
    return render(request, "webinars/my_attendance.html", context)


# --- calendar feeds -------------------------------------------------------------------------


@router.get("/calendar")
def calendar_page(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser,
) -> Response:  # fmt: skip
    return _calendar_page(request, session, actor, settings)


@router.post("/calendar")
def create_feed(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser,
) -> Response:  # fmt: skip
    feed, _ = feeds.create_feed(session, actor, settings.signing_key)
    return _calendar_page(request, session, actor, settings, created=feed.id)


def _calendar_page(
    request: Request, session: Session, actor: Actor, settings: Settings,
    created: int | None = None,
) -> Response:  # fmt: skip
    """Each active feed with its address (and the same as `webcal://`, which opens the
    calendar program subscribed), where the address can be computed again."""
    base = settings.base_url.rstrip("/")
    shown = []
    for feed, token in feeds.my_feed_tokens(session, actor, settings.signing_key):
        url = f"{base}/api/v1/calendar/{token}.ics" if token else None
        webcal = "webcal://" + url.split("://", 1)[1] if url else None
        shown.append({"feed": feed, "url": url, "webcal": webcal})
    context = {"feeds": shown, "created": created}
    return render(request, "webinars/calendar.html", context)


@router.post("/calendar/{feed_id}/revoke")
def revoke_feed(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, feed_id: Id
) -> Response:
    feeds.revoke_feed(session, actor, feed_id)
    return see_other("/calendar")

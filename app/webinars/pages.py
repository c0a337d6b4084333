"""Webinar and seminar pages: a course's sessions, a session (in the reader's zone, register,
join when open, materials, recordings), scheduling, the attendance register, calendar feeds."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.db import SessionDep, utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.web import field_errors, render, see_other
from app.courses.service.courses import find_course, get_course
from app.enrolment.cohorts import groups_of
from app.webinars import feeds, policy, service
from app.webinars.api import download
from app.webinars.models import AttendanceStatus, Delivery, RegistrationStatus, SessionKind
from app.webinars.schemas import (
    AttendanceUpdate,
    BulkRegistration,
    RecordingLink,
    SeriesCreate,
    SessionCreate,
)

router = page_router()
Text = Annotated[str, Form(max_length=20000)]


@router.get("/courses/{code}/sessions")
def course_sessions(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    access = find_course(session, actor, code)
    views = service.course_sessions(session, actor, access.course.id)
    now = utcnow()
    context = {
        "course": access.course,
        "upcoming": [v for v in views if v.session.ends_at >= now],
        "past": [v for v in views if v.session.ends_at < now],
        "can_schedule": policy.can_schedule(actor, access.roles),
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
    session_id: int,
    error: str | None = None,
) -> Response:
    view = service.get_session(session, actor, session_id)
    webinar = view.session
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
    session_id: int,
) -> Response:
    return _session_page(request, session, actor, settings, session_id)


@router.post("/sessions/{session_id}/register")
def register(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: int,
) -> Response:
    try:
        service.register(session, actor, session_id)
    except Conflict as error:
        return _session_page(request, session, actor, settings, session_id, error.detail)
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/register-group")
def register_group(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: int,
    group_id: Annotated[int, Form()],
) -> Response:
    try:
        result = service.register_many(
            session, actor, session_id, BulkRegistration(group_id=group_id)
        )
    except (Conflict, Invalid) as error:
        return _session_page(request, session, actor, settings, session_id, error.detail)
    return see_other(
        f"/sessions/{session_id}?registered={result.registered}&waitlisted={result.waitlisted}"
    )


@router.post("/sessions/{session_id}/unregister")
def unregister(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, session_id: int
) -> Response:
    service.cancel_registration(session, actor, session_id)
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/join")
def join(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: int,
) -> Response:
    """Records the time in, then sends the browser to the video room."""
    try:
        link = service.join(session, actor, settings, session_id)
    except Forbidden as error:
        return _session_page(request, session, actor, settings, session_id, error.detail)
    return see_other(link.url)


@router.post("/sessions/{session_id}/cancel")
def cancel(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, session_id: int
) -> Response:
    service.cancel_session(session, actor, session_id)
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/materials")
def add_material(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: int,
    file: Annotated[UploadFile, File()],
) -> Response:
    try:
        service.add_material(session, actor, settings, session_id, file.file, file.filename or "")
    except Invalid as error:
        return _session_page(request, session, actor, settings, session_id, error.detail)
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/recordings")
def add_recording(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: int,
    url: Annotated[str, Form(max_length=2000)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        if file is not None and file.filename:
            service.add_recording_file(
                session, actor, settings, session_id, file.file, file.filename, title
            )
        elif url:
            link = RecordingLink.model_validate({"url": url, "title": title})  # as the API
            service.add_recording_link(session, actor, session_id, str(link.url), link.title)
        else:
            raise Invalid(N_("Give the recording's address (https://…) or upload its file."))
    except (Invalid, ValidationError) as error:
        message = next(iter(field_errors(error).values()))
        return _session_page(request, session, actor, settings, session_id, message)
    return see_other(f"/sessions/{session_id}")


@router.get("/sessions/{session_id}/{kind}/{file_id}/file")
def session_file(
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    session_id: int,
    kind: str,
    file_id: int,
) -> StreamingResponse:
    if kind not in ("materials", "recordings"):
        raise NotFound()
    return download(session, actor, settings, session_id, kind, file_id)


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
    access = find_course(session, actor, code)
    if not policy.can_schedule(actor, access.roles):
        raise Forbidden()
    context = {
        "course": access.course,
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
    try:
        if count.strip() not in ("", "1"):
            series = SeriesCreate.model_validate({**data, "count": count})
            created = service.schedule_series(session, actor, settings, course.id, series)
            first_id = created[0].id
        else:
            one = SessionCreate.model_validate(data)
            first_id = service.schedule(session, actor, settings, course.id, one).id
    except (ValidationError, Invalid) as error:
        return _schedule_form(request, session, actor, user, code, form, field_errors(error))
    return see_other(f"/sessions/{first_id}")


# --- attendance -----------------------------------------------------------------------------


@router.get("/sessions/{session_id}/attendance")
def attendance_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, session_id: int
) -> Response:
    view = service.get_session(session, actor, session_id)
    context = {
        "webinar": view.session,
        "lines": service.attendance_register(session, actor, session_id),
        "absentees": service.absentees(session, actor, session_id),
        "statuses": [s.value for s in AttendanceStatus],
        "can_take_attendance": policy.can_take_attendance(actor, view.roles),
    }
    return render(request, "webinars/attendance.html", context)


@router.post("/sessions/{session_id}/attendance")
async def save_attendance(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, session_id: int
) -> Response:
    """One form for the whole register: fields `status-<sitting>-<user>`, `minutes-…`."""
    form = await request.form()
    for name, value in form.multi_items():
        if not name.startswith("status-") or not value:
            continue
        _, sitting_id, user_id = name.split("-", 2)
        minutes = str(form.get(f"minutes-{sitting_id}-{user_id}") or "")
        try:
            update = AttendanceUpdate(
                status=AttendanceStatus(str(value)),
                minutes=int(minutes) if minutes.isdigit() else None,
                sitting_id=int(sitting_id),
            )
        except (ValueError, ValidationError):
            continue
        service.set_attendance(session, actor, session_id, int(user_id), update)
    return see_other(f"/sessions/{session_id}/attendance?saved=1")


@router.get("/attendance")
def my_attendance(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    context = {"programmes": service.my_attendance(session, actor)}
    return render(request, "webinars/my_attendance.html", context)


# --- calendar feeds -------------------------------------------------------------------------


@router.get("/calendar")
def calendar_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    context = {"feeds": feeds.my_feeds(session, actor), "new_url": None}
    return render(request, "webinars/calendar.html", context)


@router.post("/calendar")
def create_feed(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser,
) -> Response:  # fmt: skip
    _, token = feeds.create_feed(session, actor)
    url = f"{settings.base_url.rstrip('/')}/api/v1/calendar/{token}.ics"
    context = {"feeds": feeds.my_feeds(session, actor), "new_url": url}
    return render(request, "webinars/calendar.html", context)


@router.post("/calendar/{feed_id}/revoke")
def revoke_feed(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, feed_id: int
) -> Response:
    feeds.revoke_feed(session, actor, feed_id)
    return see_other("/calendar")

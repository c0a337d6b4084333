"""Webinars and seminars over the API: sessions, registrations, joining, attendance, attended
hours, materials, recordings and calendar feeds."""

from typing import Annotated

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import StreamingResponse

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.downloads import stored_file_response
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.core.storage import storage_for
from app.webinars import feeds
from app.webinars.models import Attendance, Recording, Registration
from app.webinars.schemas import (
    AbsenteeRead,
    AttendanceRead,
    AttendanceUpdate,
    AttendedHoursRead,
    BulkRegistration,
    BulkRegistrationResult,
    CalendarFeedCreated,
    CalendarFeedRead,
    JoinLink,
    MaterialRead,
    RecordingLink,
    RecordingRead,
    RegistrationRead,
    SeriesCreate,
    SessionCreate,
    SessionHoursRead,
    SessionRead,
    SessionUpdate,
    SittingRead,
    SpeakerRead,
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
from app.webinars.service.materials import FileKind
from app.webinars.timezones import to_local

router = APIRouter(tags=["webinars"], route_class=DeferredRoute)
ICS = "text/calendar; charset=utf-8"


def session_read(view: access.WebinarView) -> SessionRead:
    webinar = view.webinar
    return SessionRead(
        id=webinar.id,
        course_id=webinar.course_id,
        module_id=webinar.module_id,
        series_id=webinar.series_id,
        kind=webinar.kind,
        delivery=webinar.delivery,
        title=webinar.title,
        description=webinar.description,
        location=webinar.location,
        starts_at=webinar.starts_at,
        ends_at=webinar.ends_at,
        time_zone=webinar.time_zone,
        local_starts_at=to_local(webinar.starts_at, webinar.time_zone),
        capacity=webinar.capacity,
        registered=view.registered,
        waitlisted=view.waitlisted,
        status=webinar.status,
        sequence=webinar.sequence,
        attendance_threshold=webinar.attendance_threshold,
        counts_for_completion=webinar.counts_for_completion,
        host_user_ids=[h.user_id for h in webinar.hosts],
        speakers=[SpeakerRead.model_validate(s) for s in webinar.speakers],
        days=[SittingRead.model_validate(s) for s in webinar.sittings],
        materials=[MaterialRead.model_validate(m) for m in webinar.materials],
        my_registration=view.mine,
    )


def _read_one(session: SessionDep, actor: SignedInApiActor, session_id: Id) -> SessionRead:
    return session_read(access.get_webinar(session, actor, session_id))


@router.get("/courses/{course_id}/sessions", response_model=list[SessionRead])
def list_sessions(
    course_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    upcoming: Annotated[bool, Query(description="only sessions not yet over")] = False,
) -> list[SessionRead]:
    """A course's webinars and seminars in time order (participants, staff, managers)."""
    views = access.course_webinars(session, actor, course_id, upcoming_only=upcoming)
    return [session_read(v) for v in views]


@router.post("/courses/{course_id}/sessions", response_model=SessionRead, status_code=201)
def create_session(
    course_id: Id,
    body: SessionCreate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> SessionRead:
    """Schedule a webinar (starts_at/ends_at) or a seminar (days of a timetable). A time
    without an offset is read in `time_zone`, the organiser's IANA zone."""
    webinar = scheduling.schedule(session, actor, settings, course_id, body)
    return _read_one(session, actor, webinar.id)


@router.post(
    "/courses/{course_id}/session-series", response_model=list[SessionRead], status_code=201
)
def create_series(
    course_id: Id,
    body: SeriesCreate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> list[SessionRead]:
    """A webinar repeated weekly at the same local time in the organiser's zone, across
    daylight-saving changes."""
    created = scheduling.schedule_series(session, actor, settings, course_id, body)
    return [session_read(view) for view in access.reread(session, actor, created)]


@router.get("/sessions/{session_id}", response_model=SessionRead)
def read_session(session_id: Id, session: SessionDep, actor: SignedInApiActor) -> SessionRead:
    """One webinar or seminar with its days, places taken and your registration (the
    course's participants and staff, managers, partner systems with `webinars:read`)."""
    return _read_one(session, actor, session_id)


@router.patch("/sessions/{session_id}", response_model=SessionRead)
def update_session(
    session_id: Id, body: SessionUpdate, session: SessionDep, actor: SignedInApiActor
) -> SessionRead:
    """Change a session; calendars see the change (SEQUENCE goes up)."""
    scheduling.update_webinar(session, actor, session_id, body)
    return _read_one(session, actor, session_id)


@router.post("/sessions/{session_id}/cancel", response_model=SessionRead)
def cancel_session(session_id: Id, session: SessionDep, actor: SignedInApiActor) -> SessionRead:
    """Cancel a session; calendar feeds carry STATUS:CANCELLED."""
    scheduling.cancel_webinar(session, actor, session_id)
    return _read_one(session, actor, session_id)


def _registration_read(registration: Registration) -> RegistrationRead:
    return RegistrationRead.model_validate(registration)


@router.post(
    "/sessions/{session_id}/registrations", response_model=RegistrationRead, status_code=201
)
def register(session_id: Id, session: SessionDep, actor: SignedInApiActor) -> RegistrationRead:
    """Register yourself (students of the course); when full you join the waiting list
    (`status: waitlisted`) and are promoted automatically when a place frees."""
    return _registration_read(registration.register(session, actor, session_id))


@router.delete("/sessions/{session_id}/registrations/me", response_model=RegistrationRead)
def cancel_registration(
    session_id: Id, session: SessionDep, actor: SignedInApiActor
) -> RegistrationRead:
    """Give up your place; the first person waiting takes it."""
    return _registration_read(registration.cancel_registration(session, actor, session_id))


@router.post("/sessions/{session_id}/registrations/bulk", response_model=BulkRegistrationResult)
def register_many(
    session_id: Id, body: BulkRegistration, session: SessionDep, actor: SignedInApiActor
) -> BulkRegistrationResult:
    """Register the students of a cohort or of a group of the course (teachers, managers)."""
    return registration.register_many(session, actor, session_id, body)


@router.get("/sessions/{session_id}/registrations", response_model=list[RegistrationRead])
def list_registrations(
    session_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[RegistrationRead]:
    """Who registered and who waits, in order (the course's staff, managers, partner
    systems; 404 to others)."""
    lines = registration.registrations(session, actor, session_id)
    return [_registration_read(line.registration) for line in lines]


@router.post("/sessions/{session_id}/join", response_model=JoinLink)
def join(
    session_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> JoinLink:
    """The join link, for registered participants and hosts from shortly before the start
    (`join_not_open` otherwise); asking for it records the time in."""
    link = meetings.join(session, actor, settings, session_id)
    return JoinLink(url=link.url, provider=link.provider, moderator=link.moderator)


@router.post("/sessions/{session_id}/end", status_code=204)
def end_meeting(
    session_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> Response:
    """End the video meeting for everyone (teachers of the course, managers)."""
    meetings.end_meeting(session, actor, settings, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sessions/{session_id}/attendance", response_model=list[AttendanceRead])
def attendance(
    session_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[AttendanceRead]:
    """Each expected person's attendance per day, and whether it counts (threshold)."""
    return [
        _attendance_read(line.attendance, line.counts)
        for line in marking.attendance_register(session, actor, session_id)
        if line.attendance is not None
    ]


@router.put("/sessions/{session_id}/attendance/{user_id}", response_model=list[AttendanceRead])
def set_attendance(
    session_id: Id,
    user_id: Id,
    body: AttendanceUpdate,
    session: SessionDep,
    actor: SignedInApiActor,
) -> list[AttendanceRead]:
    """Set someone's attendance (present, late, absent, excused; minutes): kept as set."""
    marked = marking.set_attendance(session, actor, session_id, user_id, body)
    return [_attendance_read(one.row, one.counts) for one in marked]


def _attendance_read(row: Attendance, counted: bool) -> AttendanceRead:
    return AttendanceRead(
        user_id=row.user_id, sitting_id=row.sitting_id, status=row.status, minutes=row.minutes,
        first_joined_at=row.first_joined_at, source=row.source, counts=counted,
    )  # fmt: skip


@router.get("/sessions/{session_id}/absentees", response_model=list[AbsenteeRead])
def absentees(session_id: Id, session: SessionDep, actor: SignedInApiActor) -> list[AbsenteeRead]:
    """Who was expected and does not count as present, with whether they were excused."""
    return [
        AbsenteeRead(
            user_id=a.user.id,
            display_name=a.user.display_name,
            email=a.user.email,
            excused=a.excused,
        )
        for a in marking.absentees(session, actor, session_id)
    ]


@router.get("/users/{user_id}/attended-hours", response_model=AttendedHoursRead)
def attended_hours(
    user_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    programme: Annotated[str, Query(max_length=32, description="programme code")],
) -> AttendedHoursRead:
    """Hours of counted attendance in a programme's sessions, against its requirement (the
    MBA's 160 hours)."""
    attended = hours.attended_hours(session, actor, user_id, programme)
    return AttendedHoursRead(
        user_id=user_id,
        programme_code=attended.programme.code,
        hours=attended.hours,
        required_hours=attended.programme.attendance_hours_required,
        meets_requirement=attended.meets_requirement,
        sessions=[
            SessionHoursRead(
                session_id=line.webinar.id,
                course_id=line.webinar.course_id,
                title=line.webinar.title,
                hours=line.hours,
            )
            for line in attended.by_webinar
        ],
    )


@router.post("/sessions/{session_id}/materials", response_model=MaterialRead, status_code=201)
def add_material(
    session_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
) -> object:
    """Attach a file to the session (type checked by content, size-limited)."""
    return materials.add_material(
        session, actor, settings, session_id, file.file, file.filename or "file"
    )


def _recording_read(session_id: Id, recording: Recording) -> RecordingRead:
    url = recording.url or f"/api/v1/sessions/{session_id}/recordings/{recording.id}/file"
    return RecordingRead(
        id=recording.id, session_id=session_id, title=recording.title, url=url,
        name=recording.name, size=recording.size, media_type=recording.media_type,
        created_at=recording.created_at,
    )  # fmt: skip


@router.get("/sessions/{session_id}/recordings", response_model=list[RecordingRead])
def list_recordings(
    session_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[RecordingRead]:
    """The session's recordings: links and uploaded files (whoever may see the session)."""
    webinar = access.get_webinar(session, actor, session_id).webinar
    return [_recording_read(session_id, r) for r in webinar.recordings]


@router.post("/sessions/{session_id}/recordings", response_model=RecordingRead, status_code=201)
def add_recording(
    session_id: Id, body: RecordingLink, session: SessionDep, actor: SignedInApiActor
) -> RecordingRead:
    """Attach a recording by its address (the provider's playback or any https URL)."""
    recording = recordings.add_recording_link(session, actor, session_id, str(body.url), body.title)
    return _recording_read(session_id, recording)


@router.post(
    "/sessions/{session_id}/recordings/upload", response_model=RecordingRead, status_code=201
)
def upload_recording(
    session_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=300)] = "",
) -> RecordingRead:
    """Upload a recording file (multipart; type checked by content, size-limited), for the
    course's teachers and managers."""
    recording = recordings.add_recording_file(
        session, actor, settings, session_id, file.file, file.filename or "recording", title
    )
    return _recording_read(session_id, recording)


@router.post("/sessions/{session_id}/recordings/fetch", response_model=list[RecordingRead])
def fetch_recordings(
    session_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> list[RecordingRead]:
    """Attach the recordings the video service holds for this session (BigBlueButton)."""
    added = recordings.fetch_provider_recordings(session, actor, settings, session_id)
    return [_recording_read(session_id, r) for r in added]


def download(
    session: SessionDep, actor: SignedInApiActor, settings: SettingsDep, session_id: Id,
    kind: FileKind, file_id: Id,
) -> StreamingResponse:  # fmt: skip
    found = materials.stored_file(session, actor, session_id, kind, file_id)
    return stored_file_response(
        storage_for(settings), found.sha256, found.name, found.media_type, found.size
    )


@router.get("/sessions/{session_id}/materials/{file_id}/file", response_class=StreamingResponse)
def material_file(
    session_id: Id, file_id: Id, session: SessionDep, actor: SignedInApiActor,
    settings: SettingsDep,
) -> StreamingResponse:  # fmt: skip
    """Download a material (always as an attachment)."""
    return download(session, actor, settings, session_id, FileKind.MATERIALS, file_id)


@router.get("/sessions/{session_id}/recordings/{file_id}/file", response_class=StreamingResponse)
def recording_file(
    session_id: Id, file_id: Id, session: SessionDep, actor: SignedInApiActor,
    settings: SettingsDep,
) -> StreamingResponse:  # fmt: skip
    """Download an uploaded recording (always as an attachment)."""
    return download(session, actor, settings, session_id, FileKind.RECORDINGS, file_id)


@router.get("/courses/{course_id}/calendar.ics", response_class=Response)
def course_calendar(
    course_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> Response:
    """The course's sessions as iCalendar (RFC 5545), cancellations included."""
    return Response(feeds.course_feed(session, actor, course_id, settings.base_url), media_type=ICS)


@router.post("/calendar-feeds", response_model=CalendarFeedCreated, status_code=201)
def create_feed(
    session: SessionDep, actor: SignedInApiActor, request: Request, settings: SettingsDep
) -> CalendarFeedCreated:
    """A secret calendar URL of your sessions to subscribe to; shown here once (and on the
    person's "My calendar feed" page), revocable."""
    feed, token = feeds.create_feed(session, actor, settings.signing_key)
    return CalendarFeedCreated(id=feed.id, url=str(request.url_for("user_calendar", token=token)))


@router.get("/calendar-feeds", response_model=list[CalendarFeedRead])
def list_feeds(session: SessionDep, actor: SignedInApiActor) -> list[CalendarFeedRead]:
    """Your calendar feeds; their secret addresses are not shown again (any signed-in
    person)."""
    return [CalendarFeedRead.model_validate(f) for f in feeds.my_feeds(session, actor)]


@router.delete("/calendar-feeds/{feed_id}", status_code=204)
def revoke_feed(feed_id: Id, session: SessionDep, actor: SignedInApiActor) -> Response:
    """Revoke a feed URL: calendars subscribed to it stop receiving updates."""
    feeds.revoke_feed(session, actor, feed_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/calendar/{token}.ics", response_class=Response, name="user_calendar")
def user_calendar(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """A person's sessions, read with the secret token alone (for calendar programs)."""
    return Response(feeds.user_feed(session, token, settings.base_url), media_type=ICS)


async def raw_body(request: Request) -> bytes:
    """The request body as sent: the webhook checksum is over these exact bytes. Read here,
    on the event loop, so that the route itself runs its database work in a thread."""
    return await request.body()


EVENTS_FORM = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "domain": {"type": "string"},
                        "event": {"type": "string", "description": "a JSON list of events"},
                        "timestamp": {"type": "string"},
                    },
                }
            }
        }
    }
}


@router.post(
    "/webinars/bbb-events/{token}",
    status_code=204,
    openapi_extra=EVENTS_FORM,
    responses={
        403: {"description": "The checksum is missing or wrong."},
        404: {"description": "No meeting has this token."},
    },
)
def bbb_events(
    token: Annotated[str, Path(max_length=200)],
    body: Annotated[bytes, Depends(raw_body)],
    session: SessionDep,
    settings: SettingsDep,
    checksum: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    """bbb-webhooks posts a meeting's events here (form field `event`); joins and leaves
    become attendance. The address is the meeting's own (its token is given to BigBlueButton
    when the first host joins) and, with `BBB_SECRET` set, the `checksum` bbb-webhooks adds
    (SHA of callback URL + body + secret) must match: 404 for an unknown token, 403 for a
    missing or wrong checksum; a refused call records nothing."""
    meetings.receive_events(session, settings, token, body.decode("utf-8", "replace"), checksum)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


routers = [router]

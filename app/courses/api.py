"""Programmes, courses, sections, modules, files and completion over the API."""

import zipfile
from typing import Annotated

from fastapi import (
    APIRouter,
    Body,
    File,
    Header,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import StreamingResponse
from sqlalchemy import inspect

from app.accounts.deps import ApiActor, SettingsDep, SignedInApiActor
from app.accounts.schemas import InstitutionRead
from app.core.db import Base, SessionDep
from app.core.downloads import attachment_headers
from app.core.errors import Invalid
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.core.storage import storage_for
from app.courses.models import (
    Course,
    Module,
    ModuleFile,
    ModuleTranslation,
    Programme,
    Section,
)
from app.courses.schemas import (
    CompletionRead,
    CourseCreate,
    CourseEditRead,
    CourseOutline,
    CourseRead,
    CourseRunCreate,
    CourseUpdate,
    ModuleCreate,
    ModuleFileRead,
    ModuleRead,
    ModuleTranslationRead,
    ModuleUpdate,
    ProgrammeCourseRead,
    ProgrammeCreate,
    ProgrammeRead,
    Progress,
    SectionCreate,
    SectionRead,
    SectionUpdate,
    TranslationWrite,
)
from app.courses.service import (
    completion,
    content,
    courses,
    editing,
    packages,
    partners,
    programmes,
    translations,
    visibility,
)
from app.courses.service.courses import workload_warning
from app.courses.web import download_response

programmes_router = APIRouter(prefix="/programmes", tags=["programmes"], route_class=DeferredRoute)
courses_router = APIRouter(prefix="/courses", tags=["courses"], route_class=DeferredRoute)
content_router = APIRouter(tags=["sections and modules"], route_class=DeferredRoute)


def course_read(course: Course) -> CourseRead:
    return CourseRead.model_validate(
        {
            **_columns(course),
            "workload_warning": workload_warning(course.ects, course.workload_hours),
        }
    )


def _columns(row: Base) -> dict[str, object]:
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


def programme_read(programme: Programme) -> ProgrammeRead:
    return ProgrammeRead(
        **{k: v for k, v in _columns(programme).items() if k in ProgrammeRead.model_fields},
        institution_codes=[i.code for i in programme.institutions],
        courses=[ProgrammeCourseRead.model_validate(c) for c in programme.courses],
    )


def etag_of(course: Course, *parts: object) -> str:
    return 'W/"' + "-".join(str(p) for p in (course.id, course.version, *parts)) + '"'


def parse_if_match(value: str | None) -> int | None:
    """`If-Match` carries the ETag we gave out; its version part guards the update."""
    if value is None:
        return None
    try:
        return int(value.removeprefix("W/").strip('"').split("-")[1])
    except (IndexError, ValueError) as exc:
        raise Invalid("If-Match must be an ETag returned by Agora.", field="If-Match") from exc


def _not_modified_or(request: Request, response: Response, etag: str) -> Response | None:
    response.headers["ETag"] = etag
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return None


@programmes_router.get("", response_model=list[ProgrammeRead])
def list_programmes(session: SessionDep, actor: ApiActor) -> list[ProgrammeRead]:
    """Published programmes (managers also see drafts), with their courses and ECTS."""
    return [programme_read(p) for p in programmes.list_programmes(session, actor)]


@programmes_router.post("", response_model=ProgrammeRead, status_code=201)
def create_programme(
    body: ProgrammeCreate, session: SessionDep, actor: SignedInApiActor
) -> ProgrammeRead:
    """Create a programme (draft) from existing courses (managers)."""
    return programme_read(programmes.create_programme(session, actor, body))


@programmes_router.get("/{code}", response_model=ProgrammeRead)
def read_programme(code: str, session: SessionDep, actor: ApiActor) -> ProgrammeRead:
    """One programme by code, with its courses and awarding institutions. Drafts are found
    only by the managers who may manage them (404 for anyone else)."""
    return programme_read(programmes.get_programme(session, actor, code))


@programmes_router.post("/{code}/publish", response_model=ProgrammeRead)
def publish_programme(code: str, session: SessionDep, actor: SignedInApiActor) -> ProgrammeRead:
    """Publish a programme. Refused (422, `mandatory_course_missing`) while it lacks a course
    an awarding institution makes mandatory."""
    return programme_read(programmes.publish_programme(session, actor, code))


@courses_router.get("", response_model=Page[CourseRead])
def catalogue(
    session: SessionDep,
    actor: ApiActor,
    q: Annotated[
        str | None, Query(max_length=200, description="Words of the title, code or summary")
    ] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    programme: Annotated[str | None, Query(max_length=32, description="Programme code")] = None,
    open: Annotated[bool, Query(description="Only open educational resources")] = False,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[CourseRead]:
    """The public catalogue of published courses, 20 a page; follow `next_cursor`. A partner
    system's token lists the courses its institution runs or is a partner of."""
    found, next_cursor = courses.catalogue(
        session,
        actor,
        text=q,
        language=language,
        programme=programme,
        open_only=open,
        cursor=cursor,
        limit=limit,
    )
    return Page[CourseRead](items=[course_read(c) for c in found], next_cursor=next_cursor)


@courses_router.post("", response_model=CourseRead, status_code=201)
def create_course(body: CourseCreate, session: SessionDep, actor: SignedInApiActor) -> CourseRead:
    """Create a course (draft). Managers only (an institution manager: for their own
    institution)."""
    return course_read(courses.create_course(session, actor, body))


@courses_router.post("/import", response_model=CourseRead, status_code=201)
def import_course(
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
    package: Annotated[UploadFile, File(description="A course package (.zip)")],
    code: Annotated[
        str | None, Query(max_length=32, description="Import under another code")
    ] = None,
) -> CourseRead:
    """Create a course from a package exported by Agora (or written in the `courses_seed/`
    format). All or nothing; the error names the offending entry."""
    try:
        archive = zipfile.ZipFile(package.file)
    except zipfile.BadZipFile as exc:
        raise packages.PackageInvalid("The upload is not a zip archive.", field="package") from exc
    source = packages.ZipSource(archive, settings.max_package_bytes)
    return course_read(packages.import_course(session, actor, settings, source, code))


# Digits only (`:int`), so that `PATCH /courses/import` is a 405, not course "import".
@courses_router.get("/{course_id:int}", response_model=CourseRead)
def read_course(
    course_id: Id, request: Request, response: Response, session: SessionDep, actor: ApiActor
) -> CourseRead | Response:
    """One course. Send the `ETag` back in `If-None-Match` to get 304 when unchanged."""
    course = courses.get_course(session, actor, course_id).course
    return _not_modified_or(request, response, etag_of(course)) or course_read(course)


@courses_router.patch("/{course_id:int}", response_model=CourseRead)
def update_course(
    course_id: Id,
    body: CourseUpdate,
    response: Response,
    session: SessionDep,
    actor: SignedInApiActor,
    if_match: Annotated[str | None, Header(description="The ETag you last read")] = None,
) -> CourseRead:
    """Change a course (teachers of the course, managers). With `If-Match`, a course changed
    since you read it is not overwritten (412)."""
    course = courses.update_course(session, actor, course_id, body, parse_if_match(if_match))
    response.headers["ETag"] = etag_of(course)
    return course_read(course)


@courses_router.post("/{course_id}/publish", response_model=CourseRead)
def publish_course(course_id: Id, session: SessionDep, actor: SignedInApiActor) -> CourseRead:
    """Make a course visible to its students (and to everyone if it is open). Teachers of the
    course and managers."""
    return course_read(courses.publish_course(session, actor, course_id))


@courses_router.put("/{course_id}/prerequisites", response_model=list[str])
def set_prerequisites(
    course_id: Id,
    body: Annotated[list[str], Body(description="Codes of courses to complete first")],
    session: SessionDep,
    actor: SignedInApiActor,
) -> list[str]:
    """Replace the courses a student must complete before this one opens. A cycle is
    refused (422 `prerequisite_cycle`)."""
    return courses.set_course_prerequisites(session, actor, course_id, body)


@courses_router.post("/{course_id}/runs", response_model=CourseRead, status_code=201)
def create_run(
    course_id: Id, body: CourseRunCreate, session: SessionDep, actor: SignedInApiActor
) -> CourseRead:
    """A new run of this course: content copied, dates shifted to the new start; it joins the
    course's programmes, whose members are enrolled in it. Managers who may edit the course."""
    return course_read(courses.create_run(session, actor, course_id, body))


@courses_router.get("/{course_id}/partners", response_model=list[InstitutionRead])
def list_partners(course_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """The partner institutions of a course: their managers and API clients reach it as the
    running institution's do. For coordinators and the running institution's managers."""
    return partners.partners_of(session, actor, course_id)


@courses_router.put(
    "/{course_id}/partners/{institution_code}", response_model=list[InstitutionRead]
)
def add_partner(
    course_id: Id,
    institution_code: Annotated[str, Path(max_length=32)],
    session: SessionDep,
    actor: SignedInApiActor,
) -> object:
    """Make an institution a partner of the course (idempotent); returns the partners. The
    running institution itself is refused (422 `running_institution_not_partner`)."""
    return partners.add_partner(session, actor, course_id, institution_code)


@courses_router.delete("/{course_id}/partners/{institution_code}", status_code=204)
def remove_partner(
    course_id: Id,
    institution_code: Annotated[str, Path(max_length=32)],
    session: SessionDep,
    actor: SignedInApiActor,
) -> None:
    """The institution stops being a partner: its managers and clients no longer reach the
    course (404 if it was not a partner)."""
    partners.remove_partner(session, actor, course_id, institution_code)


@courses_router.get("/{course_id}/outline", response_model=CourseOutline)
def outline(
    course_id: Id,
    session: SessionDep,
    actor: ApiActor,
    language: Annotated[
        str | None,
        Query(
            max_length=8,
            description="Module titles in this language where translated (each module's "
            "`language` then says so); else in the course's own.",
        ),
    ] = None,
) -> CourseOutline:
    """Sections and modules as the caller sees them: completion ticks, locks and why, and
    the caller's progress when they are a student of the course."""
    access = courses.get_course(session, actor, course_id)
    sections, progress = completion.outline(session, actor, access, language)
    return CourseOutline(course=course_read(access.course), sections=sections, progress=progress)


@courses_router.get("/{course_id}/progress", response_model=Progress)
def progress(course_id: Id, session: SessionDep, actor: SignedInApiActor) -> Progress:
    """The caller's progress in a course: required modules done, percent, and whether the
    course is complete (students of the course)."""
    access = courses.get_course(session, actor, course_id)
    return completion.progress(session, actor.user_id or 0, access.course.id)


@courses_router.get("/{course_id}/export", response_class=Response)
def export_course(
    course_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> Response:
    """The course as a package (.zip: `course.yaml`, Markdown, files). Teachers, managers."""
    data = packages.export_course(session, actor, settings, course_id)
    return Response(
        data,
        media_type="application/zip",
        headers=attachment_headers(f"course-{course_id}.zip"),
    )


@courses_router.get("/{course_id}/history", response_model=Page[CourseEditRead])
def history(
    course_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[CourseEditRead]:
    """Who changed what in the course and when, newest first, 50 a page; follow
    `next_cursor`. Teachers of the course and managers."""
    _access, entries, next_cursor = editing.course_history(session, actor, course_id, cursor, limit)
    items = [
        CourseEditRead(
            id=entry.edit.id, at=entry.edit.at, action=entry.edit.action,
            subject=entry.edit.subject, by=entry.by, actor_user_id=entry.edit.actor_user_id,
            version=entry.edit.version,
        )
        for entry in entries
    ]  # fmt: skip
    return Page[CourseEditRead](items=items, next_cursor=next_cursor)


@courses_router.post("/{course_id}/sections", response_model=SectionRead, status_code=201)
def add_section(
    course_id: Id, body: SectionCreate, session: SessionDep, actor: SignedInApiActor
) -> Section:
    """Add a week or topic (at `position`, else at the end). Teachers of the course and
    managers."""
    return content.add_section(session, actor, course_id, body)


@content_router.patch("/sections/{section_id}", response_model=SectionRead)
def update_section(
    section_id: Id, body: SectionUpdate, session: SessionDep, actor: SignedInApiActor
) -> Section:
    """Rename, describe, move or hide (`hidden`: with all its modules, from everyone but the
    course's staff) a section (teachers of the course, managers)."""
    return content.update_section(session, actor, section_id, body)


@content_router.delete("/sections/{section_id}", status_code=204)
def delete_section(section_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Delete a section and its modules, with their files and learners' completions
    (teachers of the course, managers). Recorded in the course's history."""
    content.delete_section(session, actor, section_id)


@content_router.post("/sections/{section_id}/modules", response_model=ModuleRead, status_code=201)
def add_module(
    section_id: Id,
    body: ModuleCreate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> Module:
    """Add a module. Pages take Markdown (`body`), links and videos a `url`; `requires` lists
    the keys of modules to complete first (cycles are refused)."""
    return content.add_module(session, actor, settings, section_id, body)


@content_router.get("/modules/{module_id}", response_model=ModuleRead)
def read_module(
    module_id: Id,
    session: SessionDep,
    actor: ApiActor,
    language: Annotated[
        str | None,
        Query(
            max_length=8,
            description="The version to read (`ru`, `fr`…); without it, or when the module "
            "has no version in that language, the course's own language. The answer's "
            "`language` says which was given.",
        ),
    ] = None,
) -> ModuleRead:
    """Open a module. Locked modules answer 403 `module_locked` with the reasons; opening a
    module completed by viewing completes it, whichever language it is read in. The answer
    lists the module's `translations`."""
    reading = translations.read_module_version(
        session, actor, module_id, interface=None, requested=language
    )
    return module_read(reading.access.module, reading.version)


def module_read(module: Module, version: translations.ModuleVersion) -> ModuleRead:
    return ModuleRead.model_validate(module).model_copy(
        update={
            "title": version.title,
            "body_html": version.body_html,
            "description": version.description,
            "language": version.language,
        }
    )


@content_router.put(
    "/modules/{module_id}/translations/{language}",
    response_model=ModuleTranslationRead,
    responses={201: {"model": ModuleTranslationRead, "description": "Created"}},
)
def put_translation(
    module_id: Id,
    language: Annotated[str, Path(max_length=8, description="One of en, fr, ru, ar")],
    body: TranslationWrite,
    response: Response,
    session: SessionDep,
    actor: SignedInApiActor,
) -> ModuleTranslation:
    """Create (201) or replace (200) the module's version in `language`: its title, Markdown
    `body` and description (teachers of the course, managers). Not in the course's own
    language (edit the module itself). Position, rules and completion stay the module's."""
    translation, created = translations.save_translation(session, actor, module_id, language, body)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return translation


@content_router.delete("/modules/{module_id}/translations/{language}", status_code=204)
def delete_translation(
    module_id: Id,
    language: Annotated[str, Path(max_length=8)],
    session: SessionDep,
    actor: SignedInApiActor,
) -> None:
    """Remove the module's version in `language` (teachers of the course, managers); readers
    get the course's language again. 404 `no_such_translation` when there is none."""
    translations.delete_translation(session, actor, module_id, language)


@content_router.patch("/modules/{module_id}", response_model=ModuleRead)
def update_module(
    module_id: Id,
    body: ModuleUpdate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> Module:
    """Change, move (`section_id`, `position`), re-link (`requires`), hide (`hidden`) or
    publish (`status`) a module (teachers of the course, managers). A hidden or draft module
    is seen by the course's staff only: for anyone else it does not exist (404)."""
    return content.update_module(session, actor, settings, module_id, body)


@content_router.post("/modules/{module_id}/publish", response_model=ModuleRead)
def publish_module(module_id: Id, session: SessionDep, actor: SignedInApiActor) -> Module:
    """Publish a draft module: its course's students then see it, unless it or its section
    is hidden (the same as `PATCH {"status": "published"}`; publishing twice changes
    nothing). Teachers of the course and managers."""
    return visibility.publish_module(session, actor, module_id)


@content_router.delete("/modules/{module_id}", status_code=204)
def delete_module(module_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Delete a module, with its files and learners' completions (teachers of the course,
    managers). Recorded in the course's history."""
    content.delete_module(session, actor, module_id)


@content_router.post("/modules/{module_id}/duplicate", response_model=ModuleRead, status_code=201)
def duplicate_module(module_id: Id, session: SessionDep, actor: SignedInApiActor) -> Module:
    """Copy a module right after it: key suffixed `-copy`, title marked as a copy, same files
    and prerequisites, as a draft (publish it when ready). Teachers of the course, managers."""
    return editing.duplicate_module(session, actor, module_id)


@content_router.post("/modules/{module_id}/files", response_model=ModuleFileRead, status_code=201)
def upload_file(
    module_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
) -> ModuleFileRead:
    """Attach a file (multipart). Its type is read from its content; over-size files, programs
    and files whose content does not match their name are refused. A file of the same name
    is replaced (its old content is removed from storage by `agora storage gc`)."""
    attached = content.attach_file(
        session, actor, settings, module_id, file.file, file.filename or ""
    )
    return file_read(module_id, attached)


def file_read(module_id: int, attached: ModuleFile) -> ModuleFileRead:
    stored = attached.content
    return ModuleFileRead(
        name=attached.name,
        size=stored.size,
        media_type=stored.media_type,
        url=f"/api/v1/modules/{module_id}/files/{attached.name}",
    )


@content_router.get("/modules/{module_id}/files/{name}", response_class=StreamingResponse)
def download_file(
    module_id: Id, name: str, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> StreamingResponse:
    """Download a module's file (always as an attachment), for whoever may open the module."""
    attached = content.module_file(session, actor, module_id, name)
    return download_response(storage_for(settings), attached)


@content_router.delete("/modules/{module_id}/files/{name}", status_code=204)
def remove_file(
    module_id: Id,
    name: Annotated[str, Path(max_length=255)],
    session: SessionDep,
    actor: SignedInApiActor,
) -> None:
    """Detach a file from a module (teachers of the course, managers). To replace a file,
    upload one with the same name."""
    editing.remove_file(session, actor, module_id, name)


@content_router.post("/modules/{module_id}/completion", response_model=CompletionRead)
def mark_done(module_id: Id, session: SessionDep, actor: SignedInApiActor) -> CompletionRead:
    """Mark a module done (students of the course). Idempotent."""
    access = completion.mark_done(session, actor, module_id)
    return CompletionRead(
        module_id=module_id,
        completed=True,
        progress=completion.progress(session, actor.user_id or 0, access.course.course.id),
    )


routers = [programmes_router, courses_router, content_router]

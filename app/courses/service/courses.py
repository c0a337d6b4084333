"""Courses: creation, reading with the reader's roles, updates, runs and the catalogue."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.service import find_institution
from app.core.actors import Actor, require
from app.core.errors import Conflict, DomainError, Invalid, NotFound, PreconditionFailed
from app.core.events import publish
from app.core.i18n import DEFAULT_LOCALE, N_, format_number, translations_for
from app.core.pagination import paginate
from app.courses import policy
from app.courses.events import CourseRunCreated
from app.courses.models import (
    Course,
    CoursePrerequisite,
    Module,
    ModuleFile,
    ModulePrerequisite,
    ModuleTranslation,
    Programme,
    ProgrammeCourse,
    Section,
    Status,
)
from app.courses.schemas import WORKLOAD_HOURS_PER_ECTS, CourseCreate, CourseRunCreate, CourseUpdate
from app.courses.service.access import check_no_cycle, course_prerequisite_graph
from app.courses.service.history import record_edit
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.membership.service import active_enrolment, copy_partners, course_roles


class CourseCodeTaken(Conflict):
    code = "course_code_taken"
    title = N_("A course with this code already exists.")


@dataclass(frozen=True)
class CourseAccess:
    """A course with the roles the reader holds in it."""

    course: Course
    roles: frozenset[CourseRole]
    # A staff member's preview as a student (`preview_as_student`): the roles are then the
    # student's the preview derives, not the reader's own.
    preview: bool = False


WORKLOAD_WARNING = N_(
    "%(hours)s h of work for %(ects)s ECTS is outside 25–30 h per credit "
    "(expected %(low)s–%(high)s h)."
)


def workload_warning(ects: Decimal, hours: int, locale: str = DEFAULT_LOCALE) -> str | None:
    """ECTS asks 25–30 hours of student work per credit; outside that, say so (in `locale`;
    `h` is an abbreviation, the same for any number)."""
    if ects <= 0:
        return None
    low, high = (ects * bound for bound in WORKLOAD_HOURS_PER_ECTS)
    if low <= hours <= high:
        return None
    return translations_for(locale).gettext(WORKLOAD_WARNING) % {
        "hours": format_number(hours, locale),
        "ects": format_number(ects, locale),
        "low": format_number(round(low), locale),
        "high": format_number(round(high), locale),
    }


def find_course(session: Session, actor: Actor, code: str) -> CourseAccess:
    """A course the actor may see, by code; otherwise NotFound (its existence is not leaked)."""
    return _visible(session, actor, Course.code == code)


def get_course(session: Session, actor: Actor, course_id: int) -> CourseAccess:
    return _visible(session, actor, Course.id == course_id)


def _visible(session: Session, actor: Actor, which: ColumnElement[bool]) -> CourseAccess:
    course, roles = _course_and_roles(session, actor, which)
    if course is None or not policy.can_view_course(actor, course, roles):
        raise NotFound(N_("No such course."))
    return CourseAccess(course, roles)


def _course_and_roles(
    session: Session, actor: Actor, which: ColumnElement[bool]
) -> tuple[Course | None, frozenset[CourseRole]]:
    """The course and the actor's roles in it: one statement for a person (every course page
    reads both), `course_roles` for the rest (a confined actor's reach is checked first)."""
    if actor.user_id is None or actor.is_confined:
        course = session.scalar(select(Course).where(which))
        return course, course_roles(session, actor, course.id) if course else frozenset()
    rows = session.execute(
        select(Course, Enrolment.role)
        .outerjoin(Enrolment, active_enrolment(actor.user_id, Enrolment.course_id == Course.id))
        .where(which)
    ).all()
    if not rows:
        return None, frozenset()
    return rows[0][0], frozenset(role for _, role in rows if role is not None)


def preview_as_student(actor: Actor, access: CourseAccess) -> tuple[Actor, CourseAccess]:
    """The course as a student with no progress reads it (no drafts, nothing hidden, the
    locks shown), for its staff: the reader and roles every later read of the preview uses.
    The derived reader has no account, so the preview records nothing. Anyone else already
    reads the course as they are: their own view is returned."""
    if access.preview or not policy.can_preview_as_student(actor, access.roles):
        return actor, access
    student, roles = policy.student_view()
    return student, CourseAccess(access.course, roles, preview=True)


def editable_course(session: Session, actor: Actor, course_id: int) -> Course:
    access = get_course(session, actor, course_id)
    require(policy.can_edit_course(actor, access.roles))
    return access.course


class CourseChanged(Conflict):
    code = "course_changed"
    title = N_("Someone else changed this course meanwhile; reload it and apply your change again.")


def touch(course: Course, if_match: int | None = None) -> None:
    """Any change to a course or its content raises its version (its ETag, and the key of its
    cached structure), at once and only from the version this request read (the mapper's
    `version_id_col`): of two concurrent writers the second is refused (412 with `If-Match`,
    else 409) instead of overwriting the first or sharing its version."""
    session = object_session(course)
    assert session is not None, "touch() needs a course loaded in a session"
    course.version += 1
    try:
        session.flush()
    except StaleDataError as exc:
        raise _changed(if_match) from exc


def _changed(if_match: int | None) -> DomainError:
    if if_match is None:
        return CourseChanged()
    return PreconditionFailed()


def check_version(course: Course, if_match: int | None) -> None:
    if if_match is not None and if_match != course.version:
        raise PreconditionFailed(
            f"The course is now at version {course.version}; reload it and apply your change again."
        )


def check_may_create_course(actor: Actor) -> None:
    require(policy.can_create_course(actor))


def create_course(session: Session, actor: Actor, data: CourseCreate) -> Course:
    check_may_create_course(actor)
    if session.scalar(select(Course.id).where(Course.code == data.code)) is not None:
        raise CourseCodeTaken(field="code")
    values = data.model_dump(exclude={"institution_code"})
    course = Course(**values)
    if data.institution_code:
        course.institution_id = find_institution(session, data.institution_code).id
    elif actor.is_institution_manager:
        course.institution_id = actor.institution_id
    require(policy.can_run_course_for(actor, course.institution_id))
    session.add(course)
    session.flush()
    record_edit(session, actor, course, "course.created", course.title)
    return course


def update_course(
    session: Session, actor: Actor, course_id: int, data: CourseUpdate, if_match: int | None
) -> Course:
    course = editable_course(session, actor, course_id)
    check_version(course, if_match)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(course, name, value)
    touch(course, if_match)
    record_edit(session, actor, course, "course.updated", course.title)
    session.flush()
    return course


def publish_course(session: Session, actor: Actor, course_id: int) -> Course:
    course = editable_course(session, actor, course_id)
    course.status = Status.PUBLISHED
    touch(course)
    record_edit(session, actor, course, "course.published", course.title)
    return course


def create_run(session: Session, actor: Actor, template_id: int, data: CourseRunCreate) -> Course:
    """A new run of a course: sections, modules, files and prerequisites copied, dates shifted
    by the gap between the two starts; the run starts as a draft, in its template's
    programmes, and `CourseRunCreated` tells enrolment to enrol their members."""
    template = editable_course(session, actor, template_id)
    require(policy.can_create_course(actor))
    if session.scalar(select(Course.id).where(Course.code == data.code)) is not None:
        raise CourseCodeTaken(field="code")
    shift = data.starts_on - (template.starts_on or data.starts_on)
    run = Course(
        code=data.code,
        title=data.title or template.title,
        summary=template.summary,
        language=template.language,
        ects=template.ects,
        workload_hours=template.workload_hours,
        isced_code=template.isced_code,
        eqf_level=template.eqf_level,
        starts_on=data.starts_on,
        ends_on=_shifted(template.ends_on, shift),
        institution_id=template.institution_id,
        is_open=template.is_open,
        licence=template.licence,
        self_enrolment=template.self_enrolment,
        template_id=template.id,
    )
    session.add(run)
    session.flush()
    copy_partners(session, template.id, run.id)
    _copy_content(session, template, run, shift)
    record_edit(session, actor, run, "course.created", template.title)
    # A run belongs to its template's programmes (whose members enrolment then enrols).
    for link in session.scalars(
        select(ProgrammeCourse).where(ProgrammeCourse.course_id == template.id)
    ):
        session.add(
            ProgrammeCourse(
                programme_id=link.programme_id,
                course_id=run.id,
                semester=link.semester,
                position=link.position,
                mandatory=link.mandatory,
            )
        )
    session.flush()
    publish(session, CourseRunCreated(course_id=run.id, template_id=template.id, by=actor))
    return run


def _shifted(day: date | None, shift: timedelta) -> date | None:
    return day + shift if day else None


def _copy_content(session: Session, template: Course, run: Course, shift: timedelta) -> None:
    sections = session.scalars(
        select(Section)
        .where(Section.course_id == template.id)
        .options(
            selectinload(Section.modules).selectinload(Module.files),
            selectinload(Section.modules).selectinload(Module.requires),
            selectinload(Section.modules).selectinload(Module.translations),
        )
        .order_by(Section.position)
    ).all()
    new_ids: dict[int, Module] = {}
    for section in sections:
        copy = Section(
            course_id=run.id,
            position=section.position,
            title=section.title,
            summary=section.summary,
            hidden=section.hidden,
        )
        session.add(copy)
        session.flush()
        for module in section.modules:
            new_ids[module.id] = _copy_module(session, module, run.id, copy.id, shift)
    session.flush()
    for old_id, new in new_ids.items():
        for link in session.scalars(
            select(ModulePrerequisite).where(ModulePrerequisite.module_id == old_id)
        ):
            session.add(
                ModulePrerequisite(
                    module_id=new.id, required_module_id=new_ids[link.required_module_id].id
                )
            )


def _copy_module(
    session: Session, module: Module, course_id: int, section_id: int, shift: timedelta
) -> Module:
    copy = Module(
        course_id=course_id,
        section_id=section_id,
        **{
            name: getattr(module, name)
            for name in (
                "key",
                "position",
                "kind",
                "title",
                "body_markdown",
                "body_html",
                "url",
                "description",
                "external_ref",
                "completion_rule",
                "required",
                "status",
                "hidden",
                "is_open",
                "licence",
            )
        },
        available_from=module.available_from + shift if module.available_from else None,
        available_until=module.available_until + shift if module.available_until else None,
    )
    copy.files = [
        ModuleFile(content_file_id=f.content_file_id, name=f.name, position=f.position)
        for f in module.files
    ]
    copy.translations = [
        ModuleTranslation(
            language=t.language,
            title=t.title,
            body_markdown=t.body_markdown,
            body_html=t.body_html,
            description=t.description,
        )
        for t in module.translations
    ]
    session.add(copy)
    session.flush()
    return copy


def catalogue(
    session: Session,
    actor: Actor,
    *,
    text: str | None = None,
    language: str | None = None,
    programme: str | None = None,
    open_only: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[Sequence[Course], str | None]:
    """Published courses, searchable by words of the title, code or summary, by language and
    by programme code. Anyone may browse it; partner clients and institution managers see
    their institution's courses and those it partners."""
    stmt = policy.visible_courses(actor)
    if text:
        for word in text.lower().split()[:8]:
            pattern = f"%{word}%"
            stmt = stmt.where(
                or_(
                    func.lower(Course.title).like(pattern),
                    func.lower(Course.code).like(pattern),
                    func.lower(Course.summary).like(pattern),
                )
            )
    if language:
        stmt = stmt.where(Course.language == language)
    if open_only:
        stmt = stmt.where(Course.is_open.is_(True))
    if programme:
        stmt = stmt.where(
            Course.id.in_(
                select(ProgrammeCourse.course_id)
                .join(Programme, Programme.id == ProgrammeCourse.programme_id)
                .where(Programme.code == programme)
            )
        )
    return paginate(session, stmt, Course.id, cursor, limit)


@dataclass(frozen=True)
class MyCourse:
    course: Course
    role: CourseRole


def my_courses(session: Session, actor: Actor) -> list[MyCourse]:
    """The courses a person is actively enrolled in, with their role, newest first."""
    if actor.user_id is None:
        return []
    rows = session.execute(
        select(Course, Enrolment.role)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.user_id == actor.user_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(Course.starts_on.desc().nulls_last(), Course.title)
    ).all()
    return [
        MyCourse(course, role)
        for course, role in rows
        if policy.can_view_course(actor, course, frozenset({role}))
    ]


def set_course_prerequisites(
    session: Session, actor: Actor, course_id: int, required_codes: list[str]
) -> list[str]:
    """The courses a student must complete before this one opens; cycles are refused."""
    course = editable_course(session, actor, course_id)
    found = dict(
        session.execute(select(Course.code, Course.id).where(Course.code.in_(required_codes))).all()
    )
    unknown = sorted(set(required_codes) - set(found))
    if unknown:
        raise Invalid(f"No course has the code {unknown[0]!r}.", field="requires")
    check_no_cycle(course_prerequisite_graph(session), course.id, list(found.values()))
    session.execute(delete(CoursePrerequisite).where(CoursePrerequisite.course_id == course.id))
    session.add_all(
        CoursePrerequisite(course_id=course.id, required_course_id=required)
        for required in found.values()
    )
    touch(course)
    record_edit(session, actor, course, "course.prerequisites", ", ".join(sorted(found)))
    return sorted(found)

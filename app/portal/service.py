"""What the portal's composed pages show: each domain's part, chosen for this reader. The
rules are the domains'; this decides only which parts a reader gets."""

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.courses import policy
from app.courses.models import ModuleKind
from app.courses.schemas import Progress, SectionOutline
from app.courses.service import agenda, completion, courses
from app.courses.service.agenda import DateAhead, NextStep
from app.courses.service.courses import CourseAccess, MyCourse, workload_warning
from app.courses.service.visibility import Landing
from app.enrolment.service import enrolment_of
from app.membership.models import Enrolment
from app.webinars.service import access as webinars
from app.webinars.service import linked
from app.webinars.service.linked import LinkedSession


@dataclass(frozen=True)
class Dashboard:
    my_courses: list[MyCourse]
    progress: dict[int, Progress] = field(default_factory=dict)
    next_steps: dict[int, NextStep] = field(default_factory=dict)
    dates_ahead: list[DateAhead] = field(default_factory=list)


def dashboard(session: Session, actor: Actor) -> Dashboard:
    """A person's courses with their progress and next step, and the dates ahead in them
    (course dates and webinars, in time order). A visitor has none."""
    mine = courses.my_courses(session, actor)
    if actor.user_id is None:
        return Dashboard(mine)
    studies = agenda.agenda(session, actor.user_id, mine)
    others = [m.course.id for m in mine if m.course.id not in studies.progress]
    progress = {
        **studies.progress,  # taught courses: a query of their own
        **(completion.progress_by_course(session, actor.user_id, others) if others else {}),
    }
    dates_ahead = sorted(
        [*studies.dates_ahead, *webinars.dates_ahead(session, actor.user_id)], key=lambda d: d.at
    )
    return Dashboard(mine, progress, studies.next_steps, dates_ahead)


@dataclass(frozen=True)
class CourseOverview:
    sections: list[SectionOutline]
    progress: Progress | None
    workload_warning: str | None
    can_edit: bool
    enrolled: bool
    enrolment: Enrolment | None
    sessions_ahead: list[webinars.SessionAhead]
    # Sessions of the webinar modules, by module id: a seminar shows as one, with its days.
    module_sessions: dict[int, list[LinkedSession]] = field(default_factory=dict)
    can_preview: bool = False  # staff: offer the preview as a student
    previewing: bool = False
    # A reader whose progress is not recorded (a visitor, anyone reading open content) is
    # told how to have it recorded instead of being shown completion controls.
    progress_note: bool = False
    # Where the page may keep the outline it renders for this version of the course (None:
    # the structure was not kept, so render afresh).
    outline_memo: dict[Hashable, Any] | None = None


def course_overview(
    session: Session, actor: Actor, access: CourseAccess, language: str | None = None
) -> CourseOverview:
    """The course page: its outline as this reader sees it; for a person not (actively)
    enrolled, their request's state or nothing (the self-enrolment form); the webinars
    ahead (for its participants: the webinars service decides)."""
    sections, progress = completion.outline(session, actor, access, language)
    course = access.course
    staff = policy.sees_drafts(actor, access.roles)
    return CourseOverview(
        sections=sections,
        progress=progress,
        workload_warning=workload_warning(course.ects, course.workload_hours, language or "en"),
        can_edit=policy.can_edit_course(actor, access.roles),
        enrolled=bool(access.roles),
        enrolment=None if access.roles else enrolment_of(session, actor.user_id, course.id),
        sessions_ahead=webinars.upcoming_in_course(session, access.roles, course.id),
        module_sessions=linked.sessions_of_modules(
            session,
            actor,
            access.roles,
            course.id,
            [m.id for s in sections for m in s.modules if m.kind is ModuleKind.WEBINAR],
        ),
        can_preview=policy.can_preview_as_student(actor, access.roles),
        previewing=access.preview,
        progress_note=not staff
        and not access.preview
        and not policy.tracks_completion(actor, access.roles),
        outline_memo=completion.kept_shape_memo(course),
    )


@dataclass(frozen=True)
class LandingOverview:
    landing: Landing
    enrolment: Enrolment | None


def course_landing(session: Session, actor: Actor, landing: Landing) -> LandingOverview:
    """A closed course's landing page: what the course is, and the reader's request to join
    it if they made one (the self-enrolment form otherwise, where the course allows it)."""
    return LandingOverview(landing, enrolment_of(session, actor.user_id, landing.course.id))

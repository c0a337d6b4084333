"""Recognition applications as their learner keeps them: filed for courses of a programme
they are enrolled in, edited while a draft, submitted, withdrawn before a decision. Who sees
one and what they may do with it is asked of the policy; everything else is a 404."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.courses.models import Programme, ProgrammeCourse
from app.credits import policy
from app.credits.recognition_models import (
    ApplicationStatus,
    RecognitionApplication,
    RecognitionDecision,
    RecognitionEvidence,
    RecognitionRequest,
)
from app.credits.service import ledger
from app.enrolment.models import ProgrammeEnrolment

NO_APPLICATION = N_("No such recognition application.")
OPEN = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


# Made on first use: making a loader option configures every mapper, work for the first query.
@cache
def _with_all() -> tuple[LoaderOption, ...]:
    return (
        selectinload(RecognitionApplication.requests).selectinload(RecognitionRequest.course),
        selectinload(RecognitionApplication.evidence).selectinload(RecognitionEvidence.content),
        selectinload(RecognitionApplication.jury),
        selectinload(RecognitionApplication.decision).selectinload(RecognitionDecision.items),
    )


class AlreadyCredited(Conflict):
    code = "already_credited"
    title = N_("A requested course is already credited to you: it is never counted twice.")


class AlreadyRequested(Conflict):
    code = "already_requested"
    title = N_("A requested course is already asked for in another open application.")


class NotADraft(Conflict):
    code = "application_not_draft"
    title = N_("Only a draft application can be changed.")


class ApplicationClosed(Conflict):
    code = "application_closed"
    title = N_("This application is decided or withdrawn.")


@dataclass
class ApplicationView:
    """An application with what the reader may do with it."""

    application: RecognitionApplication
    learner: User
    programme: Programme
    awarding_ids: list[int]
    is_learner: bool
    is_member: bool
    is_chair: bool
    names_jury: bool
    records_decision: bool

    @property
    def chair_id(self) -> int | None:
        return next((m.user_id for m in self.application.jury if m.is_chair), None)


def _programme(session: Session, programme_id: int) -> Programme | None:
    return session.scalar(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(
            selectinload(Programme.institutions),
            selectinload(Programme.courses).selectinload(ProgrammeCourse.course),
        )
    )


def view_of(session: Session, actor: Actor, application: RecognitionApplication) -> ApplicationView:
    """What `actor` may do with a loaded application; NotFound when it may not see it."""
    programme = _programme(session, application.programme_id)
    learner = session.get(User, application.user_id)
    if programme is None or learner is None:
        raise NotFound(NO_APPLICATION)
    awarding = [i.id for i in programme.institutions]
    jury_ids = {m.user_id for m in application.jury}
    submitted = application.submitted_at is not None
    require(
        policy.sees_recognition_application(
            actor, learner_id=learner.id, submitted=submitted, jury_ids=jury_ids,
            awarding_institution_ids=awarding, learner_institution_id=learner.institution_id,
        ),
        NotFound, NO_APPLICATION,
    )  # fmt: skip
    chair = next((m.user_id for m in application.jury if m.is_chair), None)
    return ApplicationView(
        application=application, learner=learner, programme=programme, awarding_ids=awarding,
        is_learner=actor.user_id == learner.id,
        is_member=actor.user_id in jury_ids,
        is_chair=chair is not None and actor.user_id == chair,
        names_jury=policy.names_recognition_jury(actor, awarding, learner.institution_id),
        records_decision=policy.records_recognition_decision(
            actor, chair, awarding, learner.institution_id
        ),
    )  # fmt: skip


def application_view(session: Session, actor: Actor, application_id: int) -> ApplicationView:
    """The application as `actor` may see it, loaded with its requests, evidence, jury and
    decision; 404 when it is hidden from them."""
    application = session.scalar(
        select(RecognitionApplication)
        .where(RecognitionApplication.id == application_id)
        .options(*_with_all())
    )
    if application is None:
        raise NotFound(NO_APPLICATION)
    return view_of(session, actor, application)


def learners_view(session: Session, actor: Actor, application_id: int) -> ApplicationView:
    """The application for its learner to change: others who see it are refused (403)."""
    view = application_view(session, actor, application_id)
    require(policy.files_recognition(actor, view.learner.id), Forbidden)
    return view


def draft_view(session: Session, actor: Actor, application_id: int) -> ApplicationView:
    """The learner's draft; 409 once submitted."""
    view = learners_view(session, actor, application_id)
    if view.application.status is not ApplicationStatus.DRAFT:
        raise NotADraft()
    return view


def refuse_credited(session: Session, user_id: int, course_ids: Collection[int]) -> None:
    """A course already credited in force to the learner is never asked for (or granted) again."""
    held = {e.course_id for e in ledger.in_force(session, [user_id])[user_id]}
    if held & set(course_ids):
        raise AlreadyCredited(field="course_ids")


def _refuse_requested_elsewhere(
    session: Session, application: RecognitionApplication, course_ids: Collection[int]
) -> None:
    if not course_ids:
        return
    clash = session.scalar(
        select(RecognitionRequest.id)
        .join(RecognitionApplication)
        .where(
            RecognitionApplication.user_id == application.user_id,
            RecognitionApplication.id != application.id,
            RecognitionApplication.status.in_(OPEN),
            RecognitionRequest.course_id.in_(list(course_ids)),
        )
        .limit(1)
    )
    if clash is not None:
        raise AlreadyRequested(field="course_ids")


def _set_content(
    session: Session, view: ApplicationView, course_ids: Sequence[int], experience: str
) -> None:
    """Replace the requested courses and the experience of a draft, within the rules."""
    application = view.application
    offered = {pc.course_id: pc.course for pc in view.programme.courses}
    wanted = list(dict.fromkeys(course_ids))
    if any(course_id not in offered for course_id in wanted):
        raise Invalid(N_("Ask only for courses of the programme."), field="course_ids")
    refuse_credited(session, application.user_id, wanted)
    _refuse_requested_elsewhere(session, application, wanted)
    kept = [r for r in application.requests if r.course_id in wanted]
    known = {r.course_id for r in kept}
    application.requests = kept + [
        RecognitionRequest(course_id=course_id, course=offered[course_id])
        for course_id in wanted
        if course_id not in known
    ]
    application.experience_markdown = experience
    application.experience_html = render_markdown(experience)
    application.updated_at = utcnow()
    session.flush()


def create(
    session: Session, actor: Actor, programme_id: int, course_ids: Sequence[int], experience: str
) -> ApplicationView:
    """A draft application for courses of a programme the learner is enrolled in."""
    learner_id = actor.user_id
    require(learner_id is not None and policy.files_recognition(actor, learner_id), Forbidden)
    enrolled = session.scalar(
        select(ProgrammeEnrolment.id).where(
            ProgrammeEnrolment.programme_id == programme_id,
            ProgrammeEnrolment.user_id == learner_id,
        )
    )
    if enrolled is None:
        raise Invalid(N_("You are not enrolled in this programme."), field="programme_id")
    application = RecognitionApplication(user_id=learner_id, programme_id=programme_id)
    session.add(application)
    session.flush()
    application = session.scalars(
        select(RecognitionApplication)
        .where(RecognitionApplication.id == application.id)
        .options(*_with_all())
    ).one()
    view = view_of(session, actor, application)
    _set_content(session, view, course_ids, experience)
    return view


def update(
    session: Session, actor: Actor, application_id: int, course_ids: Sequence[int],
    experience: str,
) -> ApplicationView:  # fmt: skip
    """Change a draft's requested courses and experience (replacing both)."""
    view = draft_view(session, actor, application_id)
    _set_content(session, view, course_ids, experience)
    return view


def submit(session: Session, actor: Actor, application_id: int) -> ApplicationView:
    """Hand a draft in: at least one course and a description of the experience."""
    view = draft_view(session, actor, application_id)
    application = view.application
    if not application.requests:
        raise Invalid(N_("Ask for at least one course."), field="course_ids")
    if not application.experience_markdown.strip():
        raise Invalid(N_("Describe your experience."), field="experience")
    refuse_credited(session, application.user_id, [r.course_id for r in application.requests])
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = application.updated_at = utcnow()
    session.flush()
    return view


def withdraw(session: Session, actor: Actor, application_id: int) -> ApplicationView:
    """The learner withdraws their application any time before the decision."""
    view = learners_view(session, actor, application_id)
    application = view.application
    if application.status not in OPEN:
        raise ApplicationClosed()
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = application.updated_at = utcnow()
    session.flush()
    return view


def delete(session: Session, actor: Actor, application_id: int) -> None:
    """A draft nobody else has seen may be deleted by its learner."""
    view = draft_view(session, actor, application_id)
    session.delete(view.application)
    session.flush()


def enrolled_programmes(session: Session, actor: Actor) -> Sequence[Programme]:
    """The programmes the learner may file an application in: those they are enrolled in."""
    return session.scalars(
        select(Programme)
        .join(ProgrammeEnrolment, ProgrammeEnrolment.programme_id == Programme.id)
        .where(ProgrammeEnrolment.user_id == actor.user_id)
        .order_by(Programme.code)
    ).all()

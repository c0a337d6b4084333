"""Registration: a place, or the waiting list when full, promoted first come first served.
Every change of places holds the webinar's row lock, so two people never take the last one."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.enrolment.cohorts import get_cohort
from app.enrolment.models import CohortMember, Group, GroupMember
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.webinars import policy
from app.webinars.models import Registration, RegistrationStatus, SessionStatus, WebinarSession
from app.webinars.schemas import BulkRegistration, BulkRegistrationResult
from app.webinars.service.access import WebinarCancelled, visible_webinar
from app.webinars.service.bulk import insert_all


class AlreadyRegistered(Conflict):
    code = "already_registered"
    title = N_("You are already registered for this session.")


class WebinarOver(Conflict):
    code = "session_over"
    title = N_("This session is over.")


class Placement(StrEnum):
    """What registering someone did."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    ALREADY = "already"  # they held a place or were waiting already


@dataclass(frozen=True)
class RegistrationLine:
    registration: Registration
    user: User


def _taken(session: Session, webinar_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.session_id == webinar_id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
        )
        or 0
    )


def _existing(session: Session, webinar_id: int, user_ids: list[int]) -> dict[int, Registration]:
    return {
        r.user_id: r
        for r in session.scalars(
            select(Registration).where(
                Registration.session_id == webinar_id, Registration.user_id.in_(user_ids)
            )
        )
    }


def _place_all(
    session: Session, webinar: WebinarSession, user_ids: list[int], by: int | None
) -> list[Placement]:
    """Register each person in turn, or put them on the waiting list once full, in a fixed
    number of queries. The caller holds the webinar's row lock."""
    existing = _existing(session, webinar.id, user_ids)
    taken = _taken(session, webinar.id)
    now = utcnow()
    placements, new = [], []
    for user_id in user_ids:
        registration = existing.get(user_id)
        if registration is not None and registration.status is not RegistrationStatus.CANCELLED:
            placements.append(Placement.ALREADY)
            continue
        full = webinar.capacity is not None and taken >= webinar.capacity
        status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
        taken += status is RegistrationStatus.REGISTERED
        values = {"status": status, "registered_at": now, "registered_by_id": by,
                  "cancelled_at": None, "promoted_at": None}  # fmt: skip
        if registration is None:
            new.append({"session_id": webinar.id, "user_id": user_id, **values})
        else:
            for name, value in values.items():
                setattr(registration, name, value)
        placements.append(Placement(status.value))
    session.flush()
    insert_all(session, Registration, new)
    return placements


def promote_waiting(session: Session, webinar: WebinarSession) -> None:
    """Fill free places from the waiting list, first come first served. The caller holds
    the webinar's row lock."""
    free = None if webinar.capacity is None else webinar.capacity - _taken(session, webinar.id)
    if free is not None and free <= 0:
        return
    waiting = (
        select(Registration)
        .where(
            Registration.session_id == webinar.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.registered_at, Registration.id)
    )
    if free is not None:
        waiting = waiting.limit(free)
    now = utcnow()
    for registration in session.scalars(waiting):
        registration.status, registration.promoted_at = RegistrationStatus.REGISTERED, now
    session.flush()


def _open_for_registration(webinar: WebinarSession) -> None:
    if webinar.status is SessionStatus.CANCELLED:
        raise WebinarCancelled()
    if webinar.ends_at <= utcnow():
        raise WebinarOver()


def _registration_of(session: Session, webinar_id: int, user_id: int) -> Registration | None:
    return session.scalar(
        select(Registration).where(
            Registration.session_id == webinar_id, Registration.user_id == user_id
        )
    )


def register(session: Session, actor: Actor, webinar_id: int) -> Registration:
    """A student of the course takes a place, or joins the waiting list when it is full."""
    access = visible_webinar(session, actor, webinar_id, lock=True)
    require(policy.can_register_self(actor, access.roles))
    assert actor.user_id is not None
    _open_for_registration(access.webinar)
    (placement,) = _place_all(session, access.webinar, [actor.user_id], actor.user_id)
    if placement is Placement.ALREADY:
        raise AlreadyRegistered()
    found = _registration_of(session, webinar_id, actor.user_id)
    assert found is not None
    return found


def cancel_registration(session: Session, actor: Actor, webinar_id: int) -> Registration:
    """Give up one's place; the first person waiting takes it."""
    access = visible_webinar(session, actor, webinar_id, lock=True)
    require(policy.has_own_place(actor))
    assert actor.user_id is not None
    registration = _registration_of(session, webinar_id, actor.user_id)
    if registration is None or registration.status is RegistrationStatus.CANCELLED:
        raise NotFound(N_("You are not registered for this session."))
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, utcnow()
    session.flush()
    promote_waiting(session, access.webinar)
    return registration


def _members(
    session: Session, actor: Actor, webinar: WebinarSession, data: BulkRegistration
) -> Select[int]:
    if data.cohort_id is not None:
        get_cohort(session, actor, data.cohort_id)
        return select(CohortMember.user_id).where(CohortMember.cohort_id == data.cohort_id)
    group = session.get(Group, data.group_id)
    if group is None or group.course_id != webinar.course_id:
        raise Invalid(N_("No such group in this course."), field="group_id")
    return select(GroupMember.user_id).where(GroupMember.group_id == group.id)


def register_many(
    session: Session, actor: Actor, webinar_id: int, data: BulkRegistration
) -> BulkRegistrationResult:
    """A teacher registers a whole cohort or group; only the course's active students are
    taken. A fixed number of queries whatever the group's size, under the row lock."""
    access = visible_webinar(session, actor, webinar_id, lock=True)
    require(policy.can_register_others(actor, access.roles))
    _open_for_registration(access.webinar)
    people = set(session.scalars(_members(session, actor, access.webinar, data)))
    students = list(
        dict.fromkeys(
            session.scalars(
                select(Enrolment.user_id)
                .where(
                    Enrolment.course_id == access.webinar.course_id,
                    Enrolment.user_id.in_(people),
                    Enrolment.role == CourseRole.STUDENT,
                    Enrolment.status == EnrolmentStatus.ACTIVE,
                )
                .order_by(Enrolment.user_id)
            )
        )
    )
    placements = _place_all(session, access.webinar, students, actor.user_id)
    return BulkRegistrationResult(
        registered=placements.count(Placement.REGISTERED),
        waitlisted=placements.count(Placement.WAITLISTED),
        already=placements.count(Placement.ALREADY),
        skipped_not_students=len(people) - len(students),
    )


def registrations(session: Session, actor: Actor, webinar_id: int) -> list[RegistrationLine]:
    access = visible_webinar(session, actor, webinar_id)
    require(policy.can_read_attendance(actor, access.roles), NotFound, N_("No such session."))
    rows = session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(Registration.session_id == webinar_id)
        .order_by(Registration.status, Registration.registered_at)
    ).all()
    return [RegistrationLine(registration, user) for registration, user in rows]

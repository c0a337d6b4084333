"""Enrolments: roles in courses, how people get them, their lifecycle and history."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.audit import audit, plain
from app.accounts.models import User
from app.accounts.service import find_user_by_email
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.events import publish
from app.core.i18n import N_
from app.core.security import hash_password, verify_password
from app.courses.models import Course, SelfEnrolment
from app.courses.service.visibility import listed_course
from app.enrolment import policy
from app.enrolment.events import EnrolmentChanged
from app.enrolment.models import EnrolmentChange, EnrolmentOptions
from app.membership.models import CourseRole, Enrolment, EnrolmentMethod, EnrolmentStatus, Funding
from app.membership.service import course_roles


class CourseFull(Conflict):
    code = "course_full"
    title = N_("The course is full.")


class EnrolmentClosed(Forbidden):
    code = "enrolment_closed"
    title = N_("Enrolment in this course is not open now.")


class WrongEnrolmentKey(Invalid):
    code = "wrong_enrolment_key"
    title = N_("The enrolment key is not correct.")


class AlreadyEnrolled(Conflict):
    code = "already_enrolled"
    title = N_("You are already enrolled in this course.")


# What a self-enrolment refusal says, by its stable code (for pages that redirect with it).
SELF_ENROLMENT_REFUSALS = {
    error.code: error.title
    for error in (CourseFull, EnrolmentClosed, WrongEnrolmentKey, AlreadyEnrolled)
}


class FunderRequired(Invalid):
    code = "funder_required"
    title = N_("A scholarship needs the funder's name.")


@dataclass(frozen=True)
class EnrolmentTerms:
    """How a person is enrolled. Every way in (the API, bulk rows and CSV files, cohort
    intake lists, programmes, the portal) builds these terms, so their rules hold for all:
    a scholarship names its funder."""

    role: CourseRole = CourseRole.STUDENT
    funding: Funding = Funding.SELF
    funder_name: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.funding is Funding.SCHOLARSHIP and not (self.funder_name or "").strip():
            raise FunderRequired(field="funder_name")


def record_change(
    session: Session,
    actor: Actor,
    enrolment: Enrolment,
    to_status: EnrolmentStatus,
    reason: str,
    from_status: EnrolmentStatus | None = None,
) -> None:
    session.add(
        EnrolmentChange(
            enrolment_id=enrolment.id,
            by_user_id=actor.user_id,
            by_client_id=actor.api_client_id,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value,
            reason=reason,
        )
    )
    created = from_status is None
    audit(
        session, actor, "enrolment.create" if created else "enrolment.status",
        f"enrolment:{enrolment.id}", reason, person_id=enrolment.user_id,
        from_value=from_status,
        to_value=f"{to_status.value} ({enrolment.role.value})" if created else to_status,
    )  # fmt: skip
    changed(session, enrolment, created=created)


def changed(session: Session, enrolment: Enrolment, *, created: bool = False) -> None:
    """Tell other domains; call once the enrolment holds its new values."""
    event = EnrolmentChanged(enrolment.id, enrolment.user_id, enrolment.course_id, created)
    publish(session, event)


def place(
    session: Session,
    actor: Actor,
    course_id: int,
    user_id: int,
    terms: EnrolmentTerms,
    method: EnrolmentMethod,
    status: EnrolmentStatus = EnrolmentStatus.ACTIVE,
    reason: str = "",
    known: dict[int, Enrolment] | None = None,
) -> tuple[Enrolment, bool]:
    """Create or update one enrolment without a permission check (callers check); returns it
    and whether anything changed. Every status change is written to the history. `known`,
    the course's enrolments by person read beforehand, spares a query per call in bulk."""
    if known is not None:
        enrolment = known.get(user_id)
    else:
        enrolment = session.scalar(
            select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
        )
    if enrolment is None:
        enrolment = Enrolment(user_id=user_id, course_id=course_id, method=method, status=status)
        _apply_terms(enrolment, terms)
        session.add(enrolment)
        session.flush()
        record_change(session, actor, enrolment, status, reason or f"enrolled ({method.value})")
        if known is not None:
            known[user_id] = enrolment
        return enrolment, True
    before = (enrolment.role, enrolment.status, enrolment.funding, enrolment.funder_name,
              enrolment.starts_on, enrolment.ends_on)  # fmt: skip
    old_status, old_terms = enrolment.status, _terms_of(enrolment)
    _apply_terms(enrolment, terms)
    enrolment.status = status
    after = (enrolment.role, enrolment.status, enrolment.funding, enrolment.funder_name,
             enrolment.starts_on, enrolment.ends_on)  # fmt: skip
    _audit_terms(session, actor, enrolment, old_terms, _terms_of(enrolment))
    if old_status != status:
        record_change(session, actor, enrolment, status, reason or "re-enrolled", old_status)
    elif before != after:
        changed(session, enrolment)
    return enrolment, before != after


def _terms_of(enrolment: Enrolment) -> dict[str, object]:
    return {
        "role": enrolment.role,
        "funding": enrolment.funding,
        "funder_name": enrolment.funder_name,
        "starts_on": enrolment.starts_on,
        "ends_on": enrolment.ends_on,
    }


def _audit_terms(
    session: Session,
    actor: Actor,
    enrolment: Enrolment,
    before: dict[str, object],
    after: dict[str, object],
) -> None:
    """A new course role is an entry of its own ("student" → "teacher"); other terms that
    changed (funding, dates) one entry naming each."""
    subject = f"enrolment:{enrolment.id}"
    if before["role"] != after["role"]:
        audit(
            session, actor, "enrolment.role", subject, person_id=enrolment.user_id,
            from_value=before["role"], to_value=after["role"],
        )  # fmt: skip
    moved = [name for name in before if name != "role" and before[name] != after[name]]
    if moved:

        def shown(values: dict[str, object]) -> str:
            return "; ".join(f"{name}={plain(values[name])}" for name in moved)

        audit(
            session, actor, "enrolment.terms", subject, person_id=enrolment.user_id,
            from_value=shown(before), to_value=shown(after),
        )  # fmt: skip


def _apply_terms(enrolment: Enrolment, terms: EnrolmentTerms) -> None:
    enrolment.role = terms.role
    enrolment.funding = terms.funding
    enrolment.funder_name = terms.funder_name if terms.funding is Funding.SCHOLARSHIP else None
    enrolment.starts_on, enrolment.ends_on = terms.starts_on, terms.ends_on


def enrol(
    session: Session,
    actor: Actor,
    course_id: int,
    user_id: int,
    role: CourseRole,
    terms: EnrolmentTerms | None = None,
) -> Enrolment:
    """Enrol a person by hand (teachers of the course, managers, partner systems); enrolling
    an enrolled person updates their role and terms and reactivates them."""
    existing_course(session, course_id)
    require(policy.can_enrol_others(actor, course_roles(session, actor, course_id)))
    person = session.get(User, user_id)
    if person is None or not policy.can_enrol_person(actor, person.institution_id):
        raise Invalid("No such user.", field="user_id")
    chosen = terms or EnrolmentTerms()
    enrolment, _ = place(
        session,
        actor,
        course_id,
        user_id,
        EnrolmentTerms(role, chosen.funding, chosen.funder_name, chosen.starts_on, chosen.ends_on),
        EnrolmentMethod.MANUAL,
    )
    return enrolment


def enrol_by_email(
    session: Session, actor: Actor, course_id: int, email: str, role: CourseRole
) -> Enrolment:
    """The portal's "enrol a user" form: people are found by their e-mail address."""
    user = find_user_by_email(session, email)
    if user is None:
        raise Invalid(N_("Nobody has an account with this e-mail address."), field="email")
    return enrol(session, actor, course_id, user.id, role)


def existing_course(session: Session, course_id: int) -> Course:
    """The course a new row will belong to: NotFound before anything refers to a missing one."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(N_("No such course."))
    return course


def enrolment_of(session: Session, user_id: int | None, course_id: int) -> Enrolment | None:
    """A person's own enrolment in a course, whatever its status (None for visitors)."""
    if user_id is None:
        return None
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def options_for(session: Session, course_id: int, *, lock: bool = False) -> EnrolmentOptions:
    stmt = select(EnrolmentOptions).where(EnrolmentOptions.course_id == course_id)
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        found = EnrolmentOptions(course_id=course_id)
        session.add(found)
        session.flush()
        if lock:
            found = session.scalar(stmt.with_for_update()) or found
    return found


def set_options(
    session: Session,
    actor: Actor,
    course_id: int,
    *,
    key: str | None,
    capacity: int | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
    requires_approval: bool,
) -> EnrolmentOptions:
    existing_course(session, course_id)
    require(policy.can_enrol_others(actor, course_roles(session, actor, course_id)))
    options = options_for(session, course_id)
    options.key_hash = hash_password(key) if key else None
    options.capacity = capacity
    options.opens_at, options.closes_at = opens_at, closes_at
    options.requires_approval = requires_approval
    return options


def self_enrol(session: Session, actor: Actor, course_id: int, key: str | None) -> Enrolment:
    """A student enrols themselves where the course allows it: open, or with the key; inside
    the enrolment window; while places remain; pending a teacher's approval if asked."""
    # A closed course's landing page offers its self-enrolment to people not in it yet.
    mode = listed_course(session, actor, course_id).course.self_enrolment
    require(policy.can_self_enrol(actor))
    assert actor.user_id is not None
    if mode is SelfEnrolment.CLOSED:
        raise EnrolmentClosed()
    options = options_for(session, course_id, lock=True)  # one self-enrolment at a time
    now = utcnow()
    if (options.opens_at and now < options.opens_at) or (
        options.closes_at and now > options.closes_at
    ):
        raise EnrolmentClosed()
    if mode is SelfEnrolment.KEY and not _is_enrolment_key(options, key):
        raise WrongEnrolmentKey(field="key")
    existing = session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == actor.user_id, Enrolment.course_id == course_id
        )
    )
    if existing is not None and existing.status in (
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.PENDING,
    ):
        raise AlreadyEnrolled()
    if options.capacity is not None and taken_places(session, course_id) >= options.capacity:
        raise CourseFull()
    status = EnrolmentStatus.PENDING if options.requires_approval else EnrolmentStatus.ACTIVE
    enrolment, _ = place(
        session, actor, course_id, actor.user_id, EnrolmentTerms(), EnrolmentMethod.SELF, status,
        "self-enrolment",
    )  # fmt: skip
    return enrolment


def _is_enrolment_key(options: EnrolmentOptions, key: str | None) -> bool:
    return bool(key and options.key_hash and verify_password(options.key_hash, key))


def taken_places(session: Session, course_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(
                Enrolment.course_id == course_id,
                Enrolment.role == CourseRole.STUDENT,
                Enrolment.status.in_([EnrolmentStatus.ACTIVE, EnrolmentStatus.PENDING]),
            )
        )
        or 0
    )


def get_enrolment(session: Session, actor: Actor, enrolment_id: int) -> Enrolment:
    """One enrolment, if the actor is that person, staff of the course or a manager; anyone
    else is told it does not exist."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or not policy.can_read_enrolment(
        actor, enrolment.user_id, course_roles(session, actor, enrolment.course_id)
    ):
        raise NotFound(N_("No such enrolment."))
    return enrolment


def change_status(
    session: Session, actor: Actor, enrolment_id: int, status: EnrolmentStatus, reason: str
) -> Enrolment:
    """Approve, suspend, complete, withdraw or reactivate; the change and its reason are kept."""
    enrolment = get_enrolment(session, actor, enrolment_id)
    roles = course_roles(session, actor, enrolment.course_id)
    require(policy.can_change_status(actor, enrolment.user_id, status, roles))
    if enrolment.status != status:
        previous, enrolment.status = enrolment.status, status
        record_change(session, actor, enrolment, status, reason, previous)
    return enrolment


def history(session: Session, actor: Actor, enrolment_id: int) -> Sequence[EnrolmentChange]:
    enrolment = get_enrolment(session, actor, enrolment_id)
    return session.scalars(
        select(EnrolmentChange)
        .where(EnrolmentChange.enrolment_id == enrolment.id)
        .order_by(EnrolmentChange.id)
    ).all()


def participants(
    session: Session, actor: Actor, course_id: int
) -> Sequence[tuple[Enrolment, User]]:
    require(
        policy.can_see_participants(actor, course_roles(session, actor, course_id)),
        NotFound,
        N_("No such course."),
    )
    return session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course_id)
        .order_by(Enrolment.role, User.display_name)
    ).all()


def visible_participants(session: Session, actor: Actor, course_id: int) -> dict[int, User]:
    """The course's people by id for those who may see its participants; nobody for others
    (pages that show them only where allowed, such as the groups page)."""
    if not policy.can_see_participants(actor, course_roles(session, actor, course_id)):
        return {}
    return {user.id: user for _, user in participants(session, actor, course_id)}


def enrolled_course_ids(session: Session, user_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == user_id, Enrolment.status == EnrolmentStatus.ACTIVE
            )
        )
    )

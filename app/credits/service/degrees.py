"""Double-degree agreements: institutions that each award their own degree for one course of
study, the programme each joins, and the courses whose credits count for every party. A
learner's standing toward each degree is computed from the progress in that party's
programme, where a shared course credited under any party's programme counts for every
party, never twice within one degree."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app.accounts.models import Institution, User
from app.accounts.service import find_institution
from app.core.actors import Actor, require
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course, Programme, ProgrammeCourse, programme_institutions
from app.credits import policy
from app.credits.degree_models import DegreeParty, DoubleDegree, SharedCourse
from app.credits.degree_schemas import DoubleDegreeCreate, DoubleDegreeUpdate, SharedCourseIn
from app.credits.models import CreditEntry
from app.credits.service import ledger, progress
from app.enrolment.models import ProgrammeEnrolment


class DoubleDegreeCodeTaken(Conflict):
    code = "double_degree_code_taken"
    title = N_("An agreement with this code already exists.")


class ProgrammeNotAwarded(Invalid):
    code = "programme_not_awarded"
    title = N_("Each party joins a programme it awards.")


class CourseNotShared(Invalid):
    code = "course_not_in_parties_programmes"
    title = N_("A shared course belongs to the programme of at least one party.")


class SharedCourseTwice(Invalid):
    code = "shared_course_twice"
    title = N_("Each course is shared once.")


class SharedCourseWithoutCredits(Invalid):
    code = "shared_course_without_credits"
    title = N_("Give the credits this course counts for.")


NO_SUCH_AGREEMENT = N_("No such double-degree agreement.")


# Made on first use: making a loader option configures every mapper, work for the first query.
@cache
def _with_links() -> tuple[LoaderOption, ...]:
    return (
        selectinload(DoubleDegree.parties).selectinload(DegreeParty.institution),
        selectinload(DoubleDegree.parties).selectinload(DegreeParty.programme),
        selectinload(DoubleDegree.shared_courses).selectinload(SharedCourse.course),
    )


def _party_ids(agreement: DoubleDegree) -> list[int]:
    return [party.institution_id for party in agreement.parties]


def list_agreements(session: Session, actor: Actor) -> Sequence[DoubleDegree]:
    """The agreements the actor's institution is a party to (coordinators: all), by code."""
    require(policy.can_list_double_degrees(actor))
    stmt = select(DoubleDegree).options(*_with_links()).order_by(DoubleDegree.code)
    if actor.is_confined:
        stmt = stmt.where(
            DoubleDegree.id.in_(
                select(DegreeParty.agreement_id).where(
                    DegreeParty.institution_id == actor.institution_id
                )
            )
        )
    return session.scalars(stmt).all()


def get_agreement(session: Session, actor: Actor, agreement_id: int) -> DoubleDegree:
    """One agreement, for managers and partner systems of a party (404 for anyone else)."""
    agreement = session.scalar(
        select(DoubleDegree).where(DoubleDegree.id == agreement_id).options(*_with_links())
    )
    known = agreement is not None and policy.knows_double_degree(actor, _party_ids(agreement))
    require(known, NotFound, NO_SUCH_AGREEMENT)
    assert agreement is not None
    require(policy.can_read_double_degree(actor, _party_ids(agreement)))
    return agreement


def _programme(session: Session, code: str) -> Programme:
    programme = session.scalar(select(Programme).where(Programme.code == code))
    if programme is None:
        raise Invalid(N_("No such programme."), field="parties")
    return programme


def _awards(session: Session, institution: Institution, programme: Programme) -> bool:
    return (
        session.scalar(
            select(programme_institutions.c.programme_id).where(
                programme_institutions.c.programme_id == programme.id,
                programme_institutions.c.institution_id == institution.id,
            )
        )
        is not None
    )


def _parties(session: Session, data: DoubleDegreeCreate) -> list[DegreeParty]:
    parties = []
    for position, entry in enumerate(data.parties):
        institution = find_institution(session, entry.institution_code, field="parties")
        programme = _programme(session, entry.programme_code)
        if not _awards(session, institution, programme):
            raise ProgrammeNotAwarded(field="parties")
        parties.append(
            DegreeParty(
                institution_id=institution.id, programme_id=programme.id,
                degree_title=entry.degree_title, position=position,
            )
        )  # fmt: skip
    return parties


def _shared(
    session: Session, programme_ids: list[int], entries: Sequence[SharedCourseIn]
) -> list[SharedCourse]:
    """The shared courses, each in a party's programme, once, with the credits it counts for."""
    codes = [entry.course_code for entry in entries]
    if len(set(codes)) != len(codes):
        raise SharedCourseTwice(field="shared_courses")
    courses = {
        course.code: course
        for course in session.scalars(
            select(Course)
            .join(ProgrammeCourse, ProgrammeCourse.course_id == Course.id)
            .where(Course.code.in_(codes), ProgrammeCourse.programme_id.in_(programme_ids))
        )
    }
    shared = []
    for entry in entries:
        course = courses.get(entry.course_code)
        if course is None:
            raise CourseNotShared(field="shared_courses")
        credits = entry.credits if entry.credits is not None else course.ects
        if credits <= 0:
            raise SharedCourseWithoutCredits(field="shared_courses")
        shared.append(SharedCourse(course_id=course.id, credits=credits))
    return shared


def create_agreement(session: Session, actor: Actor, data: DoubleDegreeCreate) -> DoubleDegree:
    """A registrar of one of the parties records an agreement: two or more institutions, each
    joining a programme it awards with the degree it awards, and the shared courses."""
    require(policy.registers_double_degrees(actor))
    parties = _parties(session, data)
    require(policy.can_manage_double_degree(actor, [p.institution_id for p in parties]))
    if session.scalar(select(DoubleDegree.id).where(DoubleDegree.code == data.code)):
        raise DoubleDegreeCodeTaken(field="code")
    shared = _shared(session, [p.programme_id for p in parties], data.shared_courses)
    agreement = DoubleDegree(
        code=data.code, title=data.title, created_by_id=actor.user_id,
        parties=parties, shared_courses=shared,
    )  # fmt: skip
    session.add(agreement)
    session.flush()
    session.expire(agreement)
    return get_agreement(session, actor, agreement.id)


def update_agreement(
    session: Session, actor: Actor, agreement_id: int, data: DoubleDegreeUpdate
) -> DoubleDegree:
    """A new title, or a new list of shared courses (replacing the old one)."""
    agreement = get_agreement(session, actor, agreement_id)
    require(policy.can_manage_double_degree(actor, _party_ids(agreement)))
    if data.title is not None:
        agreement.title = data.title
    if data.shared_courses is not None:
        programme_ids = [party.programme_id for party in agreement.parties]
        shared = _shared(session, programme_ids, data.shared_courses)
        agreement.shared_courses.clear()
        session.flush()
        agreement.shared_courses.extend(shared)
    session.flush()
    session.expire(agreement)
    return get_agreement(session, actor, agreement_id)


def delete_agreement(session: Session, actor: Actor, agreement_id: int) -> None:
    """Remove an agreement; what learners earned is untouched (standing is computed)."""
    agreement = get_agreement(session, actor, agreement_id)
    require(policy.can_manage_double_degree(actor, _party_ids(agreement)))
    session.delete(agreement)
    session.flush()


# --- standing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DegreeStanding:
    """A learner's standing toward one party's degree."""

    party: DegreeParty
    progress: progress.Progress
    shared_credits: Decimal  # credits of shared courses outside this party's programme
    earned: Decimal
    eligible: bool
    unmet: tuple[str, ...]
    unmet_values: tuple[Mapping[str, str], ...]

    def reasons(self, gettext: Callable[[str], str]) -> list[str]:
        """The unmet rules as sentences in the reader's language."""
        return [gettext(m) % dict(v) for m, v in zip(self.unmet, self.unmet_values, strict=True)]


@dataclass(frozen=True)
class AgreementStanding:
    agreement: DoubleDegree
    degrees: tuple[DegreeStanding, ...]


def degree_standing(
    session: Session,
    user_id: int,
    agreement: DoubleDegree,
    party: DegreeParty,
    entries: Sequence[CreditEntry],
    standing: progress.Progress | None = None,
) -> DegreeStanding:
    """Progress in the party's programme (`standing`, when the caller has it already), plus each
    shared course credited outside it, once."""
    if standing is None:
        standing = progress.compute(session, user_id, party.programme, entries=entries)
    inside = {course.course_id for course in standing.courses}
    credited = {entry.course_id for entry in entries if entry.course_id is not None}
    extra = sum(
        (
            shared.credits
            for shared in agreement.shared_courses
            if shared.course_id not in inside and shared.course_id in credited
        ),
        Decimal(0),
    )
    earned = standing.earned + extra
    unmet = [
        (msgid, values)
        for msgid, values in zip(standing.unmet, standing.unmet_values, strict=True)
        if msgid != progress.CREDITS_SHORT
    ]
    if earned < standing.required:
        values = {"earned": str(earned), "required": str(standing.required)}
        unmet.insert(0, (progress.CREDITS_SHORT, values))
    return DegreeStanding(
        party=party, progress=standing, shared_credits=extra, earned=earned,
        eligible=not unmet, unmet=tuple(m for m, _ in unmet),
        unmet_values=tuple(v for _, v in unmet),
    )  # fmt: skip


def learner_agreements(session: Session, user_id: int) -> Sequence[DoubleDegree]:
    """The agreements joining a programme the learner is enrolled in."""
    enrolled = select(ProgrammeEnrolment.programme_id).where(ProgrammeEnrolment.user_id == user_id)
    joined = select(DegreeParty.agreement_id).where(DegreeParty.programme_id.in_(enrolled))
    stmt = select(DoubleDegree).where(DoubleDegree.id.in_(joined)).options(*_with_links())
    return session.scalars(stmt.order_by(DoubleDegree.code)).all()


def standings_of(session: Session, user_id: int) -> list[AgreementStanding]:
    """The learner's standing toward each degree of each agreement they are in (no policy)."""
    agreements = learner_agreements(session, user_id)
    if not agreements:
        return []
    entries = ledger.in_force(session, [user_id])[user_id]
    # Each programme's progress once, in the same queries for all: agreements share programmes.
    programmes = {p.programme_id: p.programme for a in agreements for p in a.parties}
    computed = progress.compute_many(session, user_id, list(programmes.values()), entries=entries)
    by_programme = {found.programme.id: found for found in computed}
    return [
        AgreementStanding(
            agreement,
            tuple(
                degree_standing(
                    session, user_id, agreement, p, entries, by_programme[p.programme_id]
                )
                for p in agreement.parties
            ),
        )
        for agreement in agreements
    ]


def standings(session: Session, actor: Actor, user_id: int) -> list[AgreementStanding]:
    """A learner's standing toward each degree, for whoever reads their credits."""
    learner = session.get(User, user_id)
    known = learner is not None and policy.knows_learner(actor, user_id, learner.institution_id)
    require(known, NotFound, N_("No such user."))
    assert learner is not None
    require(policy.can_read_credits(actor, learner.id, learner.institution_id))
    return standings_of(session, learner.id)

"""Individual learning plans: per learner and programme, which electives the learner chooses
and the semester each course still to take is planned in. The learner, their advisor in the
programme and registrars who reach the learner change it within the programme's rules; every
change is kept (who, when, what). Advisors are named by registrars."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.accounts.service import normalise_email
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.core.pagination import paginate
from app.courses.models import Programme
from app.credits import policy
from app.credits.models import CreditEntry
from app.credits.plan_models import (
    LearnerAdvisor,
    LearningPlan,
    PlanChange,
    PlanChangeKind,
    PlanItem,
)
from app.credits.plan_schemas import PlanUpdate
from app.credits.service import ledger, progress, rules
from app.credits.service.progress import PlanView, Progress
from app.credits.service.rules import RuleSet
from app.enrolment.models import ProgrammeEnrolment
from app.membership.policy import reaches_person


class CourseNotInProgramme(Invalid):
    code = "course_not_in_programme"
    title = N_("This course is not part of the programme.")


class SemesterOutOfRange(Invalid):
    code = "semester_out_of_range"
    title = N_("Choose a semester within the programme's semesters.")


class CourseAlreadyEarned(Conflict):
    code = "course_already_earned"
    title = N_("This course is already earned; it cannot be planned again.")


class NotAnElective(Invalid):
    code = "not_an_elective"
    title = N_("Only the courses of an elective group can be chosen.")


class MandatoryCourseDropped(Invalid):
    code = "mandatory_course_dropped"
    title = N_("A mandatory course cannot be dropped from the plan.")


class CoursePlannedTwice(Invalid):
    code = "course_planned_twice"
    title = N_("Each course appears once in the plan.")


class AdvisorIsLearner(Invalid):
    code = "advisor_is_learner"
    title = N_("Learners cannot advise themselves.")


class AdvisorUnknown(Invalid):
    code = "advisor_unknown"
    title = N_("Nobody has this address.")


NO_SUCH_USER = N_("No such user.")
NOT_ENROLLED = N_("The learner is not enrolled in this programme.")


@dataclass(frozen=True)
class LearnerPlan:
    """A learner's plan in a programme as it is read: the learner, the rules, the stored plan
    (None before the first change) and the progress computed with it."""

    learner: User
    programme: Programme
    ruleset: RuleSet
    plan: LearningPlan | None
    progress: Progress


def view_of(plan: LearningPlan | None, ruleset: RuleSet) -> PlanView | None:
    """What progress needs from a stored plan: planned semesters and chosen electives."""
    if plan is None:
        return None
    semesters = {item.course_id: item.semester for item in plan.items}
    electives = frozenset(course_id for course_id in semesters if course_id in ruleset.group_of)
    return PlanView(semesters=semesters, electives=electives)


def stored_plan(session: Session, user_id: int, programme_id: int) -> LearningPlan | None:
    """The learner's stored plan in the programme, with its items (no policy)."""
    return session.scalar(
        select(LearningPlan)
        .where(LearningPlan.user_id == user_id, LearningPlan.programme_id == programme_id)
        .options(selectinload(LearningPlan.items))
    )


def advises(session: Session, actor: Actor, user_id: int, programme_id: int) -> bool:
    """Whether the actor is a person named to advise the learner in the programme."""
    if actor.user_id is None or actor.api_client_id is not None:
        return False
    return (
        session.scalar(
            select(LearnerAdvisor.id).where(
                LearnerAdvisor.user_id == user_id,
                LearnerAdvisor.programme_id == programme_id,
                LearnerAdvisor.advisor_id == actor.user_id,
            )
        )
        is not None
    )


def enrolled_programme(session: Session, user_id: int, code: str) -> Programme | None:
    """The programme of this code if the learner is enrolled in it."""
    return session.scalar(
        select(Programme)
        .join(ProgrammeEnrolment, ProgrammeEnrolment.programme_id == Programme.id)
        .where(ProgrammeEnrolment.user_id == user_id, Programme.code == code)
    )


def _reach(session: Session, actor: Actor, user_id: int, code: str) -> tuple[User, Programme, bool]:
    """The learner and their programme if the actor may know of them (404 otherwise), and
    whether the actor advises the learner there."""
    learner = session.get(User, user_id)
    programme = enrolled_programme(session, user_id, code) if learner else None
    is_advisor = programme is not None and advises(session, actor, user_id, programme.id)
    known = learner is not None and policy.knows_plan(
        actor, learner.id, learner.institution_id, advises=is_advisor
    )
    require(known, NotFound, NO_SUCH_USER)
    assert learner is not None
    require(programme is not None, NotFound, NOT_ENROLLED)
    assert programme is not None
    return learner, programme, is_advisor


def compose(
    session: Session,
    learner: User,
    programme: Programme,
    entries: Sequence[CreditEntry] | None = None,
) -> LearnerPlan:
    """The learner's plan and the progress computed with it (no policy: callers check)."""
    ruleset = rules.load(session, programme)
    plan = stored_plan(session, learner.id, programme.id)
    standing = progress.compute(
        session, learner.id, programme, plan=view_of(plan, ruleset), entries=entries
    )
    return LearnerPlan(learner, programme, ruleset, plan, standing)


def read_plan(session: Session, actor: Actor, user_id: int, code: str) -> LearnerPlan:
    """A learner's plan, for those who read their credits and for their advisors."""
    learner, programme, is_advisor = _reach(session, actor, user_id, code)
    require(policy.can_read_plan(actor, learner.id, learner.institution_id, advises=is_advisor))
    return compose(session, learner, programme)


def may_change(session: Session, actor: Actor, learner: User, programme: Programme) -> bool:
    """Whether the actor may change this learner's plan (for showing the form)."""
    is_advisor = advises(session, actor, learner.id, programme.id)
    return policy.can_change_plan(actor, learner.id, learner.institution_id, advises=is_advisor)


def _check(current: LearnerPlan, data: PlanUpdate) -> dict[int, int]:
    """The new plan as course id -> semester, refused unless it keeps the programme's rules."""
    by_code = {s.code: s for s in current.progress.courses}
    wanted: dict[int, int] = {}
    for entry in data.courses:
        standing = by_code.get(entry.course_code)
        if standing is None:
            raise CourseNotInProgramme(field="courses")
        if standing.course_id in wanted:
            raise CoursePlannedTwice(field="courses")
        if not 1 <= entry.semester <= current.ruleset.semesters:
            raise SemesterOutOfRange(field="courses")
        if standing.status != progress.MISSING:
            raise CourseAlreadyEarned(field="courses")
        if not standing.mandatory and standing.course_id not in current.ruleset.group_of:
            raise NotAnElective(field="courses")
        wanted[standing.course_id] = entry.semester
    for standing in current.progress.courses:
        missing = standing.mandatory and standing.status == progress.MISSING
        if missing and standing.course_id not in wanted:
            raise MandatoryCourseDropped(field="courses")
    return wanted


Change = tuple[int, PlanChangeKind, int | None, int | None]


def _changes(current: LearnerPlan, wanted: dict[int, int]) -> list[Change]:
    """What the new plan changes, course by course: moved, chosen or dropped."""
    stored = {item.course_id: item.semester for item in current.plan.items} if current.plan else {}
    found: list[Change] = []
    for standing in current.progress.courses:
        if standing.status != progress.MISSING:
            continue
        elective = not standing.mandatory
        before = stored.get(standing.course_id)
        if before is None and not elective:
            before = standing.semester
        after = wanted.get(standing.course_id)
        if before == after:
            continue
        if elective and before is None:
            found.append((standing.course_id, PlanChangeKind.CHOSEN, None, after))
        elif elective and after is None:
            found.append((standing.course_id, PlanChangeKind.DROPPED, before, None))
        else:
            found.append((standing.course_id, PlanChangeKind.MOVED, before, after))
    return found


def _apply(
    session: Session, plan: LearningPlan, current: LearnerPlan, wanted: dict[int, int]
) -> None:
    missing = {s.course_id for s in current.progress.courses if s.status == progress.MISSING}
    items = {item.course_id: item for item in plan.items}
    for course_id, item in items.items():
        if course_id in missing and course_id not in wanted:
            plan.items.remove(item)
    for course_id, semester in wanted.items():
        if course_id in items:
            items[course_id].semester = semester
        else:
            plan.items.append(PlanItem(course_id=course_id, semester=semester))
    plan.updated_at = utcnow()
    session.flush()


def change_plan(
    session: Session, actor: Actor, user_id: int, code: str, data: PlanUpdate
) -> LearnerPlan:
    """Replace the courses still to take: each a course of the programme not earned yet, in a
    semester of the programme; non-mandatory ones only from an elective group; every mandatory
    course still missing stays. Each change is recorded with who made it and when."""
    learner, programme, is_advisor = _reach(session, actor, user_id, code)
    allowed = policy.can_change_plan(actor, learner.id, learner.institution_id, advises=is_advisor)
    require(allowed)
    current = compose(session, learner, programme)
    wanted = _check(current, data)
    changes = _changes(current, wanted)
    plan = current.plan
    if plan is None:
        plan = LearningPlan(user_id=learner.id, programme_id=programme.id, items=[])
        session.add(plan)
    _apply(session, plan, current, wanted)
    codes = {s.course_id: s.code for s in current.progress.courses}
    for course_id, kind, before, after in changes:
        session.add(
            PlanChange(
                plan_id=plan.id, course_id=course_id, course_code=codes[course_id], kind=kind,
                from_semester=before, to_semester=after, by_user_id=actor.user_id,
            )
        )  # fmt: skip
    session.flush()
    session.expire(plan)
    return compose(session, learner, programme)


def plan_changes(
    session: Session, actor: Actor, user_id: int, code: str, cursor: str | None, limit: int
) -> tuple[Sequence[PlanChange], str | None]:
    """Every change made to the learner's plan, oldest first, a page at a time."""
    current = read_plan(session, actor, user_id, code)
    if current.plan is None:
        return [], None
    stmt = select(PlanChange).where(PlanChange.plan_id == current.plan.id)
    return paginate(session, stmt, PlanChange.id, cursor, limit)


# --- advisors ----------------------------------------------------------------------------------


def list_advisors(session: Session, actor: Actor, user_id: int, code: str) -> list[User]:
    """The people advising the learner in the programme, by name."""
    learner, programme, is_advisor = _reach(session, actor, user_id, code)
    require(policy.can_read_plan(actor, learner.id, learner.institution_id, advises=is_advisor))
    return _advisors(session, learner.id, programme.id)


def _advisors(session: Session, user_id: int, programme_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(LearnerAdvisor, LearnerAdvisor.advisor_id == User.id)
            .where(LearnerAdvisor.user_id == user_id, LearnerAdvisor.programme_id == programme_id)
            .order_by(User.display_name, User.id)
        )
    )


def _named(session: Session, actor: Actor, user_id: int, code: str) -> tuple[User, Programme]:
    learner, programme, _is_advisor = _reach(session, actor, user_id, code)
    require(policy.can_name_advisors(actor, learner.institution_id))
    return learner, programme


def name_advisor(session: Session, actor: Actor, user_id: int, code: str, advisor_id: int) -> User:
    """A registrar names a person (one they reach) to advise the learner in the programme;
    naming the same person again changes nothing."""
    learner, programme = _named(session, actor, user_id, code)
    advisor = session.get(User, advisor_id)
    require(
        advisor is not None and reaches_person(actor, advisor.institution_id),
        NotFound,
        NO_SUCH_USER,
    )
    assert advisor is not None
    if advisor.id == learner.id:
        raise AdvisorIsLearner(field="advisor")
    if advisor.id not in {a.id for a in _advisors(session, learner.id, programme.id)}:
        session.add(
            LearnerAdvisor(
                user_id=learner.id, programme_id=programme.id, advisor_id=advisor.id,
                named_by_id=actor.user_id,
            )
        )  # fmt: skip
        session.flush()
    return advisor


def name_advisor_by_email(
    session: Session, actor: Actor, user_id: int, code: str, email: str
) -> User:
    """The page's form: the advisor is named by their address."""
    _named(session, actor, user_id, code)
    advisor_id = session.scalar(select(User.id).where(User.email == normalise_email(email)))
    if advisor_id is None:
        raise AdvisorUnknown(field="email")
    return name_advisor(session, actor, user_id, code, advisor_id)


def remove_advisor(
    session: Session, actor: Actor, user_id: int, code: str, advisor_id: int
) -> None:
    """A registrar removes an advisor; someone who is not one is not found."""
    learner, programme = _named(session, actor, user_id, code)
    link = session.scalar(
        select(LearnerAdvisor).where(
            LearnerAdvisor.user_id == learner.id,
            LearnerAdvisor.programme_id == programme.id,
            LearnerAdvisor.advisor_id == advisor_id,
        )
    )
    require(link is not None, NotFound, N_("This person does not advise the learner."))
    session.delete(link)
    session.flush()


def advised_learners(session: Session, actor: Actor) -> list[tuple[User, Programme]]:
    """The learners the actor advises, with the programme, for links to their credits."""
    if actor.user_id is None or actor.api_client_id is not None:
        return []
    rows = session.execute(
        select(User, Programme)
        .join(LearnerAdvisor, LearnerAdvisor.user_id == User.id)
        .join(Programme, Programme.id == LearnerAdvisor.programme_id)
        .where(LearnerAdvisor.advisor_id == actor.user_id)
        .order_by(User.display_name, User.id, Programme.code)
    )
    return [(user, programme) for user, programme in rows]


def my_plans(session: Session, actor: Actor, learner: User) -> list[LearnerPlan]:
    """The learner's own plans and progress in every programme they are enrolled in."""
    require(policy.can_read_plan(actor, learner.id, learner.institution_id, advises=False))
    entries = ledger.in_force(session, [learner.id])[learner.id]
    return [
        compose(session, learner, programme, entries)
        for programme in progress.enrolled_programmes(session, learner.id)
    ]

"""Learning plans: the learner, their advisor or a registrar changes the semester of each
course still to take and the electives chosen, within the programme's rules; every change is
kept with who made it; progress reads the plan."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM, PlatformRole
from app.core.errors import DomainError, Forbidden, NotFound
from app.credits.plan_models import LearningPlan, PlanChange, PlanChangeKind
from app.credits.plan_schemas import PlanUpdate
from app.credits.service import plans
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import make_institution, make_user
from tests.credits.progress_world import ProgressWorld, progress_world


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    world = progress_world(db)
    world.add_course("QM", "5", 1)
    world.add_course("HS", "5", 1)
    world.add_course("ENT", "5", 2)
    world.add_course("OPT-A", "5", 2, mandatory=False)
    world.add_course("OPT-B", "5", 3, mandatory=False)
    world.add_course("FREE", "5", 3, mandatory=False)  # optional, but in no elective group
    world.set_rules(
        semesters=3,
        elective_groups=[
            {"code": "TRACK", "title": "Track", "min_credits": "5", "courses": ["OPT-A", "OPT-B"]}
        ],
    )
    return world


def learner(w: ProgressWorld) -> User:
    user = w.learner()
    w.db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=user.id))
    w.db.flush()
    return user


def update(*courses: tuple[str, int]) -> PlanUpdate:
    return PlanUpdate.model_validate(
        {"courses": [{"course_code": c, "semester": s} for c, s in courses]}
    )


BASE = (("QM", 1), ("HS", 1), ("ENT", 2))


def test_without_a_plan_mandatory_courses_sit_in_their_programme_semester(w: ProgressWorld):
    alice = learner(w)

    current = plans.read_plan(w.db, actor_for_user(alice), alice.id, w.programme.code)

    assert current.plan is None
    assert {n: [s.code for s in c] for n, c in current.progress.to_take().items()} == {
        1: ["QM", "HS"], 2: ["ENT"], 3: ["FREE"],
    }  # fmt: skip


def test_a_learner_moves_a_course_and_chooses_an_elective(w: ProgressWorld):
    alice = learner(w)
    actor = actor_for_user(alice)

    current = plans.change_plan(
        w.db, actor, alice.id, w.programme.code, update(("QM", 2), ("HS", 1), ("ENT", 2),
                                                        ("OPT-B", 3))
    )  # fmt: skip

    assert {n: [s.code for s in c] for n, c in current.progress.to_take().items()} == {
        1: ["HS"], 2: ["QM", "ENT"], 3: ["OPT-B"],
    }  # fmt: skip
    track = current.progress.electives[0]
    assert track.chosen == (w.courses["OPT-B"].id,)
    changes = w.db.scalars(select(PlanChange).order_by(PlanChange.id)).all()
    assert [(c.course_code, c.kind, c.from_semester, c.to_semester, c.by_user_id)
            for c in changes] == [
        ("QM", PlanChangeKind.MOVED, 1, 2, alice.id),
        ("OPT-B", PlanChangeKind.CHOSEN, None, 3, alice.id),
    ]  # fmt: skip


def test_dropping_an_elective_is_recorded(w: ProgressWorld):
    alice = learner(w)
    actor = actor_for_user(alice)
    plans.change_plan(w.db, actor, alice.id, w.programme.code, update(*BASE, ("OPT-A", 2)))

    current = plans.change_plan(w.db, actor, alice.id, w.programme.code, update(*BASE))

    assert current.progress.electives[0].chosen == ()
    last = w.db.scalars(select(PlanChange).order_by(PlanChange.id.desc())).first()
    assert last is not None
    assert (last.course_code, last.kind, last.from_semester) == ("OPT-A", "dropped", 2)


@pytest.mark.parametrize(
    ("courses", "code"),
    [
        ((*BASE, ("NOPE", 1)), "course_not_in_programme"),
        ((("QM", 4), ("HS", 1), ("ENT", 2)), "semester_out_of_range"),
        ((*BASE, ("FREE", 3)), "not_an_elective"),
        ((("QM", 1), ("HS", 1)), "mandatory_course_dropped"),
        ((*BASE, ("QM", 2)), "course_planned_twice"),
    ],
)
def test_a_plan_outside_the_rules_is_refused(w: ProgressWorld, courses, code: str):
    alice = learner(w)

    with pytest.raises(DomainError) as refused:
        plans.change_plan(w.db, actor_for_user(alice), alice.id, w.programme.code,
                          update(*courses))  # fmt: skip

    assert getattr(refused.value, "code", None) == code
    assert w.db.scalar(select(func.count()).select_from(LearningPlan)) == 0


def test_an_earned_course_cannot_be_planned_again(w: ProgressWorld):
    alice = learner(w)
    w.award(alice, "QM")

    with pytest.raises(plans.CourseAlreadyEarned):
        plans.change_plan(w.db, actor_for_user(alice), alice.id, w.programme.code, update(*BASE))
    current = plans.change_plan(
        w.db, actor_for_user(alice), alice.id, w.programme.code, update(("HS", 2), ("ENT", 2))
    )

    assert current.progress.earned == Decimal(5)
    assert [s.code for s in current.progress.to_take()[2]] == ["HS", "ENT"]


def test_an_advisor_named_by_a_registrar_changes_the_plan(w: ProgressWorld):
    alice = learner(w)
    advisor = make_user(w.db, institution=w.home)
    registrar = make_user(w.db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.home)
    with pytest.raises(NotFound):
        plans.change_plan(w.db, actor_for_user(advisor), alice.id, w.programme.code, update(*BASE))

    plans.name_advisor(w.db, actor_for_user(registrar), alice.id, w.programme.code, advisor.id)
    plans.change_plan(w.db, actor_for_user(advisor), alice.id, w.programme.code,
                      update(("QM", 3), ("HS", 1), ("ENT", 2)))  # fmt: skip

    change = w.db.scalars(select(PlanChange)).one()
    assert (change.course_code, change.by_user_id) == ("QM", advisor.id)
    advisors = plans.list_advisors(w.db, actor_for_user(alice), alice.id, w.programme.code)
    assert [a.id for a in advisors] == [advisor.id]


def test_a_registrar_of_another_institution_does_not_see_the_plan(w: ProgressWorld):
    alice = learner(w)
    other = make_user(
        w.db, role=PlatformRole.INSTITUTION_MANAGER, institution=make_institution(w.db)
    )

    with pytest.raises(NotFound):
        plans.read_plan(w.db, actor_for_user(other), alice.id, w.programme.code)
    with pytest.raises(NotFound):
        plans.name_advisor(w.db, actor_for_user(other), alice.id, w.programme.code, other.id)


def test_a_classmate_is_told_nothing_and_an_advisor_may_not_name_advisors(w: ProgressWorld):
    alice, bob = learner(w), learner(w)
    registrar = make_user(w.db, role=PlatformRole.MANAGER)
    plans.name_advisor(w.db, actor_for_user(registrar), alice.id, w.programme.code, bob.id)

    with pytest.raises(NotFound):
        plans.read_plan(w.db, actor_for_user(make_user(w.db)), alice.id, w.programme.code)
    with pytest.raises(Forbidden):
        plans.name_advisor(w.db, actor_for_user(bob), alice.id, w.programme.code, bob.id)


def test_a_plan_is_only_for_a_programme_the_learner_is_enrolled_in(w: ProgressWorld):
    stranger = w.learner()

    with pytest.raises(NotFound):
        plans.read_plan(w.db, SYSTEM, stranger.id, w.programme.code)

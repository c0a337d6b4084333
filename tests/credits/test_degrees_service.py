"""Double-degree agreements: institutions each joining a programme they award, shared courses
counted for every party once, and a learner's standing toward each degree computed."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import SYSTEM, PlatformRole
from app.core.errors import Forbidden, Invalid, NotFound
from app.courses.models import Programme, ProgrammeCourse, ProgrammeKind, Status
from app.credits.degree_models import DoubleDegree
from app.credits.degree_schemas import DoubleDegreeCreate, DoubleDegreeUpdate
from app.credits.service import degrees
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import make_institution, make_user
from tests.credits.progress_world import ProgressWorld, progress_world

D = Decimal


def degree_world(db: Session) -> ProgressWorld:
    """Home's programme (QM, HS, ENT: 15 credits) and the partner's (QM, RES: 10 credits)."""
    world = progress_world(db, ects="15")
    world.add_course("QM", "5", 1)
    world.add_course("HS", "5", 1)
    world.add_course("ENT", "5", 2)
    partner = make_institution(db, "PARTNER-DD", "FR")
    other = Programme(
        code="PARTNER-MAS", kind=ProgrammeKind.MASTER, title="Master in quality management",
        ects=D(10), status=Status.PUBLISHED,
    )  # fmt: skip
    other.institutions = [partner]
    db.add(other)
    db.flush()
    res = world.add_course("RES", "5", 1)
    # RES belongs to the partner's programme only.
    db.execute(
        ProgrammeCourse.__table__.delete().where(
            ProgrammeCourse.course_id == res.id, ProgrammeCourse.programme_id == world.programme.id
        )
    )
    db.add_all([
        ProgrammeCourse(programme_id=other.id, course_id=world.courses["QM"].id, semester=1),
        ProgrammeCourse(programme_id=other.id, course_id=res.id, semester=1),
    ])  # fmt: skip
    db.flush()
    return world


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    return degree_world(db)


def agreement_data(w: ProgressWorld, **extra: object) -> DoubleDegreeCreate:
    return DoubleDegreeCreate.model_validate(
        {
            "code": "DD-1",
            "title": "Double master",
            "parties": [
                {"institution_code": w.home.code, "programme_code": w.programme.code,
                 "degree_title": "Licence"},
                {"institution_code": "PARTNER-DD", "programme_code": "PARTNER-MAS",
                 "degree_title": "Master in quality management"},
            ],
            "shared_courses": [{"course_code": "HS"}, {"course_code": "RES", "credits": "4"}],
            **extra,
        }
    )  # fmt: skip


def test_a_shared_course_counts_for_every_party_once(w: ProgressWorld):
    agreement = degrees.create_agreement(w.db, SYSTEM, agreement_data(w))
    alice = w.learner()
    w.db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=alice.id))
    for code in ("QM", "HS", "RES"):
        w.award(alice, code)
    w.award(alice, "HS")  # passed twice: still counted once

    (standing,) = degrees.standings_of(w.db, alice.id)

    home, partner = standing.degrees
    assert standing.agreement.id == agreement.id
    # Home: QM + HS in its programme, RES shared from the partner's (4 credits as agreed).
    assert (home.earned, home.shared_credits, home.eligible) == (D(14), D(4), False)
    assert home.unmet == (
        "%(earned)s of %(required)s credits earned.",
        "The mandatory course %(code)s is not earned yet.",
    )
    # Partner: QM + RES in its programme, HS shared from home's (5 credits).
    assert (partner.earned, partner.shared_credits, partner.eligible) == (D(15), D(5), True)


def test_a_standing_becomes_eligible_through_shared_credits(w: ProgressWorld):
    degrees.create_agreement(w.db, SYSTEM, agreement_data(w))
    bob = w.learner()
    w.db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=bob.id))
    w.award(bob, "QM")
    w.award(bob, "RES")

    partner = degrees.standings_of(w.db, bob.id)[0].degrees[1]

    assert (partner.earned, partner.eligible, partner.unmet) == (D(10), True, ())


def test_a_party_joins_only_a_programme_it_awards(w: ProgressWorld):
    data = agreement_data(w).model_dump()
    data["parties"][1]["programme_code"] = w.programme.code

    with pytest.raises(degrees.ProgrammeNotAwarded):
        degrees.create_agreement(w.db, SYSTEM, DoubleDegreeCreate.model_validate(data))
    assert w.db.scalar(select(func.count()).select_from(DoubleDegree)) == 0


def test_a_shared_course_belongs_to_a_party_programme(w: ProgressWorld):
    w.add_course("ELSE", "5", 1)
    data = agreement_data(w, shared_courses=[{"course_code": "NOPE"}])

    with pytest.raises(degrees.CourseNotShared):
        degrees.create_agreement(w.db, SYSTEM, data)


def test_a_registrar_of_another_institution_neither_creates_nor_sees(w: ProgressWorld):
    agreement = degrees.create_agreement(w.db, SYSTEM, agreement_data(w))
    outsider = make_user(
        w.db, role=PlatformRole.INSTITUTION_MANAGER, institution=make_institution(w.db)
    )
    party_registrar = make_user(w.db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.home)
    data = agreement_data(w, code="DD-2")

    with pytest.raises(Forbidden):
        degrees.create_agreement(w.db, actor_for_user(outsider), data)
    with pytest.raises(NotFound):
        degrees.get_agreement(w.db, actor_for_user(outsider), agreement.id)
    assert degrees.list_agreements(w.db, actor_for_user(outsider)) == []
    assert [a.code for a in degrees.list_agreements(w.db, actor_for_user(party_registrar))] == [
        "DD-1"
    ]


def test_shared_courses_are_replaced_and_a_duplicate_refused(w: ProgressWorld):
    agreement = degrees.create_agreement(w.db, SYSTEM, agreement_data(w))

    changed = degrees.update_agreement(
        w.db, SYSTEM, agreement.id,
        DoubleDegreeUpdate.model_validate({"shared_courses": [{"course_code": "QM"}]}),
    )  # fmt: skip

    assert [(s.course.code, s.credits) for s in changed.shared_courses] == [("QM", D(5))]
    twice = {"shared_courses": [{"course_code": "QM"}, {"course_code": "QM"}]}
    with pytest.raises(Invalid):
        degrees.update_agreement(
            w.db, SYSTEM, agreement.id, DoubleDegreeUpdate.model_validate(twice)
        )

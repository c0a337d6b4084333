"""Enrolment rules at the service level."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.errors import DomainError, Invalid
from app.courses.models import SelfEnrolment
from app.enrolment import cohorts, service
from app.enrolment.models import CohortMember, Group
from app.membership.models import Enrolment
from tests.accounts.factories import make_user
from tests.courses.factories import import_hs101


@pytest.mark.parametrize(
    ("mode", "refusal"),
    [
        (SelfEnrolment.CLOSED, service.EnrolmentClosed),
        (SelfEnrolment.KEY, service.WrongEnrolmentKey),
    ],
)
def test_self_enrolment_follows_the_courses_own_mode(
    db: Session, settings: Settings, mode: SelfEnrolment, refusal: type[DomainError]
):
    """No caller tells the service the mode: it reads the course's."""
    course = import_hs101(db, settings)
    course.self_enrolment = mode
    student = make_user(db)

    with pytest.raises(refusal):
        service.self_enrol(db, actor_for_user(student), course.id, None)

    assert db.scalar(select(Enrolment).where(Enrolment.user_id == student.id)) is None


def test_a_group_name_of_spaces_is_refused_and_names_are_kept_trimmed(
    db: Session, settings: Settings
):
    course = import_hs101(db, settings)

    with pytest.raises(Invalid) as refused:
        cohorts.create_group(db, SYSTEM, course.id, "   ")
    group = cohorts.create_group(db, SYSTEM, course.id, "  Projet Casablanca-Settat ")

    assert refused.value.field == "name"
    assert group.name == "Projet Casablanca-Settat"
    assert db.scalars(select(Group.name).where(Group.course_id == course.id)).all() == [group.name]


def test_a_manager_adds_a_cohort_member_by_email_and_an_unknown_address_is_explained(
    db: Session,
):
    cohort = cohorts.create_cohort(db, SYSTEM, "LMQS-KZ-2026", "Kazakhstan")
    learner = make_user(db, email="aigerim@example.org")

    cohorts.add_member_by_email(db, SYSTEM, cohort.id, " aigerim@example.org ")
    with pytest.raises(Invalid) as unknown:
        cohorts.add_member_by_email(db, SYSTEM, cohort.id, "nobody@example.org")

    assert unknown.value.field == "email"
    assert db.scalars(
        select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    ).all() == [learner.id]

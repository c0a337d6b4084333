"""What enrolment does when courses say something happened: a new run enrols the members of
its programmes, through `CourseRunCreated` (courses does not import enrolment)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.events import subscribe, subscribers_of, unsubscribe
from app.courses.events import CourseRunCreated
from app.courses.schemas import CourseRunCreate
from app.courses.service import courses
from app.enrolment.programmes import enrol_in_programme
from app.enrolment.subscriptions import enrol_programme_members_in_new_run
from app.membership.models import Enrolment, EnrolmentMethod, Funding
from app.seed import load_programmes
from tests.accounts.factories import make_user
from tests.courses.factories import SEED, import_hs101
from tests.events import recorded


def _programme_member(db: Session, settings: Settings) -> tuple[int, int]:
    course = import_hs101(db, settings)
    load_programmes(db, SEED)
    learner = make_user(db)
    enrol_in_programme(db, SYSTEM, "HS-CERT", learner.id, Funding.SCHOLARSHIP, "ILO-Luxembourg")
    return course.id, learner.id


def _enrolment(db: Session, course_id: int, user_id: int) -> Enrolment | None:
    return db.scalar(
        select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.user_id == user_id)
    )


def test_a_new_run_enrols_programme_members_through_course_run_created(
    db: Session, settings: Settings
):
    template_id, learner_id = _programme_member(db, settings)

    with recorded(CourseRunCreated) as published:
        run = courses.create_run(
            db, SYSTEM, template_id, CourseRunCreate(code="HS-101-2027", starts_on=date(2027, 1, 4))
        )

    enrolment = _enrolment(db, run.id, learner_id)
    assert published == [CourseRunCreated(course_id=run.id, template_id=template_id, by=SYSTEM)]
    assert enrolment is not None
    assert (enrolment.method, enrolment.funding, enrolment.funder_name) == (
        EnrolmentMethod.PROGRAMME,
        Funding.SCHOLARSHIP,
        "ILO-Luxembourg",
    )


def test_without_its_subscriber_a_new_run_enrols_nobody(db: Session, settings: Settings):
    """Courses only publishes: the enrolment is enrolment's own reaction to the event."""
    template_id, learner_id = _programme_member(db, settings)

    unsubscribe(CourseRunCreated, enrol_programme_members_in_new_run)
    try:
        run = courses.create_run(
            db, SYSTEM, template_id, CourseRunCreate(code="HS-101-2027", starts_on=date(2027, 1, 4))
        )
    finally:
        subscribe(CourseRunCreated)(enrol_programme_members_in_new_run)

    assert _enrolment(db, run.id, learner_id) is None


def test_the_app_registers_the_subscriber_once():
    assert subscribers_of(CourseRunCreated).count(enrol_programme_members_in_new_run) == 1

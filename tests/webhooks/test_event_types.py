"""Each event type a partner may subscribe to reaches the subscription of the learner's
institution (for a session: of the course's institutions) with its resource, and nobody
else's: a second partner, of another institution, listening for everything, hears nothing."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from app.accounts.models import ApiClient, User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import utcnow
from app.core.events import publish
from app.core.outbox import OutboxMessage
from app.courses.events import CourseCompleted
from app.courses.models import Course
from app.courses.service import partners
from app.credits.document_models import DocumentKind
from app.credits.document_schemas import DocumentIssue
from app.credits.models import EntrySource
from app.credits.service import documents, ledger
from app.credits.service.ledger import AwardedGrade, Unit
from app.grades.models import ItemSource
from app.grades.service.record import ensure_item, record_grade
from app.grades.service.scales import load_scales
from app.membership.models import CourseRole
from app.seed import SEED_DIR
from app.webhooks.models import WebhookSubscription
from app.webhooks.schemas import EventType
from app.webhooks.service import DELIVER
from app.webinars.events import AttendanceCounted
from app.webinars.schemas import SessionCreate
from app.webinars.service.scheduling import cancel_webinar, schedule
from tests.accounts.factories import make_api_client, make_institution, make_user
from tests.courses.factories import enrol_as, import_hs101
from tests.webhooks.factories import make_subscription


@pytest.fixture(autouse=True)
def _frozen(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to("2027-03-01T08:00Z", tick=False)


@pytest.fixture
def world(db: Session, settings: Settings) -> tuple[Course, User, ApiClient, ApiClient]:
    home, elsewhere = make_institution(db, "P77", "KZ"), make_institution(db, "P88", "AZ")
    course = import_hs101(db, settings)
    course.institution_id = home.id
    learner = make_user(db, institution=home)
    enrol_as(db, course, learner, CourseRole.STUDENT)
    ours, theirs = (make_api_client(db, i, ["webhooks:manage"]) for i in (home, elsewhere))
    every = tuple(t.value for t in EventType)
    make_subscription(db, ours, every)
    make_subscription(db, theirs, every)
    db.commit()
    return course, learner, ours, theirs


def _grade(db: Session, settings: Settings, course: Course, learner: User) -> None:
    item = ensure_item(
        db, course_id=course.id, source=ItemSource.QUIZ, source_id=1, title="Quiz 1",
        max_points=Decimal(10),
    )  # fmt: skip
    record_grade(db, item, learner.id, Decimal(7), by_user_id=None, release=True)


def _credits(db: Session, settings: Settings, course: Course, learner: User) -> None:
    load_scales(db, SEED_DIR)
    unit = Unit("HM-1", "Health management", Decimal(5), institution_id=course.institution_id)
    ledger.append(
        db, SYSTEM, unit, AwardedGrade(grade="5", value=Decimal(5), scale_code="ru-5"),
        user_id=learner.id, source=EntrySource.COURSE_RESULT, source_id=1, on=date(2027, 6, 30),
    )  # fmt: skip


def _transcript(db: Session, settings: Settings, course: Course, learner: User) -> None:
    settings.signing_keys_dir = settings.storage_dir / "keys"
    documents.issue(db, SYSTEM, settings, learner.id, DocumentIssue(kind=DocumentKind.TRANSCRIPT))


def _cancelled(db: Session, settings: Settings, course: Course, learner: User) -> None:
    starts = utcnow() + timedelta(days=3)
    webinar = schedule(
        db, SYSTEM, settings, course.id,
        SessionCreate(title="Financing PHC", time_zone="UTC", starts_at=starts,
                      ends_at=starts + timedelta(hours=1)),
    )  # fmt: skip
    db.flush()
    cancel_webinar(db, SYSTEM, webinar.id)


def _completed(db: Session, settings: Settings, course: Course, learner: User) -> None:
    publish(db, CourseCompleted(learner.id, course.id))


def _attended(db: Session, settings: Settings, course: Course, learner: User) -> None:
    publish(db, AttendanceCounted(41, course.id, learner.id, None, 55))


Happening = Callable[[Session, Settings, Course, User], None]
CASES: list[tuple[Happening, str, dict[str, Any]]] = [
    (_grade, "grade.released", {"final_points": Decimal(7)}),
    (_credits, "credits.awarded", {"unit_code": "HM-1", "credits": Decimal(5)}),
    (_transcript, "transcript.issued", {"kind": "transcript"}),
    (_cancelled, "session.cancelled", {"title": "Financing PHC", "status": "cancelled"}),
    (_completed, "course.completed", {}),
    (_attended, "attendance.counted", {"webinar_id": 41, "counted_minutes": 55}),
]


@pytest.mark.parametrize(("happen", "event_type", "fields"), CASES, ids=[c[1] for c in CASES])
def test_each_event_reaches_the_learners_institution_only(
    db: Session,
    settings: Settings,
    world: tuple[Course, User, ApiClient, ApiClient],
    happen: Happening,
    event_type: str,
    fields: dict[str, Any],
):
    course, learner, ours, theirs = world

    happen(db, settings, course, learner)
    db.commit()

    messages = db.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == DELIVER)).all()
    sent = [m["event"] for m in messages if m["event"]["type"] == event_type]
    assert len(sent) == 1
    [event] = sent
    assert event["id"].startswith("evt_")
    assert event["timestamp"].endswith("Z")
    data = event["data"]
    shown = {k: Decimal(data[k]) if isinstance(v, Decimal) else data[k] for k, v in fields.items()}
    assert shown == fields
    assert data.get("user_id", learner.id) == learner.id
    assert data.get("course_id") in (course.id, None)  # a ledger entry may name no course
    subscriptions = {m["subscription_id"] for m in messages}
    assert subscriptions == {_subscription_of(db, ours)}
    assert _subscription_of(db, theirs) not in subscriptions


def _subscription_of(db: Session, client: ApiClient) -> int:
    found = db.scalar(
        select(WebhookSubscription.id).where(WebhookSubscription.api_client_id == client.id)
    )
    assert found is not None
    return found


def test_a_partner_institution_of_the_course_hears_of_its_cancelled_session(
    db: Session, settings: Settings, world: tuple[Course, User, ApiClient, ApiClient]
):
    course, learner, _ours, theirs = world
    partners.add_partner(db, SYSTEM, course.id, "P88")

    _cancelled(db, settings, course, learner)
    db.commit()

    webhooks = select(OutboxMessage.payload).where(OutboxMessage.kind == DELIVER)
    to = {m["subscription_id"] for m in db.scalars(webhooks)}
    assert _subscription_of(db, theirs) in to
    assert len(to) == 2

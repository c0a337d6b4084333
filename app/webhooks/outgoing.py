"""Domain events become webhook messages in the transaction that published them: one outbox
message per subscription that listens for the event's type in the institution concerned — the
person's, or for a session the institutions running or partnering its course. Nothing is
sent to any other institution. A savepoint or transaction rolled back takes its messages with
it. The active subscriptions are read once per transaction, and only when an event happens."""

import uuid
from collections import defaultdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from app.accounts.models import User
from app.core import outbox
from app.core.db import utcnow
from app.core.events import subscribe
from app.courses.events import CourseCompleted
from app.courses.models import Course
from app.credits.document_models import DocumentKind, IssuedDocument
from app.credits.events import CreditsChanged, DocumentIssued
from app.credits.ledger_schemas import EntryRead
from app.credits.models import CreditEntry, EntryKind
from app.enrolment.events import EnrolmentChanged
from app.enrolment.schemas import EnrolmentRead
from app.grades.events import GradeReleased
from app.grades.grader_schemas import GradeRead
from app.grades.models import Grade
from app.membership.models import Enrolment
from app.membership.service import partner_institution_ids
from app.webhooks.models import WebhookSubscription
from app.webhooks.schemas import EventType
from app.webhooks.service import DELIVER
from app.webinars.events import AttendanceCounted, SessionCancelled
from app.webinars.models import WebinarSession

_LISTENING = "agora.webhooks.listening"
Listening = dict[int, list[tuple[int, frozenset[str]]]]  # institution → (subscription, types)


@event.listens_for(Session, "after_transaction_end")
def _forget_listening(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_LISTENING, None)


def _listening(session: Session) -> Listening:
    cached: Listening | None = session.info.get(_LISTENING)
    if cached is None:
        cached = defaultdict(list)
        rows = session.execute(
            select(
                WebhookSubscription.id,
                WebhookSubscription.institution_id,
                WebhookSubscription.event_types,
            ).where(WebhookSubscription.disabled_at.is_(None))
        )
        for subscription_id, institution_id, types in rows:
            cached[institution_id].append((subscription_id, frozenset(types)))
        session.info[_LISTENING] = cached
    return cached


def _emit(
    session: Session,
    event_type: EventType,
    institution_ids: list[int | None],
    data: dict[str, Any],
) -> None:
    listening = _listening(session)
    targets = [
        subscription_id
        for institution_id in dict.fromkeys(institution_ids)
        if institution_id is not None
        for subscription_id, types in listening.get(institution_id, ())
        if event_type.value in types
    ]
    if not targets:
        return
    envelope = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": event_type.value,
        "timestamp": utcnow().isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    for subscription_id in targets:
        outbox.enqueue(session, DELIVER, {"subscription_id": subscription_id, "event": envelope})


def _person_event(
    session: Session, event_type: EventType, user_id: int, data: dict[str, Any] | BaseModel
) -> None:
    if not _listening(session):
        return  # nobody subscribes anywhere: not even the person is read
    institution_id = session.get_one(User, user_id).institution_id
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    _emit(session, event_type, [institution_id], payload)


@subscribe(EnrolmentChanged)
def _enrolment_changed(session: Session, changed: EnrolmentChanged) -> None:
    kind = EventType.ENROLMENT_CREATED if changed.created else EventType.ENROLMENT_CHANGED
    enrolment = session.get_one(Enrolment, changed.enrolment_id)
    _person_event(session, kind, changed.user_id, EnrolmentRead.model_validate(enrolment))


@subscribe(CourseCompleted)
def _course_completed(session: Session, completed: CourseCompleted) -> None:
    data = {"user_id": completed.user_id, "course_id": completed.course_id}
    _person_event(session, EventType.COURSE_COMPLETED, completed.user_id, data)


@subscribe(GradeReleased)
def _grade_released(session: Session, released: GradeReleased) -> None:
    if not _listening(session):
        return
    grade = session.scalars(
        select(Grade).where(Grade.item_id == released.item_id, Grade.user_id == released.user_id)
    ).one()
    _person_event(
        session, EventType.GRADE_RELEASED, released.user_id, GradeRead.model_validate(grade)
    )


@subscribe(CreditsChanged)
def _credits_changed(session: Session, changed: CreditsChanged) -> None:
    revoked = changed.kind == EntryKind.REVOCATION.value
    kind = EventType.CREDITS_REVOKED if revoked else EventType.CREDITS_AWARDED
    entry = session.get_one(CreditEntry, changed.entry_id)
    _person_event(session, kind, changed.user_id, EntryRead.model_validate(entry))


@subscribe(DocumentIssued)
def _document_issued(session: Session, issued: DocumentIssued) -> None:
    if issued.kind != DocumentKind.TRANSCRIPT.value:
        return
    document = session.get_one(IssuedDocument, issued.document_id)
    data = {
        "id": document.public_id,
        "kind": document.kind.value,
        "user_id": document.user_id,
        "language": document.language,
        "issued_at": document.issued_at.isoformat(),
        "href": f"/api/v1/documents/{document.public_id}",
    }
    _person_event(session, EventType.TRANSCRIPT_ISSUED, issued.user_id, data)


@subscribe(AttendanceCounted)
def _attendance_counted(session: Session, counted: AttendanceCounted) -> None:
    data = {
        "webinar_id": counted.webinar_id,
        "course_id": counted.course_id,
        "user_id": counted.user_id,
        "module_id": counted.module_id,
        "counted_minutes": counted.counted_minutes,
    }
    _person_event(session, EventType.ATTENDANCE_COUNTED, counted.user_id, data)


@subscribe(SessionCancelled)
def _session_cancelled(session: Session, cancelled: SessionCancelled) -> None:
    if not _listening(session):
        return
    webinar = session.get_one(WebinarSession, cancelled.webinar_id)
    course = session.get_one(Course, cancelled.course_id)
    institutions = [course.institution_id, *partner_institution_ids(session, course.id)]
    data = {
        "id": webinar.id,
        "course_id": webinar.course_id,
        "title": webinar.title,
        "starts_at": webinar.starts_at.isoformat(),
        "ends_at": webinar.ends_at.isoformat(),
        "time_zone": webinar.time_zone,
        "status": webinar.status.value,
        "sequence": webinar.sequence,
        "href": f"/api/v1/sessions/{webinar.id}",
    }
    _emit(session, EventType.SESSION_CANCELLED, institutions, data)

"""Erasure: nothing personal is left outside the legal records, the person cannot sign in and
their address is free again; their uploads leave the storage once it commits; posts and
submissions stay without naming them; a refused or failed erasure writes nothing."""

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AuditEntry, User, UserSession
from app.assignments.models import Submission, SubmissionFile
from app.core.actors import SYSTEM, PlatformRole
from app.core.db import Base, session_factory
from app.core.outbox import OutboxMessage
from app.courses.service.content import store_upload
from app.credits.document_models import DocumentKind, IssuedDocument
from app.enrolment.models import Group, LearnerProfile
from app.forums.models import ForumPost, ForumPostFile
from app.membership.models import Enrolment
from app.messaging.models import Message
from app.notifications.models import Notification
from app.privacy.models import ErasureRequest
from app.privacy.schemas import ErasureConfirm
from app.privacy.service import erasure, officers, requests
from app.privacy.service.access import CannotEraseYourself, NotPrivacyOfficer
from app.privacy.service.coverage import LEGAL_RECORD_TABLES
from app.privacy.service.requests import ConfirmationMismatch
from app.privacy.service.tables import text_columns, text_kind
from app.webinars.models import Registration, RegistrationStatus
from tests.accounts.factories import PASSWORD, make_institution, make_user
from tests.courses.conftest import stored_files
from tests.privacy.privacy_world import (
    EMAIL,
    NAME,
    POSTED,
    SUBMITTED,
    PrivacyWorld,
    count,
    headers_for,
    named,
)

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 7, 9, tzinfo=UTC), tick=False)


def _erase(w: PrivacyWorld, by: User | None = None, confirm: str = EMAIL) -> ErasureRequest:
    actor = w.actor(by or w.officer)
    return requests.erase(
        w.db, actor, w.settings, w.person.id, ErasureConfirm(confirm_email=confirm)
    )


def _hits(db: Session, needles: list[str]) -> list[tuple[str, str, Any]]:
    """Every text, JSON and binary value of every table that holds one of `needles`."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in text_columns(table):
            for (value,) in db.execute(select(column).where(column.is_not(None))):
                text = _as_text(text_kind(column), value).lower()
                found += [(table.name, column.name, value) for n in needles if n.lower() in text]
    return found


def _as_text(kind: str | None, value: object) -> str:
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


def test_nothing_names_the_person_after_erasure_but_the_legal_records(w: PrivacyWorld):
    before = _hits(w.db, [NAME, EMAIL])
    assert {table for table, _c, _v in before} >= {
        "users",
        "forum_posts",
        "private_messages",
        "notifications",
        "submissions",
        "grades",
        "survey_answers",
        "recognition_applications",
        "throttle_events",
        "outbox_messages",
        "intake_rows",
        "idempotency_keys",
    }

    _erase(w)
    w.db.expire_all()

    left = [hit for hit in _hits(w.db, [NAME, EMAIL]) if hit[0] not in LEGAL_RECORD_TABLES]
    assert left == []


def test_the_account_stays_but_names_nobody_and_opens_for_nobody(w: PrivacyWorld):
    _erase(w)
    w.db.expire_all()
    person = w.db.get_one(User, w.person.id)

    assert person.email == f"erased-{person.id}@erased.invalid"
    assert person.display_name == f"Erased person {person.id}"
    assert (person.password_hash, person.country, person.time_zone) == (None, None, "UTC")
    assert not person.is_active
    assert w.db.get(LearnerProfile, person.id) is None
    assert not w.db.scalars(select(UserSession).where(UserSession.user_id == person.id)).all()
    assert not w.db.scalars(select(Notification).where(Notification.user_id == person.id)).all()


def test_an_erased_person_cannot_sign_in_and_their_address_serves_a_new_account(
    client: TestClient, w: PrivacyWorld
):
    _erase(w)
    w.db.flush()

    refused = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": EMAIL, "password": PASSWORD},
    )
    assert refused.status_code == 400
    admin = headers_for(client, w.admin)
    again = client.post(
        "/api/v1/users",
        headers=admin,
        json={"email": EMAIL, "display_name": NAME, "password": "a brand new password"},
    )
    assert again.status_code == 201, again.text


def test_posts_and_submissions_stay_for_the_others_without_naming_the_person(w: PrivacyWorld):
    posts_before = count(w.db, ForumPost)
    _erase(w)
    w.db.expire_all()

    assert count(w.db, ForumPost) == posts_before
    authors = set(w.db.scalars(select(ForumPost.author_id)))
    assert w.person.id not in authors
    assert None in authors
    welcome = w.db.scalar(
        select(ForumPost.body_markdown).where(ForumPost.author_id == w.classmate.id)
    )
    assert welcome == f"Welcome, Erased person {w.person.id}!"
    submission = w.db.scalar(select(Submission).where(Submission.user_id == w.person.id))
    assert submission is not None
    assert submission.text_markdown == ""
    assert w.db.scalar(select(Enrolment.id).where(Enrolment.user_id == w.person.id))  # counted


def test_their_messages_lose_their_words_and_the_others_keep_theirs(w: PrivacyWorld):
    _erase(w)
    w.db.expire_all()
    bodies = dict(w.db.execute(select(Message.sender_id, Message.body_markdown)).all())

    assert bodies[w.person.id] == ""
    assert bodies[w.teacher.id] == f"Yes, Erased person {w.person.id}, until Friday."


def test_their_uploads_leave_the_storage_once_the_erasure_commits(w: PrivacyWorld):
    w.db.commit()
    stored = {path.read_bytes() for path in stored_files(w.settings)}
    assert {SUBMITTED, POSTED} <= stored

    with session_factory() as session:
        officer = session.get_one(User, w.officer.id)
        requests.erase(
            session, w.actor(officer), w.settings, w.person.id, ErasureConfirm(confirm_email=EMAIL)
        )
        assert {SUBMITTED, POSTED} <= {p.read_bytes() for p in stored_files(w.settings)}
        session.commit()

    left = {path.read_bytes() for path in stored_files(w.settings)}
    assert SUBMITTED not in left
    assert POSTED not in left
    assert count(w.db, SubmissionFile) == 0
    assert count(w.db, ForumPostFile) == 0


def test_content_someone_else_still_uses_stays_stored(w: PrivacyWorld):
    other = w.db.scalar(select(ForumPost.id).where(ForumPost.author_id == w.classmate.id))
    used = w.db.scalar(select(SubmissionFile.content_file_id))
    assert other is not None
    assert used is not None
    w.db.add(ForumPostFile(post_id=other, content_file_id=used, name="copy.txt"))
    w.db.commit()

    with session_factory() as session:
        requests.erase(
            session,
            w.actor(session.get_one(User, w.officer.id)),
            w.settings,
            w.person.id,
            ErasureConfirm(confirm_email=EMAIL),
        )
        session.commit()

    assert SUBMITTED in {path.read_bytes() for path in stored_files(w.settings)}


def test_legal_records_are_kept_word_for_word(w: PrivacyWorld):
    document = IssuedDocument(
        public_id="0" * 36,
        kind=DocumentKind.CERTIFICATE,
        user_id=w.person.id,
        language="en",
        kid="k",
        jws=f"signed:{NAME}",
    )
    w.db.add(document)
    w.db.flush()

    _erase(w)
    w.db.expire_all()

    assert w.db.get_one(IssuedDocument, document.id).jws == f"signed:{NAME}"
    actions = set(
        w.db.scalars(select(AuditEntry.action).where(AuditEntry.subject == f"user:{w.person.id}"))
    )
    assert "privacy.erase" in actions


def _everything(db: Session) -> dict[str, list[str]]:
    db.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
        for table in Base.metadata.sorted_tables
    }


REFUSALS: dict[str, type[Exception]] = {
    "wrong address": ConfirmationMismatch,
    "no grant": NotPrivacyOfficer,
    "themselves": CannotEraseYourself,
    "staff": NotPrivacyOfficer,
}


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_a_refused_erasure_writes_nothing(w: PrivacyWorld, refusal: str):
    """A wrong address, a manager without the grant, an officer erasing themselves, a staff
    account erased by an officer who is no admin."""
    caller, confirm = w.officer, EMAIL
    if refusal == "wrong address":
        confirm = "someone@example.org"
    elif refusal == "no grant":
        caller = named(w.db, "Mina Manager", role=PlatformRole.MANAGER)
    elif refusal == "themselves":
        w.person.platform_role = PlatformRole.MANAGER
        officers.grant(w.db, SYSTEM, w.person.id)
        caller = w.person
    else:
        w.person.platform_role = PlatformRole.INSTITUTION_MANAGER
    w.db.flush()
    before = _everything(w.db)

    with pytest.raises(REFUSALS[refusal]):
        _erase(w, by=caller, confirm=confirm)

    assert _everything(w.db) == before


def test_a_failed_erasure_writes_nothing_and_keeps_the_files(
    w: PrivacyWorld, monkeypatch: pytest.MonkeyPatch
):
    w.db.commit()
    before = _everything(w.db)
    stored = sorted(path.read_bytes() for path in stored_files(w.settings))

    def broken(*_args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(erasure, "_scrub_account", broken)
    with session_factory() as session, pytest.raises(RuntimeError):
        requests.erase(
            session,
            w.actor(session.get_one(User, w.officer.id)),
            w.settings,
            w.person.id,
            ErasureConfirm(confirm_email=EMAIL),
        )

    assert _everything(w.db) == before
    assert sorted(path.read_bytes() for path in stored_files(w.settings)) == stored


def test_mail_waiting_for_the_person_is_not_sent(w: PrivacyWorld):
    _erase(w)
    w.db.expire_all()

    assert not [m for m in w.db.scalars(select(OutboxMessage)) if EMAIL in json.dumps(m.payload)]


def test_a_person_is_erased_once(w: PrivacyWorld):
    _erase(w)
    with pytest.raises(requests.AlreadyErased):
        _erase(w, confirm=f"erased-{w.person.id}@erased.invalid")


def test_an_institution_managers_officer_erases_their_institutions_people_only(w: PrivacyWorld):
    elsewhere = make_user(
        w.db, role=PlatformRole.INSTITUTION_MANAGER, institution=make_institution(w.db)
    )
    at_home = make_user(w.db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.home)
    for manager in (elsewhere, at_home):
        officers.grant(w.db, SYSTEM, manager.id)

    with pytest.raises(requests.access.NoSuchPerson):
        _erase(w, by=elsewhere)
    done = _erase(w, by=at_home)

    assert done.carried_out_by_id == at_home.id
    assert done.carried_out_at is not None


def test_a_group_submission_keeps_the_groups_work_but_not_who_sent_it(w: PrivacyWorld):
    group = Group(course_id=w.course.id, name="Team Luang Prabang")
    w.db.add(group)
    w.db.flush()
    content, name = store_upload(w.db, w.settings, io.BytesIO(b"Our joint report."), "report.txt")
    shared = Submission(
        assignment_id=w.db.scalar(select(Submission.assignment_id)),
        group_id=group.id,
        submitted_by_id=w.person.id,
        text_markdown="Our district plan",
        files=[SubmissionFile(name=name, content=content)],
    )
    w.db.add(shared)
    w.db.flush()

    _erase(w)
    w.db.expire_all()

    kept = w.db.get_one(Submission, shared.id)
    assert (kept.text_markdown, kept.submitted_by_id) == ("Our district plan", None)
    assert w.db.scalar(select(SubmissionFile.name).where(SubmissionFile.submission_id == kept.id))


def test_an_admin_officer_erases_a_staff_account(w: PrivacyWorld):
    w.person.platform_role = PlatformRole.INSTITUTION_MANAGER
    officers.grant(w.db, SYSTEM, w.admin.id)
    w.db.flush()

    done = _erase(w, by=w.admin)

    assert done.carried_out_by_id == w.admin.id
    assert w.db.get_one(User, w.person.id).platform_role is PlatformRole.USER


def test_their_place_in_a_session_ahead_is_given_up(w: PrivacyWorld):
    _erase(w)
    w.db.expire_all()

    [registration] = w.db.scalars(
        select(Registration).where(Registration.user_id == w.person.id)
    ).all()
    assert registration.status is RegistrationStatus.CANCELLED
    assert registration.cancelled_at is not None

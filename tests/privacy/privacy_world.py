"""A learner with data in as many tables as practical (profile, external id, enrolment, grade,
submission with a file, forum posts with a file, messages both ways, notifications and choices,
a named survey answer, a recognition application with evidence, sessions and tokens, a
throttled sign-in, mail waiting for them), the people around them, and a privacy officer."""

import io
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.auth import actor_for_user
from app.accounts.models import (
    Institution,
    PasswordResetToken,
    RefreshToken,
    ThrottledAttempt,
    ThrottleEvent,
    User,
)
from app.assignments.models import Submission, SubmissionFile, SubmissionStatus
from app.core import outbox
from app.core.actors import SYSTEM, Actor, PlatformRole
from app.core.config import Settings
from app.core.db import utcnow
from app.core.idempotency import IdempotencyKey
from app.core.security import hash_password
from app.courses.models import Course, Programme, ProgrammeKind, Status
from app.courses.service.content import store_upload
from app.credits.recognition_models import RecognitionApplication, RecognitionEvidence
from app.enrolment.cohorts import add_member, create_cohort
from app.enrolment.models import (
    ExternalId,
    IntakeRow,
    IntakeRun,
    LearnerProfile,
    ProfessionalStatus,
)
from app.forums.models import ForumPost
from app.forums.service.attachments import attach
from app.grades.models import Grade, GradeItem, ItemSource
from app.membership.models import CourseRole
from app.messaging import service as messages
from app.messaging.schemas import MessageCreate
from app.notifications.models import MailDelivery, NotificationKind, NotificationPreference
from app.privacy.service import officers
from app.surveys.models import QuestionKind, SurveyAnswer, SurveyResponse
from app.webinars.feeds import create_feed
from app.webinars.models import Registration, RegistrationStatus
from app.webinars.schemas import SessionCreate
from app.webinars.service.scheduling import schedule
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, sign_in
from tests.assignments.factories import make_assignment
from tests.courses.factories import enrol_as, import_hs101
from tests.forums.factories import ForumWorld, forum_module, reply, thread
from tests.surveys.factories import World as SurveyWorld
from tests.surveys.factories import course_survey, question, section

NAME = "Vilayvanh Keomanivong"
EMAIL = "vilayvanh.keomanivong@example.org"
SUBMITTED = b"My essay on district health financing."
POSTED = b"Photo of the ward rota."
EVIDENCE = b"Certificate of the nursing school."


@dataclass
class PrivacyWorld:
    db: Session
    settings: Settings
    home: Institution
    course: Course
    person: User
    teacher: User
    classmate: User
    officer: User  # a platform manager holding the grant
    admin: User

    def actor(self, user: User) -> Actor:
        return actor_for_user(user)


def people(db: Session, settings: Settings) -> PrivacyWorld:
    """The course and its people, before the person has any data."""
    course = import_hs101(db, settings)
    home = db.get_one(Institution, course.institution_id)
    person = make_user(db, email=EMAIL, password=PASSWORD, institution=home)
    person.display_name = NAME
    person.country = "LA"
    teacher = named(db, "Tran Van Minh", institution=home)
    classmate = named(db, "Bounmy Sisavath", institution=home)
    officer = named(db, "Dara Officer", role=PlatformRole.MANAGER)
    admin = named(db, "Ada Admin", role=PlatformRole.ADMIN)
    enrol_as(db, course, person, CourseRole.STUDENT)
    enrol_as(db, course, classmate, CourseRole.STUDENT)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    officers.grant(db, SYSTEM, officer.id)
    db.flush()
    return PrivacyWorld(db, settings, home, course, person, teacher, classmate, officer, admin)


def named(db: Session, name: str, **options: Any) -> User:
    user = make_user(db, password=PASSWORD, **options)
    user.display_name = name
    db.flush()
    return user


def with_data(db: Session, settings: Settings) -> PrivacyWorld:
    w = people(db, settings)
    _profile(w)
    _grade(w)
    _submission(w)
    _forum(w)
    _messages(w)
    _survey_answer(w)
    _recognition(w)
    _sign_ins(w)
    _elsewhere(w)
    db.flush()
    return w


def _profile(w: PrivacyWorld) -> None:
    w.db.add(
        LearnerProfile(
            user_id=w.person.id,
            nationality="MM",
            refugee=True,
            professional_status=ProfessionalStatus.WORKING_PROFESSIONAL,
        )
    )
    w.db.add(ExternalId(institution_id=w.home.id, external_id="LA-2026-0042", user_id=w.person.id))
    w.db.add(
        NotificationPreference(
            user_id=w.person.id, kind=NotificationKind.FORUM_POST, delivery=MailDelivery.DIGEST
        )
    )


def _grade(w: PrivacyWorld) -> None:
    item = GradeItem(course_id=w.course.id, source=ItemSource.MANUAL, title="Essay")
    w.db.add(item)
    w.db.flush()
    w.db.add(
        Grade(
            item_id=item.id,
            user_id=w.person.id,
            points=Decimal("14.5"),
            feedback_html=f"<p>Well argued, {NAME}.</p>",
            updated_by_id=w.teacher.id,
        )
    )


def _submission(w: PrivacyWorld) -> None:
    assignment = make_assignment(w.db, w.course)
    content, name = store_upload(w.db, w.settings, io.BytesIO(SUBMITTED), "essay.txt")
    w.db.add(
        Submission(
            assignment_id=assignment.id,
            user_id=w.person.id,
            submitted_by_id=w.person.id,
            status=SubmissionStatus.SUBMITTED,
            submitted_at=utcnow(),
            text_markdown=f"Essay by {NAME}",
            text_html=f"<p>Essay by {NAME}</p>",
            files=[SubmissionFile(name=name, content=content)],
        )
    )


def _forum(w: PrivacyWorld) -> None:
    _module_id, forum_id = forum_module(w.db, w.settings, w.course)
    forum = ForumWorld(w.db, w.settings, w.course, forum_id, 0, w.teacher, w.person, w.classmate)
    started = thread(forum, w.person, "My district", f"I am {NAME}, write to {EMAIL}.")
    post_id = reply(forum, w.person, started, "The ward rota is attached.")
    attach(w.db, w.settings, w.db.get_one(ForumPost, post_id), [(io.BytesIO(POSTED), "rota.txt")])
    reply(forum, w.classmate, started, f"Welcome, {NAME}!")


def _messages(w: PrivacyWorld) -> None:
    messages.send(
        w.db,
        w.actor(w.person),
        w.teacher.id,
        MessageCreate(body_markdown="Could I hand my essay in late?"),
    )
    messages.send(
        w.db,
        w.actor(w.teacher),
        w.person.id,
        MessageCreate(body_markdown=f"Yes, {NAME}, until Friday."),
    )


def _survey_answer(w: PrivacyWorld) -> None:
    sw = SurveyWorld(
        w.db,
        w.settings,
        w.home,
        w.course,
        w.teacher,
        [w.person],
        w.classmate,
        w.officer,
        w.officer,
        w.officer,
    )
    survey = course_survey(sw, anonymous=False)
    comments = question(sw, section(sw, survey), QuestionKind.LONG_TEXT)
    response = SurveyResponse(
        survey_id=survey.id, user_id=w.person.id, submitted_on=utcnow().date(), country="LA"
    )
    w.db.add(response)
    w.db.flush()
    w.db.add(
        SurveyAnswer(
            response_id=response.id, question_id=comments, text=f"{NAME} found the course useful."
        )
    )


def _recognition(w: PrivacyWorld) -> None:
    programme = Programme(
        code="PRIV-PRG", kind=ProgrammeKind.MASTER, title="Master", status=Status.PUBLISHED
    )
    w.db.add(programme)
    w.db.flush()
    application = RecognitionApplication(
        user_id=w.person.id,
        programme_id=programme.id,
        institution_id=w.home.id,
        experience_markdown=f"{NAME}: ten years as a district nurse.",
        experience_html=f"<p>{NAME}: ten years as a district nurse.</p>",
    )
    w.db.add(application)
    w.db.flush()
    content, name = store_upload(w.db, w.settings, io.BytesIO(EVIDENCE), "certificate.txt")
    w.db.add(
        RecognitionEvidence(application_id=application.id, content_file_id=content.id, name=name)
    )


def _sign_ins(w: PrivacyWorld) -> None:
    auth.start_session(w.db, w.settings, w.person, "203.0.113.9", "Firefox")
    expires = utcnow() + timedelta(days=1)
    w.db.add(
        RefreshToken(
            token_digest="d" * 64, family="f" * 64, user_id=w.person.id, expires_at=expires
        )
    )
    w.db.add(PasswordResetToken(token_digest="e" * 64, user_id=w.person.id, expires_at=expires))
    w.db.add(
        ThrottleEvent(kind=ThrottledAttempt.FAILED_SIGN_IN, account=EMAIL, ip_address="203.0.113.9")
    )
    create_feed(w.db, w.actor(w.person))
    outbox.enqueue(w.db, "mail", {"to": EMAIL, "subject": f"Hello {NAME}"})


def _elsewhere(w: PrivacyWorld) -> None:
    """An intake that named them, a cohort, a webinar, a partner's cached API answer."""
    run = IntakeRun(actor_user_id=w.teacher.id, course_id=w.course.id, source="csv")
    w.db.add(run)
    w.db.flush()
    w.db.add(
        IntakeRow(
            run_id=run.id,
            line=2,
            external_id="LA-2026-0042",
            email=EMAIL,
            outcome="created",
            user_id=w.person.id,
        )
    )
    cohort = create_cohort(w.db, SYSTEM, "PRIV-CO", "Intake 2026", w.home.code)
    add_member(w.db, SYSTEM, cohort.id, w.person.id)
    starts = utcnow() + timedelta(days=3)
    webinar = schedule(
        w.db,
        SYSTEM,
        w.settings,
        w.course.id,
        SessionCreate(
            title="Financing",
            time_zone="UTC",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        ),
    )
    w.db.add(
        Registration(
            session_id=webinar.id, user_id=w.person.id, status=RegistrationStatus.REGISTERED
        )
    )
    body = json.dumps({"email": EMAIL, "display_name": NAME}).encode()
    w.db.add(IdempotencyKey(caller="client:1", key="k-1", fingerprint="f", status=201, body=body))


def count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def headers_for(client: TestClient, user: User) -> dict[str, str]:
    if user.password_hash is None:
        user.password_hash = hash_password(PASSWORD)
    return bearer(api_token(client, user.email))


def browser_of(client: TestClient, user: User) -> TestClient:
    sign_in(client, user.email)
    return client

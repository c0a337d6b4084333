"""Credits seed: recognition (demo only). The LMQS Master learner of P12 (student3@demo.agora)
has a decided application: LMQS-QM granted in full by a jury of two, the demo teacher in the
chair and the demo manager, who named it. Everything goes through the recognition services,
so the credits enter the ledger as any decision's do. Loaded once: a learner who already asked
for the course, or holds it, is left as she is."""

import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM, Actor
from app.core.config import Settings
from app.courses.models import Course, Programme
from app.credits.recognition_models import Outcome, RecognitionApplication, RecognitionRequest
from app.credits.service import (
    ledger,
    recognition,
    recognition_decision,
    recognition_evidence,
    recognition_jury,
)
from app.credits.service.recognition_decision import ItemDecision
from app.credits.service.recognition_jury import Member
from app.enrolment.models import ProgrammeEnrolment
from app.enrolment.programmes import enrol_in_programme

LEARNER, CHAIR, REGISTRAR = "student3@demo.agora", "teacher@demo.agora", "manager@demo.agora"
PROGRAMME, COURSE = "LMQS-MAS", "LMQS-QM"
EXPERIENCE = (
    "Six years as quality officer of a regional hospital: I ran the ISO 9001 certification, "
    "the internal audits and the incident-reporting system.\n\n"
    "- Process mapping and indicators for four departments\n"
    "- Two external audits passed without major non-conformity"
)
EVIDENCE = (
    "attestation.txt",
    b"The hospital's director attests that the applicant served as quality officer, 2019-2025.\n",
)
REASON = "The audits, indicators and certification led cover every learning outcome of the course."


def seed(session: Session, settings: Settings, _seed_dir: Path, *, demo: bool) -> None:
    """The demo decision, once; nothing without `--demo` or without its people and course."""
    if not demo:
        return
    people = {
        email: session.scalar(select(User).where(User.email == email))
        for email in (LEARNER, CHAIR, REGISTRAR)
    }
    course = session.scalar(select(Course).where(Course.code == COURSE))
    programme = session.scalar(select(Programme).where(Programme.code == PROGRAMME))
    learner, chair, registrar = people[LEARNER], people[CHAIR], people[REGISTRAR]
    if learner is None or chair is None or registrar is None:
        return
    if course is None or programme is None:
        return
    if _already_asked(session, learner, course):
        return
    _enrol(session, learner, programme)
    _decided(session, settings, actor_for_user(learner), programme, course, chair, registrar)


def _already_asked(session: Session, learner: User, course: Course) -> bool:
    asked = session.scalar(
        select(RecognitionRequest.id)
        .join(RecognitionApplication)
        .where(
            RecognitionApplication.user_id == learner.id, RecognitionRequest.course_id == course.id
        )
    )
    held = {e.course_id for e in ledger.in_force(session, [learner.id])[learner.id]}
    return asked is not None or course.id in held


def _enrol(session: Session, learner: User, programme: Programme) -> None:
    """Slice A's seed enrols her; if it has not run, she is enrolled here the same way."""
    enrolled = session.scalar(
        select(ProgrammeEnrolment.id).where(
            ProgrammeEnrolment.programme_id == programme.id,
            ProgrammeEnrolment.user_id == learner.id,
        )
    )
    if enrolled is None:
        enrol_in_programme(session, SYSTEM, programme.code, learner.id)


def _decided(
    session: Session, settings: Settings, learner: Actor, programme: Programme, course: Course,
    chair: User, registrar: User,
) -> None:  # fmt: skip
    view = recognition.create(session, learner, programme.id, [course.id], EXPERIENCE)
    application_id = view.application.id
    name, content = EVIDENCE
    recognition_evidence.add_evidence(
        session, learner, settings, application_id, io.BytesIO(content), name
    )
    recognition.submit(session, learner, application_id)
    jury = [Member(chair.id, chair=True), Member(registrar.id)]
    recognition_jury.name_jury(session, actor_for_user(registrar), application_id, jury)
    decision = ItemDecision(course.id, Outcome.FULL, REASON)
    recognition_decision.decide(
        session, actor_for_user(chair), settings, application_id, [decision]
    )
    session.flush()

"""Credits seed: transfer. With `--demo`, the LMQS Master learner of P12 (student3@demo.agora)
has a learning agreement with the Kazakh partner P5, approved by both sides, and the host's
result on the Russian 5-point scale ("хорошо") received through the transfer service: it is
recognised by the ECTS grading tables when both are seeded (P5's and P12's ru-5 tables of the
course's reference group), and otherwise waits for a registrar's decision. Loaded once."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM, Actor, PlatformRole
from app.core.config import Settings
from app.courses.models import Course, Programme
from app.credits.service import agreements, transfer
from app.credits.transfer_models import LearningAgreement

LEARNER = "student3@demo.agora"
REGISTRAR = "manager@demo.agora"
HOST = "P5"
# LMQS-HS and LMQS-QM are the demo learner's already (a course result, a recognition).
PROGRAMME, HOME_COURSE = "LMQS-MAS", "LMQS-ENT"
HOST_COURSE = ("KZNU-EHM-7", "Entrepreneurship in health-care management")
HOST_CREDITS = Decimal(3)
PERIOD = (date(2026, 2, 2), date(2026, 6, 30))
COMPLETED_ON = date(2026, 6, 19)


def _registrar(session: Session) -> Actor:
    """The demo manager approves for the home institution when there is one."""
    manager = session.scalar(
        select(User).where(User.email == REGISTRAR, User.platform_role == PlatformRole.MANAGER)
    )
    return SYSTEM if manager is None else actor_for_user(manager)


def seed(session: Session, _settings: Settings, _seed_dir: Path, *, demo: bool) -> None:
    """The demo mobility, once; nothing without `--demo` or without its learner and courses."""
    if not demo:
        return
    learner = session.scalar(select(User).where(User.email == LEARNER))
    host = session.scalar(select(Institution).where(Institution.code == HOST))
    programme = session.scalar(select(Programme).where(Programme.code == PROGRAMME))
    course = session.scalar(select(Course).where(Course.code == HOME_COURSE))
    if learner is None or host is None or programme is None or course is None:
        return
    done = session.scalar(
        select(LearningAgreement.id).where(
            LearningAgreement.learner_id == learner.id,
            LearningAgreement.host_institution_id == host.id,
        )
    )
    if done is not None:
        return
    registrar = _registrar(session)
    draft = agreements.AgreementDraft(learner.id, host.id, programme.id, *PERIOD)
    agreement = agreements.create(session, registrar, draft)
    line = agreements.LineDraft(
        host_course_code=HOST_COURSE[0],
        host_course_title=HOST_COURSE[1],
        host_credits=HOST_CREDITS,
        home_course_id=course.id,
        host_scale_code="ru-5",
        isced_code=course.isced_code,
        eqf_level=course.eqf_level,
    )
    agreements.add_line(session, registrar, agreement.id, line)
    agreements.propose(session, registrar, agreement.id)
    agreements.approve_as_home(session, registrar, agreement.id)
    agreements.approve_as_host(session, SYSTEM, agreement.id)
    result = transfer.HostResult(
        learner_id=learner.id,
        host_institution_id=host.id,
        host_course_code=HOST_COURSE[0],
        title=HOST_COURSE[1],
        credits=HOST_CREDITS,
        grade="хорошо",
        scale_code="ru-5",
        isced_code=course.isced_code,
        eqf_level=course.eqf_level,
        completed_on=COMPLETED_ON,
        via="api",
    )
    transfer.receive_result(session, SYSTEM, result)

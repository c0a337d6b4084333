"""Results from host institutions (the API, or ELMO through `receive_result`), stored as sent,
then recognised at home: a result matching a line of an approved learning agreement is
recognised on receipt when its grade converts by the ECTS grading tables; any other result
waits for a registrar's decision — nothing is guessed."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import Actor, require
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course
from app.credits import policy
from app.credits.models import EntrySource
from app.credits.service import ledger
from app.credits.service.transfer_tables import convert_for_line
from app.credits.transfer_models import (
    AgreementLine,
    AgreementStatus,
    LearningAgreement,
    TransferResult,
    TransferStatus,
    WaitingReason,
)
from app.enrolment.models import ExternalId


@dataclass(frozen=True)
class HostResult:
    """A result as the host institution sent it (API or ELMO)."""

    learner_id: int
    host_institution_id: int
    host_course_code: str
    title: str
    credits: Decimal
    grade: str
    scale_code: str | None
    isced_code: str | None
    eqf_level: int | None
    completed_on: date
    via: str  # "api" | "elmo"


def identify(
    session: Session,
    actor: Actor,
    *,
    learner_id: int | None,
    external_id: str | None,
    host_institution_id: int | None,
) -> tuple[int, int]:
    """The learner and the host a result is for: a partner system is the host itself and
    names the learner by our user id or by its own identifier (an ExternalId of its
    institution); a registrar names the host. Unknown learners are 404."""
    host_id = host_institution_id
    if host_id is None and actor.is_partner_client:
        host_id = actor.institution_id
    if host_id is None:
        raise Invalid(N_("Name the host institution."), field="host_institution_id")
    if learner_id is not None:
        return learner_id, host_id
    found = session.scalar(
        select(ExternalId.user_id).where(
            ExternalId.institution_id == host_id, ExternalId.external_id == external_id
        )
    )
    if found is None:
        raise NotFound(field="external_id")
    return found, host_id


def host_knows_learner(session: Session, learner_id: int, host_institution_id: int) -> bool:
    """A host knows the learners who proposed an agreement with it or that it identifies by
    its own identifier."""
    agreement = session.scalar(
        select(LearningAgreement.id).where(
            LearningAgreement.learner_id == learner_id,
            LearningAgreement.host_institution_id == host_institution_id,
            LearningAgreement.status != AgreementStatus.DRAFT,
        )
    )
    if agreement is not None:
        return True
    return (
        session.scalar(
            select(ExternalId.id).where(
                ExternalId.user_id == learner_id, ExternalId.institution_id == host_institution_id
            )
        )
        is not None
    )


def knows_result_learner(
    session: Session, actor: Actor, learner: User, host_institution_id: int
) -> bool:
    """Whether the learner exists for the actor when results from this host are concerned."""
    if policy.knows_learner(actor, learner.id, learner.institution_id):
        return True
    return policy.is_host_of(actor, host_institution_id) and host_knows_learner(
        session, learner.id, host_institution_id
    )


def _check_receipt(session: Session, actor: Actor, result: HostResult) -> User:
    learner = session.get(User, result.learner_id)
    if learner is None or not knows_result_learner(
        session, actor, learner, result.host_institution_id
    ):
        raise NotFound()
    require(
        policy.posts_host_results(actor, result.host_institution_id)
        or policy.partner_writes_for(actor, learner.institution_id)
        or policy.decides_transfers(actor, learner.institution_id)
    )
    if session.get(Institution, result.host_institution_id) is None:
        raise Invalid(N_("Name the host institution."), field="host_institution_id")
    return learner


def _existing(session: Session, result: HostResult) -> TransferResult | None:
    return session.scalar(
        select(TransferResult).where(
            TransferResult.learner_id == result.learner_id,
            TransferResult.host_institution_id == result.host_institution_id,
            TransferResult.host_course_code == result.host_course_code,
            TransferResult.completed_on == result.completed_on,
        )
    )


def receive(session: Session, actor: Actor, result: HostResult) -> tuple[TransferResult, bool]:
    """Store a host result once (the same learner, host, course code and completion date is the
    same result) and recognise it when it can be; returns it and whether it is new."""
    _check_receipt(session, actor, result)
    existing = _existing(session, result)
    if existing is not None:
        return existing, False
    row = TransferResult(
        learner_id=result.learner_id,
        host_institution_id=result.host_institution_id,
        host_course_code=result.host_course_code,
        title=result.title,
        credits=result.credits,
        grade=result.grade,
        scale_code=result.scale_code,
        isced_code=result.isced_code,
        eqf_level=result.eqf_level,
        completed_on=result.completed_on,
        via=result.via,
        received_by_id=None if actor.is_partner_client else actor.user_id,
        received_by_client_id=actor.api_client_id,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # The same result arrived concurrently: the first one stored wins.
        stored = _existing(session, result)
        if stored is None:
            raise
        return stored, False
    try_recognise(session, actor, row)
    return row, True


def receive_result(session: Session, actor: Actor, result: HostResult) -> TransferResult:
    """Policy-checked receipt of one host result (the host's partner system or the home
    registrar); idempotent."""
    return receive(session, actor, result)[0]


def _matching_line(
    session: Session, row: TransferResult
) -> tuple[LearningAgreement | None, AgreementLine | None]:
    """The line for the host course in the learner's approved agreements with the host (the
    newest first), else the newest approved agreement without such a line, else nothing."""
    approved = (
        select(LearningAgreement)
        .where(
            LearningAgreement.learner_id == row.learner_id,
            LearningAgreement.host_institution_id == row.host_institution_id,
            LearningAgreement.status == AgreementStatus.APPROVED,
        )
        .order_by(LearningAgreement.revision.desc(), LearningAgreement.id.desc())
    )
    found = session.execute(
        approved.add_columns(AgreementLine)
        .join(AgreementLine, AgreementLine.agreement_id == LearningAgreement.id)
        .where(AgreementLine.host_course_code == row.host_course_code)
        .limit(1)
    ).first()
    if found is not None:
        return found[0], found[1]
    return session.scalars(approved.limit(1)).first(), None


def try_recognise(session: Session, actor: Actor, row: TransferResult) -> bool:
    """Match the agreement and convert; on success write the ledger entry, else record why
    the result waits."""
    agreement, line = _matching_line(session, row)
    row.agreement_id = None if agreement is None else agreement.id
    row.line_id = None if line is None else line.id
    if agreement is None or line is None:
        row.waiting_reason = (
            WaitingReason.NO_AGREEMENT if agreement is None else WaitingReason.NO_MATCHING_LINE
        )
        return False
    learner = session.get_one(User, row.learner_id)
    course = session.get_one(Course, line.home_course_id)
    outcome = convert_for_line(session, row, line, course, learner.institution_id)
    if isinstance(outcome, WaitingReason):
        row.waiting_reason = outcome
        return False
    outcome.apply_to(row)
    record_entry(session, actor, row, course, outcome.entry_grade(), reason="")
    return True


def record_entry(
    session: Session,
    actor: Actor,
    row: TransferResult,
    course: Course | None,
    grade: ledger.AwardedGrade,
    *,
    reason: str,
) -> None:
    """Write the ledger entry: for the home course (its ECTS) when there is one, else for the
    host unit with the host's credits; the awarding institution is the host."""
    unit = ledger.Unit(
        code=row.host_course_code,
        title=row.title,
        credits=row.credits if course is None else course.ects,
        course_id=None if course is None else course.id,
        institution_id=row.host_institution_id,
        isced_code=row.isced_code if course is None else course.isced_code,
        eqf_level=row.eqf_level if course is None else course.eqf_level,
    )
    entry = ledger.append(
        session,
        actor,
        unit,
        grade,
        user_id=row.learner_id,
        source=EntrySource.TRANSFER,
        source_id=row.id,
        on=row.completed_on,
        reason=reason,
    )
    row.entry_id = entry.id
    row.status = TransferStatus.RECOGNISED
    row.waiting_reason = None


def recognise_waiting(session: Session, actor: Actor, agreement: LearningAgreement) -> int:
    """On approval: the learner's results from that host that waited for an agreement are
    matched and converted now; returns how many were recognised."""
    waiting = session.scalars(
        select(TransferResult)
        .where(
            TransferResult.learner_id == agreement.learner_id,
            TransferResult.host_institution_id == agreement.host_institution_id,
            TransferResult.status == TransferStatus.PENDING,
            TransferResult.waiting_reason.in_(
                (WaitingReason.NO_AGREEMENT, WaitingReason.NO_MATCHING_LINE)
            ),
        )
        .order_by(TransferResult.id)
    ).all()
    return sum(1 for row in waiting if try_recognise(session, actor, row))

"""A home registrar's decisions on results from hosts that wait: try the agreement and the
tables again, record without conversion with a reason, or refuse with a reason."""

from typing import Literal

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course
from app.credits import policy
from app.credits.service import ledger, transfer, transfer_reads
from app.credits.transfer_models import AgreementLine, TransferResult, TransferStatus


class TransferDecided(Conflict):
    code = "transfer_decided"
    title = N_("This result has already been decided.")


class StillNotRecognised(Conflict):
    code = "transfer_still_waiting"
    title = N_("The result still cannot be recognised by the agreement and the tables.")


Action = Literal["convert", "record", "refuse"]


def decide(
    session: Session,
    actor: Actor,
    result_id: int,
    action: Action,
    *,
    reason: str = "",
    home_course_id: int | None = None,
) -> TransferResult:
    """The home registrar's decision on a waiting result: `convert` tries the agreement and
    the tables again, `record` writes it without conversion (grade as the host gave it) with
    a reason, `refuse` refuses it with a reason."""
    row = transfer_reads.get_result(session, actor, result_id)
    learner = session.get_one(User, row.learner_id)
    require(policy.decides_transfers(actor, learner.institution_id))
    if row.status is not TransferStatus.PENDING:
        raise TransferDecided()
    if action != "convert" and not reason.strip():
        raise Invalid(
            N_("Give a reason to record without conversion or to refuse."), field="reason"
        )
    if action == "convert":
        if not transfer.try_recognise(session, actor, row):
            raise StillNotRecognised()
        return row
    row.decided_by_id = actor.user_id
    row.decided_at = utcnow()
    row.decision_reason = reason
    if action == "refuse":
        row.status = TransferStatus.REFUSED
        return row
    course = _home_course(session, row, home_course_id)
    grade = ledger.AwardedGrade(grade=row.grade, scale_code=row.scale_code)
    transfer.record_entry(session, actor, row, course, grade, reason=reason)
    return row


def _home_course(
    session: Session, row: TransferResult, home_course_id: int | None
) -> Course | None:
    if home_course_id is not None:
        course = session.get(Course, home_course_id)
        if course is None:
            raise NotFound(field="home_course_id")
        return course
    if row.line_id is not None:
        line = session.get(AgreementLine, row.line_id)
        if line is not None:
            return session.get(Course, line.home_course_id)
    return None

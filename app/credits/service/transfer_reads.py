"""Reading agreements and transfer results: one result for those who may read it, and the
lists, a page at a time, filtered in SQL to what the reader may see."""

from collections.abc import Sequence

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.core.actors import Actor, Scope, require
from app.core.errors import Forbidden, NotFound
from app.core.pagination import paginate
from app.credits import policy
from app.credits.transfer_models import (
    AgreementStatus,
    LearningAgreement,
    TransferResult,
    TransferStatus,
)
from app.membership.policy import reached_user_ids


def get_result(session: Session, actor: Actor, result_id: int) -> TransferResult:
    """A transfer result, for the learner, registrars reaching them and the host it came
    from; 404 for anyone else."""
    row = session.get(TransferResult, result_id)
    if row is None:
        raise NotFound()
    learner = session.get_one(User, row.learner_id)
    readable = policy.can_read_credits(actor, learner.id, learner.institution_id) or (
        policy.is_host_of(actor, row.host_institution_id)
    )
    if not readable:
        known = policy.knows_learner(actor, learner.id, learner.institution_id)
        raise Forbidden() if known else NotFound()
    return row


def _visible_results(actor: Actor) -> Select[TransferResult]:
    """The SQL form of `get_result`'s rule, for lists."""
    stmt = select(TransferResult)
    if actor.is_anonymous:
        return stmt.where(false())
    as_host = TransferResult.host_institution_id == actor.institution_id
    if actor.is_manager or actor.is_partner_client:
        if not actor.is_confined:
            return stmt
        return stmt.where(or_(reached_user_ids(actor, TransferResult.learner_id), as_host))
    return stmt.where(TransferResult.learner_id == actor.user_id)


def list_results(
    session: Session,
    actor: Actor,
    cursor: str | None,
    limit: int,
    *,
    status: TransferStatus | None = None,
    learner_id: int | None = None,
) -> tuple[Sequence[TransferResult], str | None]:
    """The results the actor may read, oldest first, a page at a time (`credits:read`)."""
    require(actor.has_scope(Scope.CREDITS_READ))
    stmt = _visible_results(actor)
    if status is not None:
        stmt = stmt.where(TransferResult.status == status)
    if learner_id is not None:
        stmt = stmt.where(TransferResult.learner_id == learner_id)
    return paginate(session, stmt, TransferResult.id, cursor, limit)


def _visible(actor: Actor) -> Select[LearningAgreement]:
    """The SQL form of `_readable`: own agreements, the learners within reach, and as host
    the proposed, approved and cancelled agreements that involve the actor's institution."""
    stmt = select(LearningAgreement).options(selectinload(LearningAgreement.lines))
    if actor.is_anonymous:
        return stmt.where(false())
    if actor.is_manager or actor.is_partner_client:
        if not actor.is_confined:
            return stmt
        as_host = (LearningAgreement.host_institution_id == actor.institution_id) & (
            LearningAgreement.status != AgreementStatus.DRAFT
        )
        return stmt.where(or_(reached_user_ids(actor, LearningAgreement.learner_id), as_host))
    return stmt.where(LearningAgreement.learner_id == actor.user_id)


def list_agreements(
    session: Session,
    actor: Actor,
    cursor: str | None,
    limit: int,
    *,
    learner_id: int | None = None,
    status: AgreementStatus | None = None,
) -> tuple[Sequence[LearningAgreement], str | None]:
    """The agreements the actor may read, oldest first, a page at a time (`credits:read`)."""
    require(actor.has_scope(Scope.CREDITS_READ))
    stmt = _visible(actor)
    if learner_id is not None:
        stmt = stmt.where(LearningAgreement.learner_id == learner_id)
    if status is not None:
        stmt = stmt.where(LearningAgreement.status == status)
    return paginate(session, stmt, LearningAgreement.id, cursor, limit)

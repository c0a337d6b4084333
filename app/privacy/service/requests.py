"""Erasure requests: asked for by the person (or recorded by an officer for them), carried
out by a privacy officer who confirms by typing the person's address. Checked before the
first write, so a refusal writes nothing; carried out in the request's one transaction."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.service import audit, normalise_email
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_
from app.core.pagination import paginate
from app.core.storage import storage_for
from app.membership.policy import reached_user_ids
from app.privacy import policy
from app.privacy.models import ErasureRequest
from app.privacy.schemas import ErasureAsk, ErasureConfirm, ErasureRequestRow
from app.privacy.service import access, erasure


class ErasureAlreadyAsked(Conflict):
    code = "erasure_already_requested"
    title = N_("Your erasure has already been asked for; a privacy officer will carry it out.")


class AlreadyErased(Conflict):
    code = "already_erased"
    title = N_("This person has already been erased.")


class ConfirmationMismatch(Invalid):
    code = "erasure_confirmation_mismatch"
    title = N_("Type the person's e-mail address exactly to confirm the erasure.")


def pending_of(session: Session, person_id: int) -> ErasureRequest | None:
    return session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.person_id == person_id, ErasureRequest.carried_out_at.is_(None))
        .order_by(ErasureRequest.id)
        .limit(1)
    )


def carried_out(session: Session, person_id: int) -> ErasureRequest | None:
    return session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.person_id == person_id, ErasureRequest.carried_out_at.is_not(None))
        .limit(1)
    )


def ask(session: Session, actor: Actor, data: ErasureAsk) -> ErasureRequest:
    """A person asks for their own erasure; once while it waits."""
    if not policy.takes_part(actor) or actor.user_id is None:
        raise access.NoSuchPerson()
    if pending_of(session, actor.user_id) is not None:
        raise ErasureAlreadyAsked()
    made = ErasureRequest(
        person_id=actor.user_id, asked_by_id=actor.user_id, reason=data.reason.strip()
    )
    session.add(made)
    session.flush()
    audit(session, actor, "privacy.erasure_request", f"user:{actor.user_id}")
    return made


def erase(
    session: Session, actor: Actor, settings: Settings, person_id: int, data: ErasureConfirm
) -> ErasureRequest:
    """Erase a person (a privacy officer, within the policy), after the person's address is
    typed again. The waiting request is carried out, or one is recorded with the reason."""
    person = access.person_for(session, actor, person_id, access.erasable(actor))
    if carried_out(session, person.id) is not None:
        raise AlreadyErased()
    if normalise_email(data.confirm_email) != person.email:
        raise ConfirmationMismatch(field="confirm_email")
    request = pending_of(session, person.id)
    if request is None:
        request = ErasureRequest(person_id=person.id, asked_by_id=actor.user_id, reason="")
        session.add(request)
    if data.reason.strip():
        request.reason = "\n".join(part for part in (request.reason, data.reason.strip()) if part)
    request.carried_out_at = utcnow()
    request.carried_out_by_id = actor.user_id
    session.flush()
    erasure.carry_out(session, storage_for(settings), person)
    session.refresh(request)  # its reason may have named the person: rewritten since
    audit(session, actor, "privacy.erase", f"user:{person.id}")
    return request


@dataclass(frozen=True)
class RequestRow:
    request: ErasureRequest
    person_name: str
    person_email: str

    def read(self) -> ErasureRequestRow:
        return ErasureRequestRow(
            id=self.request.id,
            person_id=self.request.person_id,
            asked_by_id=self.request.asked_by_id,
            reason=self.request.reason,
            created_at=self.request.created_at,
            carried_out_at=self.request.carried_out_at,
            carried_out_by_id=self.request.carried_out_by_id,
            person_name=self.person_name,
            person_email=self.person_email,
        )


def requests(
    session: Session,
    actor: Actor,
    *,
    waiting: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[RequestRow], str | None]:
    """Erasure requests of the people in the officer's reach, oldest first (`waiting`: only
    those to carry out, or only those carried out)."""
    access.require_officer(session, actor)
    stmt = select(ErasureRequest).where(reached_user_ids(actor, ErasureRequest.person_id))
    if waiting is not None:
        done = ErasureRequest.carried_out_at
        stmt = stmt.where(done.is_(None) if waiting else done.is_not(None))
    found, next_cursor = paginate(session, stmt, ErasureRequest.id, cursor, limit)
    return _with_people(session, found), next_cursor


def _with_people(session: Session, found: Sequence[ErasureRequest]) -> list[RequestRow]:
    ids = {request.person_id for request in found}
    people = {
        user_id: (name, email)
        for user_id, name, email in session.execute(
            select(User.id, User.display_name, User.email).where(User.id.in_(ids))
        )
    }
    return [RequestRow(request, *people[request.person_id]) for request in found]

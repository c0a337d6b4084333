"""The credit ledger over the API: a learner's credits in force and full history
(`credits:read`), and registrars' corrections and revocations (`credits:write`)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.credits.ledger_schemas import CorrectionCreate, CreditsRead, EntryRead, RevocationCreate
from app.credits.service import corrections, ledger_reads

router = APIRouter(tags=["credits"], route_class=DeferredRoute)


@router.get("/users/{user_id}/credits", response_model=CreditsRead)
def read_credits(user_id: Id, session: SessionDep, actor: SignedInApiActor) -> CreditsRead:
    """The learner's ledger entries in force, each course or recognised unit once, and their
    total ECTS credits. Readable by the learner, registrars who reach them and partner systems
    (`credits:read`) of the learner's institution; anyone else is told the learner does not
    exist (404)."""
    found = ledger_reads.standing(session, actor, user_id)
    return CreditsRead(
        user_id=found.learner.id,
        total=found.total,
        entries=[EntryRead.model_validate(e) for e in found.entries],
    )


@router.get("/users/{user_id}/credits/history", response_model=Page[EntryRead])
def read_credit_history(
    user_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[EntryRead]:
    """Every entry of the learner's ledger, oldest first: awards, corrections and revocations
    (a superseded entry stays here), 50 a page; follow `next_cursor`. Same readers as the
    credits."""
    found, next_cursor = ledger_reads.history_page(session, actor, user_id, cursor, limit)
    return Page[EntryRead](
        items=[EntryRead.model_validate(e) for e in found], next_cursor=next_cursor
    )


@router.post("/credit-entries/{entry_id}/corrections", response_model=EntryRead, status_code=201)
def correct_entry(
    entry_id: Id, data: CorrectionCreate, session: SessionDep, actor: SignedInApiActor
) -> EntryRead:
    """Correct an entry in force: new `credits` and/or a new `grade` (on the entry's scale),
    with a mandatory `reason`. Writes a correction entry that supersedes it; an entry already
    corrected or revoked answers 409 `entry_superseded`. Registrars who reach the learner
    only."""
    return EntryRead.model_validate(corrections.correct(session, actor, entry_id, data))


@router.post("/credit-entries/{entry_id}/revocations", response_model=EntryRead, status_code=201)
def revoke_entry(
    entry_id: Id, data: RevocationCreate, session: SessionDep, actor: SignedInApiActor
) -> EntryRead:
    """Revoke an entry in force with a mandatory `reason`: its credits stop counting and it
    stays in the history. An entry already corrected or revoked answers 409
    `entry_superseded`. Registrars who reach the learner only."""
    return EntryRead.model_validate(corrections.revoke(session, actor, entry_id, data))

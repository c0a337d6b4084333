"""Ledger pages: the registrars' credits desk (`/admin/credits`, a learner search and links to
the other registrar pages), a learner's ledger for registrars with its correct and revoke
forms, and the learner's own history (`/me/credits/history`). A refused form is shown again
with its message and writes nothing."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.forms import attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.web import render, see_other
from app.credits import policy
from app.credits.ledger_schemas import CorrectionCreate, RevocationCreate
from app.credits.models import CreditEntry
from app.credits.service import corrections, ledger_reads

router = page_router()
FormText = Annotated[str, Form(max_length=2000)]
Cursor = Annotated[str | None, Query(max_length=40)]
PAGE_SIZE = 50


@router.get("/admin/credits")
def credits_desk(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    require(policy.keeps_credit_records(actor))
    found = ledger_reads.search_learners(session, actor, q.strip()) if q.strip() else []
    return render(request, "credits/ledger_desk.html", {"q": q, "learners": found})


def _history_context(
    session: SessionDep, actor: Actor, user_id: int, cursor: str | None
) -> dict[str, Any]:
    entries, next_cursor = ledger_reads.history_page(session, actor, user_id, cursor, PAGE_SIZE)
    ids = [e.id for e in entries]
    return {
        "entries": entries,
        "next_cursor": next_cursor,
        "superseded": ledger_reads.superseded_ids(session, ids),
        "authors": ledger_reads.authors(session, entries),
    }


def _ledger_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    user_id: int,
    cursor: str | None = None,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    learner = registrar_learner(session, actor, user_id)
    context = {
        "learner": learner,
        "standing": ledger_reads.standing(session, actor, learner.id),
        "failed": failed or {},
        **_history_context(session, actor, learner.id, cursor),
    }
    return render(request, "credits/ledger.html", context, status=status)


def registrar_learner(session: SessionDep, actor: Actor, user_id: int) -> User:
    """The learner of a registrar's ledger page: 404 unknown, 403 known but not a registrar."""
    learner = ledger_reads.known_learner(session, actor, user_id)
    require(policy.is_registrar_of_learner(actor, learner.institution_id))
    return learner


@router.get("/admin/learners/{user_id}/ledger")
def learner_ledger(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    user_id: Id,
    cursor: Cursor = None,
) -> Response:
    return _ledger_page(request, session, actor, user_id, cursor)


def _entry_of(session: SessionDep, actor: Actor, user_id: int, entry_id: int) -> CreditEntry:
    entry = corrections.entry_for_registrar(session, actor, entry_id)
    if entry.user_id != user_id:
        raise NotFound(N_("No such ledger entry."))
    return entry


def _attempt(
    request: Request,
    session: SessionDep,
    actor: Actor,
    user_id: int,
    failed: dict[str, Any],
    write: Callable[[], object],
) -> Response:
    with attempt_form(request, session) as attempt:
        write()
    if attempt.refused:
        failed = {**failed, "errors": attempt.errors}
        status = 409 if attempt.code == "entry_superseded" else 400
        return _ledger_page(request, session, actor, user_id, failed=failed, status=status)
    return see_other(f"/admin/learners/{user_id}/ledger?saved=1")


@router.post("/admin/learners/{user_id}/ledger/{entry_id}/correction")
def correct_entry(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    user_id: Id,
    entry_id: Id,
    credits: FormText = "",
    grade: FormText = "",
    reason: FormText = "",
) -> Response:
    entry = _entry_of(session, actor, user_id, entry_id)
    form = {"credits": credits or None, "grade": grade or None, "reason": reason}
    failed = {"entry_id": entry.id, "action": "correct", "form": form}
    return _attempt(
        request,
        session,
        actor,
        user_id,
        failed,
        lambda: corrections.correct(
            session, actor, entry.id, CorrectionCreate.model_validate(form)
        ),
    )


@router.post("/admin/learners/{user_id}/ledger/{entry_id}/revocation")
def revoke_entry(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    user_id: Id,
    entry_id: Id,
    reason: FormText = "",
) -> Response:
    entry = _entry_of(session, actor, user_id, entry_id)
    form = {"reason": reason}
    failed = {"entry_id": entry.id, "action": "revoke", "form": form}
    return _attempt(
        request,
        session,
        actor,
        user_id,
        failed,
        lambda: corrections.revoke(session, actor, entry.id, RevocationCreate.model_validate(form)),
    )


@router.get("/me/credits/history")
def my_credit_history(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    cursor: Cursor = None,
) -> Response:
    context = {
        "standing": ledger_reads.standing(session, actor, user.id),
        **_history_context(session, actor, user.id, cursor),
    }
    return render(request, "credits/ledger_mine.html", context)

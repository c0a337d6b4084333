"""Personal data over the API: one's own export and erasure request; the privacy officers'
exports, erasures and requests; the admins' naming of officers."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.privacy.schemas import (
    ErasureAsk,
    ErasureConfirm,
    ErasureRequestRead,
    ErasureRequestRow,
    PrivacyOfficerRead,
)
from app.privacy.service import export, officers, requests
from app.privacy.service.export import PersonalData

router = APIRouter(tags=["privacy"], route_class=DeferredRoute)
ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "the personal data, as a zip"}
}


def _download(data: PersonalData) -> StreamingResponse:
    headers = {**attachment_headers(data.name), "Content-Length": str(data.size)}
    return StreamingResponse(data.chunks(), media_type="application/zip", headers=headers)


@router.get("/me/personal-data", response_class=StreamingResponse, responses=ZIP)
def my_personal_data(
    session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> StreamingResponse:
    """Everything Agora keeps about the caller, as a zip: `manifest.json`, one JSON file per
    table under `tables/` (secrets such as password hashes withheld) and the caller's files
    under `files/`. Audited. Partner systems are no person: 404."""
    return _download(export.export_mine(session, actor, settings))


@router.post("/me/erasure-request", response_model=ErasureRequestRead, status_code=201)
def ask_for_erasure(data: ErasureAsk, session: SessionDep, actor: SignedInApiActor) -> object:
    """Ask for the caller's own erasure; a privacy officer carries it out. 409
    `erasure_already_requested` while one waits."""
    return requests.ask(session, actor, data)


@router.get("/users/{user_id}/personal-data", response_class=StreamingResponse, responses=ZIP)
def personal_data(
    user_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> StreamingResponse:
    """A person's data export, for a privacy officer who reaches the person (an institution
    manager: their institution's people) or for the person themselves. Audited. 403
    `not_a_privacy_officer` for managers without the grant."""
    return _download(export.export_person(session, actor, settings, user_id))


@router.post("/users/{user_id}/erasure", response_model=ErasureRequestRead)
def erase(
    user_id: Id,
    data: ErasureConfirm,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> object:
    """Erase a person, for a privacy officer who reaches them (staff accounts: an admin
    officer), confirmed by `confirm_email`, the person's address (422
    `erasure_confirmation_mismatch` otherwise). Their waiting request is carried out, or one
    is recorded. Personal fields, files, messages and tokens go; posts and submissions stay
    without naming them; legal records stay for their retention period. 409
    `already_erased`."""
    return requests.erase(session, actor, settings, user_id, data)


@router.get("/erasure-requests", response_model=Page[ErasureRequestRow])
def list_requests(
    session: SessionDep,
    actor: SignedInApiActor,
    waiting: Annotated[bool | None, Query(description="only waiting (or done) ones")] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[ErasureRequestRow]:
    """Erasure requests of the people the privacy officer reaches, oldest first."""
    rows, next_cursor = requests.requests(
        session, actor, waiting=waiting, cursor=cursor, limit=limit
    )
    return Page[ErasureRequestRow](items=[row.read() for row in rows], next_cursor=next_cursor)


@router.get("/privacy-officers", response_model=list[PrivacyOfficerRead])
def list_officers(session: SessionDep, actor: SignedInApiActor) -> object:
    """Who holds the privacy officer's grant; for managers."""
    return officers.officers(session, actor)


@router.put("/privacy-officers/{user_id}", response_model=PrivacyOfficerRead)
def grant(user_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """Make a manager (admin, manager or institution manager) a privacy officer; platform
    admins only. 422 `privacy_officer_not_a_manager` for anyone else."""
    return officers.grant(session, actor, user_id)


@router.delete("/privacy-officers/{user_id}", status_code=204)
def withdraw(user_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Withdraw a privacy officer's grant; platform admins only."""
    officers.withdraw(session, actor, user_id)


routers = [router]

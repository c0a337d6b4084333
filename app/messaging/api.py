"""Private messages over the API, for people's own tokens."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.messaging import service
from app.messaging.schemas import (
    ContactRead,
    ConversationSummary,
    MessageCreate,
    MessageRead,
    ReportCreate,
    ReportRead,
)

router = APIRouter(prefix="/messages", tags=["messages"], route_class=DeferredRoute)


@router.get("", response_model=list[ConversationSummary])
def list_conversations(session: SessionDep, actor: SignedInApiActor) -> object:
    """The caller's conversations, latest first, each with its unread messages."""
    return [
        ConversationSummary(
            user_id=row.user_id,
            name=row.name,
            last_message_at=row.last_message_at,
            unread=row.unread,
        )
        for row in service.conversations(session, actor)
    ]


@router.get("/contacts", response_model=list[ContactRead])
def list_contacts(session: SessionDep, actor: SignedInApiActor) -> object:
    """The people the caller may write to through their courses (teachers and tutors of the
    courses they study, learners of those they teach) and groups."""
    return [ContactRead(user_id=u, name=n) for u, n in service.contacts(session, actor)]


@router.get("/with/{user_id}", response_model=Page[MessageRead])
def read_conversation(
    user_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[MessageRead]:
    """The messages with a person, oldest first; reading them marks them read. A person the
    caller may not write to and never wrote with is 404."""
    view = service.conversation_with(session, actor, user_id, cursor, limit)
    items = [MessageRead.model_validate(m) for m in view.messages]
    return Page[MessageRead](items=items, next_cursor=view.next_cursor)


@router.post("/with/{user_id}", response_model=MessageRead, status_code=201)
def send(user_id: Id, data: MessageCreate, session: SessionDep, actor: SignedInApiActor) -> object:
    """Write to a person: one the caller teaches or studies with in a course, a member of
    their group, or someone who wrote to them; 403 `cannot_write` otherwise (blocked, or the
    tie is gone)."""
    return service.send(session, actor, user_id, data)


@router.put("/blocks/{user_id}", status_code=204)
def block(user_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Block a person: they cannot write to the caller any more."""
    service.set_blocked(session, actor, user_id, blocked=True)


@router.delete("/blocks/{user_id}", status_code=204)
def unblock(user_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Unblock a person."""
    service.set_blocked(session, actor, user_id, blocked=False)


@router.post("/{message_id}/reports", response_model=ReportRead, status_code=201)
def report(
    message_id: Id, data: ReportCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Report a message one received to the managers who reach its sender; 409
    `message_already_reported` the second time."""
    return service.report(session, actor, message_id, data)


routers = [router]

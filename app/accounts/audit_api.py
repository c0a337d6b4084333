"""The audit trail over the API (JSON and CSV), and the listener that records every request
refused with 403, API and portal alike (`app.main` registers it)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.routing import iter_route_contexts

from app.accounts import audit
from app.accounts.audit_schemas import AuditEntryRead
from app.accounts.deps import SignedInApiActor
from app.accounts.models import AuditOutcome
from app.core.config import settings_of
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.errors import DomainError
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.core.security import token_subject

router = APIRouter(tags=["audit trail"], route_class=DeferredRoute)


def audit_filters(
    person_id: Annotated[Id | None, Query(description="entries about this person")] = None,
    subject: Annotated[
        str | None,
        Query(
            max_length=128,
            description="entries about this object (`grade:12`); ending in a colon "
            "(`grade:`), about every object of that kind",
        ),
    ] = None,
    actor_user_id: Annotated[Id | None, Query(description="entries by this person")] = None,
    actor_client_id: Annotated[
        Id | None, Query(description="entries by this partner client")
    ] = None,
    since: Annotated[
        date | None, Query(alias="from", description="from this UTC day, included")
    ] = None,
    until: Annotated[
        date | None, Query(alias="to", description="to this UTC day, included")
    ] = None,
    outcome: Annotated[AuditOutcome | None, Query(description="`done` or `refused`")] = None,
) -> audit.AuditFilters:
    return audit.AuditFilters(
        person_id=person_id, subject=subject or None, actor_user_id=actor_user_id,
        actor_client_id=actor_client_id, since=since, until=until, outcome=outcome,
    )  # fmt: skip


Filters = Annotated[audit.AuditFilters, Depends(audit_filters)]


@router.get("/audit-entries", response_model=Page[AuditEntryRead])
def list_audit_entries(
    session: SessionDep,
    actor: SignedInApiActor,
    filters: Filters,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[AuditEntryRead]:
    """The audit trail, newest first, 50 entries a page by default; follow `next_cursor`.
    Each entry says who acted (`actor_user_id` or `actor_client_id`), for which institution,
    what (`action`, `subject` such as `grade:12`), about whom (`person_id`), from which value
    to which, when (UTC), in which request, and whether it was done or `refused` (a 403).
    Admins and platform managers read every entry; institution managers those of actors
    acting for their institution and those about its people; anyone else 403. `from` after
    `to` is 422 `period_reversed`. Sensitive values (nationality, refugee status) are never
    in the trail, only that they were read or which fields changed."""
    found, next_cursor = audit.list_entries(session, actor, filters, cursor, limit)
    return Page(items=[AuditEntryRead.of(row) for row in found], next_cursor=next_cursor)


@router.get(
    "/audit-entries.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the entries as CSV"}},
)
def export_audit_entries(
    session: SessionDep, actor: SignedInApiActor, filters: Filters
) -> Response:
    """The filtered trail as CSV (UTF-8 with a byte-order mark), newest first, at most
    10,000 entries; the same filters and readers as the list. A cell a spreadsheet would run
    as a formula starts with an apostrophe."""
    text, name = audit.entries_csv(session, actor, filters)
    return Response(text, media_type="text/csv; charset=utf-8", headers=attachment_headers(name))


routers: list[APIRouter] = [router]


# --- refusals ------------------------------------------------------------------------------


def record_refusal(request: Request, error: DomainError) -> None:
    """A request refused with 403, by a signed-in person (a portal session or a person's
    token) or a partner client: its method and route template, the error's code. Visitors'
    refusals are not recorded."""
    caller = _caller(request)
    if caller is None:
        return
    template = _route_template(request)
    audit.record_refusal(
        user_id=caller[0], client_id=caller[1], subject=f"{request.method} {template}",
        detail=error.code,
    )  # fmt: skip


ROUTE_TEMPLATES = "audit_route_templates"


def _route_template(request: Request) -> str:
    """The path template of the route that answered (`/api/v1/grades/{grade_id}`), never the
    path itself, which may hold a secret. The route in the request's scope is the one its
    router declared, without the prefixes of the routers that include it: its full template
    is that of its place in the application, found once per route."""
    route = request.scope.get("route")
    known: dict[int, str] = getattr(request.app.state, ROUTE_TEMPLATES, {})
    if id(route) not in known:
        found = next(
            (c for c in iter_route_contexts(request.app.routes) if c.original_route is route), None
        )
        template = found.path_format if found is not None else None
        known = {**known, id(route): template or getattr(route, "path_format", None) or "-"}
        setattr(request.app.state, ROUTE_TEMPLATES, known)
    return known[id(route)]


def _caller(request: Request) -> tuple[int | None, int | None] | None:
    """(person, client) of a refused request, from what the request itself holds: the
    portal's signed-in viewer, or the bearer token's subject (the session has closed)."""
    viewer = getattr(request.state, "viewer", None)
    if viewer is not None:
        return viewer.id, None
    subject = token_subject(settings_of(request.app), dict(request.scope["headers"])) or ""
    kind, _, raw_id = subject.partition(":")
    if not raw_id.isdigit():
        return None
    if kind == "user":
        return int(raw_id), None
    return (None, int(raw_id)) if kind == "client" else None

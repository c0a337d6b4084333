"""The audit trail's administration page and its CSV export, for admins, platform managers
and institution managers (anyone else: 403, as every administration page). The filters are
a GET form: a filter it cannot read is shown again beside its field (400)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.accounts import audit
from app.accounts.audit_schemas import AuditQuery
from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.accounts.models import AuditOutcome
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.errors import Invalid
from app.core.forms import attempt_form
from app.core.web import field_errors, render

router = page_router("/admin")
PAGE_SIZE = 50
FILTERS = ("person_id", "subject", "actor_user_id", "actor_client_id", "from", "to", "outcome")
Cursor = Annotated[str | None, Query(max_length=64)]


def _typed(request: Request) -> dict[str, str]:
    """The filters the reader filled in, as typed (blank ones left out)."""
    params = request.query_params
    return {name: params[name].strip() for name in FILTERS if params.get(name, "").strip()}


@router.get("/audit")
def audit_trail(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    cursor: Cursor = None,
) -> Response:
    audit.require_reader(actor)
    typed = _typed(request)
    found: list[audit.ListedEntry] = []
    next_cursor = None
    with attempt_form(request, session) as attempt:
        filters = _filters(typed)
        found, next_cursor = audit.list_entries(session, actor, filters, cursor, PAGE_SIZE)
    context = {
        "entries": found,
        "typed": typed,
        "errors": attempt.errors,
        "outcomes": list(AuditOutcome),
        "next_url": _url("/admin/audit", typed, next_cursor) if next_cursor else None,
        "csv_url": _url("/admin/audit.csv", typed),
    }
    return render(request, "accounts/admin_audit.html", context, 400 if attempt.refused else 200)


@router.get("/audit.csv")
def audit_trail_csv(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    audit.require_reader(actor)
    filters = _filters(_typed(request))
    text, name = audit.entries_csv(session, actor, filters)
    return Response(text, media_type="text/csv; charset=utf-8", headers=attachment_headers(name))


def _filters(typed: dict[str, str]) -> audit.AuditFilters:
    """The filters, or `Invalid` naming the first field it cannot read."""
    try:
        return AuditQuery.model_validate(typed).filters()
    except ValidationError as error:
        field, message = next(iter(field_errors(error).items()))
        raise Invalid(message, field=field) from error


def _url(path: str, typed: dict[str, str], cursor: str | None = None) -> str:
    params = {**typed, "cursor": cursor} if cursor else typed
    return f"{path}?{urlencode(params)}" if params else path

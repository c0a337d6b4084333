"""The managers' webhook pages: the subscriptions of the clients they reach, each with its
delivery log. Every rule is the service's; these routes parse forms and render."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts import service as accounts
from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.webhooks import service
from app.webhooks.schemas import EventType, SubscriptionCreate, SubscriptionUpdate

router = page_router("/admin/webhooks")
FormField = Annotated[str, Form()]


@router.get("")
def subscriptions(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _list_page(request, session, actor)


def _list_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    *,
    form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    found = service.subscriptions(session, actor)
    clients = accounts.list_api_clients(session, actor)
    context = {
        "subscriptions": found,
        "clients": [c for c in clients if c.revoked_at is None],
        "client_names": {c.id: c.name for c in clients},
        "event_types": [t.value for t in EventType],
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "webhooks/admin_webhooks.html", context, status)


@router.post("")
def subscribe(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    api_client_id: FormField = "",
    url: FormField = "",
    description: FormField = "",
    event_types: Annotated[list[str] | None, Form()] = None,
) -> Response:
    typed: dict[str, object] = {
        "api_client_id": api_client_id or None, "url": url, "description": description,
        "event_types": event_types or [],
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        created, secret = service.subscribe(
            session, actor, settings, SubscriptionCreate.model_validate(typed)
        )
    if attempt.refused:
        return _list_page(request, session, actor, form=typed, errors=attempt.errors, status=400)
    return _detail_page(request, session, actor, created.id, secret=secret)


@router.get("/{subscription_id}")
def subscription(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    subscription_id: Id,
) -> Response:
    return _detail_page(request, session, actor, subscription_id)


def _detail_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    subscription_id: int,
    *,
    secret: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "subscription": service.subscription(session, actor, subscription_id),
        "deliveries": service.recent_deliveries(session, actor, subscription_id),
        "secret": secret,
    }
    return render(request, "webhooks/admin_webhook.html", context, status)


@router.post("/{subscription_id}/enabled")
def set_enabled(
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    subscription_id: Id,
    enabled: FormField = "",
) -> Response:
    change = SubscriptionUpdate(enabled=enabled == "1")
    service.update(session, actor, settings, subscription_id, change)
    return see_other(f"/admin/webhooks/{subscription_id}")


@router.post("/{subscription_id}/secret")
def rotate_secret(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    subscription_id: Id,
) -> Response:
    _, secret = service.rotate_secret(session, actor, subscription_id)
    return _detail_page(request, session, actor, subscription_id, secret=secret)


@router.post("/{subscription_id}/delete")
def unsubscribe(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, subscription_id: Id
) -> Response:
    service.unsubscribe(session, actor, subscription_id)
    return see_other("/admin/webhooks?deleted=1")


@router.post("/{subscription_id}/deliveries/{delivery_id}/redeliver")
def redeliver(
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    subscription_id: Id,
    delivery_id: Id,
) -> Response:
    service.redeliver(session, actor, subscription_id, delivery_id)
    return see_other(f"/admin/webhooks/{subscription_id}?redelivered=1")


routers = [router]

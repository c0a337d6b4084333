"""Webhook subscriptions over the API: a partner client (`webhooks:manage`) manages its own,
a manager those of the clients they reach."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
    SubscriptionUpdate,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=DeferredRoute)


def _created(subscription: object, secret: str) -> SubscriptionCreated:
    read = SubscriptionRead.model_validate(subscription).model_dump()
    return SubscriptionCreated(**read, secret=secret)


@router.get("", response_model=list[SubscriptionRead])
def list_subscriptions(session: SessionDep, actor: SignedInApiActor) -> object:
    """The caller's subscriptions (a client), or those of the clients it reaches (a manager)."""
    return service.subscriptions(session, actor)


@router.post("", response_model=SubscriptionCreated, status_code=201)
def subscribe(
    data: SubscriptionCreate, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> SubscriptionCreated:
    """Hear of the listed events of the client's institution at `url` (https, a public
    address). Deliveries are signed with the `secret` in this reply (Standard Webhooks)."""
    return _created(*service.subscribe(session, actor, settings, data))


@router.get("/{subscription_id}", response_model=SubscriptionRead)
def read_subscription(subscription_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """One subscription: its address, events and whether it is disabled (and why)."""
    return service.subscription(session, actor, subscription_id)


@router.patch("/{subscription_id}", response_model=SubscriptionRead)
def update_subscription(
    subscription_id: Id,
    data: SubscriptionUpdate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> object:
    """Change the address, the events or the description; `enabled` pauses or resumes it (a
    subscription disabled after 24 h of failed deliveries is resumed this way)."""
    return service.update(session, actor, settings, subscription_id, data)


@router.delete("/{subscription_id}", status_code=204)
def unsubscribe(subscription_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Stop the subscription for good; its delivery log goes with it."""
    service.unsubscribe(session, actor, subscription_id)


@router.post("/{subscription_id}/secret", response_model=SubscriptionCreated)
def rotate_secret(subscription_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """A new signing secret, used from the next delivery on; the old one stops at once."""
    return _created(*service.rotate_secret(session, actor, subscription_id))


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryRead])
def list_deliveries(
    subscription_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[DeliveryRead]:
    """Every delivery attempt, oldest first: status code, response time, error."""
    found, next_cursor = service.deliveries(session, actor, subscription_id, cursor, limit)
    return Page[DeliveryRead](
        items=[DeliveryRead.model_validate(d) for d in found], next_cursor=next_cursor
    )


@router.post("/{subscription_id}/deliveries/{delivery_id}/redeliver", status_code=202)
def redeliver(
    subscription_id: Id, delivery_id: Id, session: SessionDep, actor: SignedInApiActor
) -> None:
    """Send that delivery's event again, with the same `webhook-id`, as soon as a worker
    runs."""
    service.redeliver(session, actor, subscription_id, delivery_id)


routers = [router]

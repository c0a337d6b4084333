"""Webhook subscriptions: made, changed, paused and removed by their client or a manager,
their delivery log read, a delivery sent again."""

import base64
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient
from app.accounts.service import audit
from app.core import outbox
from app.core.actors import Actor, require
from app.core.addresses import check_url
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.core.pagination import paginate
from app.webhooks import policy
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.schemas import SubscriptionCreate, SubscriptionUpdate

DELIVER = "webhook.deliver"


class NoSuchSubscription(NotFound):
    code = "no_such_webhook"
    title = N_("No such webhook subscription.")


class ClientNeeded(Invalid):
    code = "api_client_needed"
    title = N_("Name the API client this subscription is for (`api_client_id`).")


class DeliveryForgotten(Conflict):
    code = "delivery_forgotten"
    title = N_("This delivery is too old to send again: messages are kept 30 days.")


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def subscribe(
    session: Session, actor: Actor, settings: Settings, data: SubscriptionCreate
) -> tuple[WebhookSubscription, str]:
    require(policy.can_manage_webhooks(actor))
    client = _client_for(session, actor, data.api_client_id)
    _check_address(settings, data.url)
    secret = new_secret()
    subscription = WebhookSubscription(
        api_client_id=client.id, institution_id=client.institution_id, url=data.url,
        secret=secret, event_types=[t.value for t in data.event_types],
        description=data.description,
    )  # fmt: skip
    session.add(subscription)
    session.flush()
    audit(session, actor, "webhook.subscribe", f"webhook:{subscription.id}", data.url)
    return subscription, secret


def _client_for(session: Session, actor: Actor, client_id: int | None) -> ApiClient:
    wanted = client_id or actor.api_client_id  # a client subscribes for itself
    if wanted is None:
        raise ClientNeeded(field="api_client_id")
    client = session.get(ApiClient, wanted)
    if client is None or not policy.can_subscribe_for(actor, client):
        raise NotFound(N_("No such API client."), field="api_client_id")
    return client


def _check_address(settings: Settings, url: str) -> None:
    check_url(
        url,
        allow_http=settings.webhooks_allow_http,
        allow_loopback=settings.webhooks_allow_loopback,
    )


def subscriptions(session: Session, actor: Actor) -> Sequence[WebhookSubscription]:
    require(policy.can_manage_webhooks(actor))
    stmt = select(WebhookSubscription).order_by(WebhookSubscription.id)
    if actor.is_partner_client:
        stmt = stmt.where(WebhookSubscription.api_client_id == actor.api_client_id)
    elif actor.is_confined:
        stmt = stmt.where(WebhookSubscription.institution_id == actor.institution_id)
    return session.scalars(stmt).all()


def subscription(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    require(policy.can_manage_webhooks(actor))
    found = session.get(WebhookSubscription, subscription_id)
    if found is None or not policy.can_see_subscription(actor, found):
        raise NoSuchSubscription()
    return found


def update(
    session: Session,
    actor: Actor,
    settings: Settings,
    subscription_id: int,
    data: SubscriptionUpdate,
) -> WebhookSubscription:
    found = subscription(session, actor, subscription_id)
    if data.url is not None:
        _check_address(settings, data.url)
        found.url = data.url
    if data.event_types is not None:
        found.event_types = [t.value for t in data.event_types]
    if data.description is not None:
        found.description = data.description
    if data.enabled is not None:
        paused = None if data.enabled else (found.disabled_at or utcnow())
        found.disabled_at = paused
        found.disabled_reason = None if data.enabled else "paused by hand"
    audit(session, actor, "webhook.update", f"webhook:{found.id}")
    return found


def unsubscribe(session: Session, actor: Actor, subscription_id: int) -> None:
    found = subscription(session, actor, subscription_id)
    audit(session, actor, "webhook.unsubscribe", f"webhook:{found.id}", found.url)
    session.delete(found)


def rotate_secret(
    session: Session, actor: Actor, subscription_id: int
) -> tuple[WebhookSubscription, str]:
    found = subscription(session, actor, subscription_id)
    found.secret = new_secret()
    audit(session, actor, "webhook.rotate_secret", f"webhook:{found.id}")
    return found, found.secret


def deliveries(
    session: Session, actor: Actor, subscription_id: int, cursor: str | None, limit: int
) -> tuple[Sequence[WebhookDelivery], str | None]:
    """The delivery log, oldest first, a page at a time."""
    found = subscription(session, actor, subscription_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == found.id)
    return paginate(session, stmt, WebhookDelivery.id, cursor, limit)


def recent_deliveries(
    session: Session, actor: Actor, subscription_id: int, limit: int = 50
) -> Sequence[WebhookDelivery]:
    found = subscription(session, actor, subscription_id)
    return session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == found.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    ).all()


def redeliver(session: Session, actor: Actor, subscription_id: int, delivery_id: int) -> None:
    """Send a delivery's event again, with the same event id (receivers deduplicate by it),
    to the subscription as it is now."""
    found = subscription(session, actor, subscription_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != found.id:
        raise NotFound(N_("No such delivery."))
    original = session.get(outbox.OutboxMessage, delivery.outbox_message_id)
    if original is None:
        raise DeliveryForgotten()
    outbox.enqueue(session, DELIVER, dict(original.payload))
    audit(session, actor, "webhook.redeliver", f"webhook:{found.id}", delivery.event_id)

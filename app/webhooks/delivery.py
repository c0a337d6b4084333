"""Sending a webhook message: signed the Standard Webhooks way (`webhook-id`,
`webhook-timestamp`, `webhook-signature`, HMAC-SHA256 by the `standardwebhooks` library), POSTed
to the subscription's address once it is checked to be public (after DNS resolution, connecting
to the checked address), redirects not followed, every attempt logged. A 2xx is a delivery;
anything else is retried by the outbox, and a message still failing after 24 h disables the
subscription and tells the managers of its institution."""

import json
import logging
from dataclasses import dataclass
from time import perf_counter

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from app.accounts.models import ApiClient, User
from app.core import outbox
from app.core.actors import PlatformRole
from app.core.addresses import UnsafeAddress, resolve_destination, send
from app.core.config import Settings
from app.core.db import utcnow
from app.core.mail import send_after_commit
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.service import DELIVER

log = logging.getLogger("agora.webhooks")
USER_AGENT = "Agora-Webhooks/1"


@dataclass(frozen=True)
class _Outcome:
    succeeded: bool
    status_code: int | None = None
    response_ms: int | None = None
    error: str | None = None


def deliver(new_session: outbox.NewSession, settings: Settings, delivery: outbox.Delivery) -> None:
    event = delivery.payload["event"]
    with new_session() as session:
        subscription = session.get(WebhookSubscription, delivery.payload["subscription_id"])
        if subscription is None:
            return  # removed since: nothing to send, nobody to tell
        if subscription.disabled_at is not None:
            outcome = _Outcome(False, error="not sent: the subscription is disabled")
        else:
            outcome = _post(settings, subscription, event["id"], _body(event))
        _log(session, subscription.id, delivery, event, outcome)
        session.commit()
    if not outcome.succeeded and subscription.disabled_at is None:
        raise outbox.DeliveryFailed(outcome.error)


def _body(event: dict[str, object]) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def signed_headers(secret: str, event_id: str, body: str) -> dict[str, str]:
    now = utcnow()
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=event_id, timestamp=now, data=body),
    }


def _post(
    settings: Settings, subscription: WebhookSubscription, event_id: str, body: str
) -> _Outcome:
    try:
        destination = resolve_destination(
            subscription.url,
            allow_http=settings.webhooks_allow_http,
            allow_loopback=settings.webhooks_allow_loopback,
        )
    except UnsafeAddress as refused:
        return _Outcome(False, error=refused.detail)
    from httpx import HTTPError  # loaded by the worker only

    headers = signed_headers(subscription.secret, event_id, body)
    started = perf_counter()
    try:
        response = send(
            destination, method="POST", content=body.encode(), headers=headers,
            timeout=settings.webhook_timeout_seconds,
        )  # fmt: skip
    except HTTPError as failure:
        return _Outcome(False, response_ms=_ms(started), error=f"{type(failure).__name__}")
    status = response.status_code
    if 200 <= status < 300:
        return _Outcome(True, status, _ms(started))
    moved = " (redirects are not followed)" if 300 <= status < 400 else ""
    return _Outcome(False, status, _ms(started), f"HTTP {status}{moved}")


def _ms(started: float) -> int:
    return round((perf_counter() - started) * 1000)


def _log(
    session: Session,
    subscription_id: int,
    delivery: outbox.Delivery,
    event: dict[str, str],
    outcome: _Outcome,
) -> None:
    session.add(
        WebhookDelivery(
            subscription_id=subscription_id, outbox_message_id=delivery.message_id,
            event_id=event["id"], event_type=event["type"], attempt=delivery.attempt,
            succeeded=outcome.succeeded, status_code=outcome.status_code,
            response_ms=outcome.response_ms, error=outcome.error,
        )
    )  # fmt: skip


def disable_after_failures(
    new_session: outbox.NewSession, settings: Settings, delivery: outbox.Delivery, error: str
) -> None:
    """A message that kept failing for 24 h: the endpoint is gone or broken. Stop sending
    to it until a person resumes it, and tell the managers who can."""
    with new_session() as session:
        subscription = session.get(WebhookSubscription, delivery.payload["subscription_id"])
        if subscription is None or subscription.disabled_at is not None:
            return
        subscription.disabled_at = utcnow()
        subscription.disabled_reason = f"deliveries failed for 24 hours: {error}"[:1000]
        for address in _managers_of(session, subscription):
            send_after_commit(session, settings, address, *_notice(settings, subscription))
        session.commit()
    log.warning("webhook subscription %s disabled: %s", subscription.id, error)


def _managers_of(session: Session, subscription: WebhookSubscription) -> list[str]:
    """The institution's managers and whoever created the client."""
    creator = select(ApiClient.created_by_id).where(ApiClient.id == subscription.api_client_id)
    return list(
        session.scalars(
            select(User.email)
            .where(
                or_(
                    (User.platform_role == PlatformRole.INSTITUTION_MANAGER)
                    & (User.institution_id == subscription.institution_id),
                    User.id == creator.scalar_subquery(),
                )
            )
            .order_by(User.id)
        )
    )


def _notice(settings: Settings, subscription: WebhookSubscription) -> tuple[str, str]:
    page = f"{settings.base_url.rstrip('/')}/admin/webhooks/{subscription.id}"
    return (
        "Agora: a webhook subscription was disabled",
        f"Deliveries to {subscription.url} have failed for 24 hours, so Agora stopped "
        f"sending them.\n\nReason: {subscription.disabled_reason}\n\n"
        f"Fix the endpoint, then resume the subscription and send the failed deliveries "
        f"again: {page}\n",
    )


outbox.register(DELIVER, deliver, on_parked=disable_after_failures)

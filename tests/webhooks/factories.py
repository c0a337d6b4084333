"""Webhook subscriptions and logged deliveries made directly, for tests that need one."""

from sqlalchemy.orm import Session

from app.accounts.models import ApiClient
from app.core import outbox
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.service import DELIVER, new_secret

HOOK_URL = "https://hooks.example.org/agora"


def make_subscription(
    db: Session, client: ApiClient, events: tuple[str, ...] = ("enrolment.created",)
) -> WebhookSubscription:
    subscription = WebhookSubscription(
        api_client_id=client.id, institution_id=client.institution_id, url=HOOK_URL,
        secret=new_secret(), event_types=list(events),
    )  # fmt: skip
    db.add(subscription)
    db.flush()
    return subscription


def make_delivery(db: Session, subscription: WebhookSubscription) -> WebhookDelivery:
    """A failed attempt at an event, whose message the outbox still holds."""
    event = {"id": "evt_test", "type": "enrolment.created", "timestamp": "", "data": {}}
    message = outbox.enqueue(db, DELIVER, {"subscription_id": subscription.id, "event": event})
    db.flush()
    delivery = WebhookDelivery(
        subscription_id=subscription.id, outbox_message_id=message.id, event_id="evt_test",
        event_type="enrolment.created", attempt=1, succeeded=False, status_code=500,
        response_ms=12, error="HTTP 500",
    )  # fmt: skip
    db.add(delivery)
    db.flush()
    return delivery

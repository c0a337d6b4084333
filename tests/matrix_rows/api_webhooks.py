"""Webhook subscriptions over the API: a partner system with `webhooks:manage` manages its
own (one without the scope nothing, 403); platform managers those of every client; people
without a management role may not (403); the partner and the manager of another institution
are told a subscription or client of P77 does not exist (404), and see empty lists."""

from sqlalchemy import select

from app.accounts.models import ApiClient
from app.webhooks.models import WebhookSubscription
from tests.test_permission_matrix import World, register
from tests.webhooks.factories import HOOK_URL, make_delivery, make_subscription

LIST = "401 | 403 403 403 403 | 200 200 | 200 403 | 200 200"
CREATE = "401 | 403 403 403 403 | 201 201 | 201 403 | 404 404"
ONE = "401 | 403 403 403 403 | 200 200 | 200 403 | 404 404"
GONE = "401 | 403 403 403 403 | 204 204 | 204 403 | 404 404"
QUEUED = "401 | 403 403 403 403 | 202 202 | 202 403 | 404 404"
W = "/api/v1/webhooks"
S = W + "/{subscription_id}"


def _client_with_scope(w: World) -> ApiClient:
    """The first client of P77: the caller "client with scope"."""
    first = w.db.scalars(
        select(ApiClient).where(ApiClient.institution_id == w.institution_id).order_by(ApiClient.id)
    ).first()
    assert first is not None
    return first


def _subscription(w: World) -> WebhookSubscription:
    return make_subscription(w.db, _client_with_scope(w))


def _one(w: World) -> dict[str, object]:
    return {"subscription_id": _subscription(w).id}


def _create(w: World) -> dict[str, object]:
    body = {"url": HOOK_URL, "event_types": ["enrolment.created"]}
    return {"json": {**body, "api_client_id": _client_with_scope(w).id}}


def _delivery(w: World) -> dict[str, object]:
    subscription = _subscription(w)
    return {"subscription_id": subscription.id, "delivery_id": make_delivery(w.db, subscription).id}


register("get", W, LIST, lambda w: {})
register("post", W, CREATE, _create)
register("get", S, ONE, _one)
register("patch", S, ONE, lambda w: {**_one(w), "json": {"event_types": ["grade.released"]}})
register("delete", S, GONE, _one)
register("post", S + "/secret", ONE, _one)
register("get", S + "/deliveries", ONE, _one)
register("post", S + "/deliveries/{delivery_id}/redeliver", QUEUED, _delivery)

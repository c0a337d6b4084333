"""The managers' webhook pages: a platform manager manages the subscriptions of P1's client;
the manager of another institution is told they do not exist (404); nobody else may (403)."""

from app.accounts.models import ApiClient
from tests.test_page_permission_matrix import LOGIN, World, answers, page
from tests.webhooks.factories import HOOK_URL, make_delivery, make_subscription

H = "/admin/webhooks"
S = H + "/{subscription_id}"


def _one(w: World) -> dict[str, object]:
    client = w.db.get_one(ApiClient, w.api_client())
    return {"subscription_id": make_subscription(w.db, client).id}


def _delivery(w: World) -> dict[str, object]:
    client = w.db.get_one(ApiClient, w.api_client())
    subscription = make_subscription(w.db, client)
    return {"subscription_id": subscription.id, "delivery_id": make_delivery(w.db, subscription).id}


def _create(w: World) -> dict[str, object]:
    form = {"api_client_id": w.api_client(), "url": HOOK_URL, "event_types": "grade.released"}
    return {"data": form}


page("GET", H, answers(LOGIN, 403, 403, 403, 200, 200))
page("POST", H, answers(LOGIN, 403, 403, 403, 200, 404), _create)
page("GET", S, answers(LOGIN, 403, 403, 403, 200, 404), _one)
page(
    "POST",
    S + "/enabled",
    answers(LOGIN, 403, 403, 403, 303, 404),
    lambda w: {**_one(w), "data": {"enabled": "0"}},
)
page("POST", S + "/secret", answers(LOGIN, 403, 403, 403, 200, 404), _one)
page("POST", S + "/delete", answers(LOGIN, 403, 403, 403, 303, 404), _one)
page(
    "POST",
    S + "/deliveries/{delivery_id}/redeliver",
    answers(LOGIN, 403, 403, 403, 303, 404),
    _delivery,
)

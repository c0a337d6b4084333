"""The webhook lists — subscriptions and the delivery log, over the API and on the managers'
pages — issue the same statements whatever their length."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient
from app.core.actors import PlatformRole
from app.webhooks.models import WebhookSubscription
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
    sign_in,
)
from tests.conftest import QueryCounter
from tests.webhooks.factories import make_delivery, make_subscription


def _grow(db: Session, client: ApiClient, first: WebhookSubscription, size: int) -> None:
    for _ in range(size):
        make_subscription(db, client)
        make_delivery(db, first)
    db.commit()


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        # the caller, the subscriptions
        ("/api/v1/webhooks", 2),
        # the caller, the subscription, a page of deliveries
        ("/api/v1/webhooks/{id}/deliveries", 3),
    ],
)
def test_the_api_lists_do_not_grow(
    client: TestClient, db: Session, queries: QueryCounter, path: str, budget: int
):
    p77 = make_institution(db, "P77")
    make_user(db, email="boss@p77.example", password=PASSWORD, role=PlatformRole.MANAGER)
    partner = make_api_client(db, p77, ["webhooks:manage"])
    first = make_subscription(db, partner)
    db.commit()
    headers = bearer(api_token(client, "boss@p77.example"))
    counts = []
    for size in (2, 20):
        _grow(db, partner, first, size - len(counts) * 2)
        with queries:
            response = client.get(path.format(id=first.id), headers=headers)
        assert response.status_code == 200
        counts.append(queries.count)

    assert counts == [budget, budget], queries.statements


# the session's person, then the subscriptions and the clients, or the subscription and its
# latest deliveries
@pytest.mark.parametrize(("path", "budget"), [("/admin/webhooks", 3), ("/admin/webhooks/{id}", 3)])
def test_the_pages_do_not_grow(
    client: TestClient, db: Session, queries: QueryCounter, path: str, budget: int
):
    p77 = make_institution(db, "P77")
    make_user(db, email="boss@p77.example", password=PASSWORD, role=PlatformRole.MANAGER)
    partner = make_api_client(db, p77, ["webhooks:manage"])
    first = make_subscription(db, partner)
    db.commit()
    sign_in(client, "boss@p77.example")
    counts = []
    for size in (2, 20):
        _grow(db, partner, first, size - len(counts) * 2)
        with queries:
            response = client.get(path.format(id=first.id))
        assert response.status_code == 200
        counts.append(queries.count)

    assert counts == [budget, budget], queries.statements

"""Managing subscriptions: a client sees and changes only its own; a manager subscribes a
client of their institution and sees its secret once; bad input is refused and writes
nothing; a rotated secret signs from then on; the managers' pages work without JavaScript."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient, Institution
from app.core.actors import PlatformRole
from app.webhooks.models import WebhookSubscription
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
    page_csrf,
    sign_in,
)
from tests.webhooks.factories import HOOK_URL, make_subscription

SECRET = "partner-client-secret"


@pytest.fixture
def p77(db: Session) -> Institution:
    return make_institution(db, "P77", "KZ")


def _client(db: Session, institution: Institution, scopes: list[str]) -> ApiClient:
    return make_api_client(db, institution, scopes, secret=SECRET)


def _token(client: TestClient, api_client: ApiClient) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, SECRET),
    )
    return bearer(response.json()["access_token"])


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(WebhookSubscription)) or 0


def test_a_client_sees_and_changes_only_its_own_subscriptions(
    client: TestClient, db: Session, p77: Institution
):
    mine = _client(db, p77, ["webhooks:manage"])
    neighbour = _client(db, p77, ["webhooks:manage"])
    theirs = make_subscription(db, neighbour)
    db.commit()
    headers = _token(client, mine)

    created = client.post(
        "/api/v1/webhooks", json={"url": HOOK_URL, "event_types": ["grade.released"]},
        headers=headers,
    )  # fmt: skip
    listed = client.get("/api/v1/webhooks", headers=headers).json()
    other = client.get(f"/api/v1/webhooks/{theirs.id}", headers=headers)
    for_neighbour = client.post(
        "/api/v1/webhooks",
        json={"url": HOOK_URL, "event_types": ["grade.released"], "api_client_id": neighbour.id},
        headers=headers,
    )

    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    assert created.json()["api_client_id"] == mine.id
    assert [s["id"] for s in listed] == [created.json()["id"]]
    assert "secret" not in listed[0]
    assert other.status_code == 404
    assert for_neighbour.status_code == 404
    assert _count(db) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": HOOK_URL, "event_types": []}, "event_types"),
        ({"url": HOOK_URL, "event_types": ["grade.deleted"]}, "event_types"),
        ({"url": "not a url", "event_types": ["grade.released"]}, "url"),
        ({"url": HOOK_URL, "event_types": ["grade.released"], "secret": "mine"}, "secret"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    client: TestClient, db: Session, p77: Institution, body: dict[str, object], field: str
):
    headers = _token(client, _client(db, p77, ["webhooks:manage"]))
    db.commit()

    response = client.post("/api/v1/webhooks", json=body, headers=headers)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text
    assert _count(db) == 0


def test_a_manager_names_the_client_and_another_institutions_manager_cannot(
    client: TestClient, db: Session, p77: Institution
):
    partner = _client(db, p77, ["users:read"])
    make_user(
        db,
        email="boss@p77.example",
        role=PlatformRole.INSTITUTION_MANAGER,
        institution=p77,
        password=PASSWORD,
    )
    p88 = make_institution(db, "P88", "AZ")
    make_user(
        db,
        email="boss@p88.example",
        role=PlatformRole.INSTITUTION_MANAGER,
        institution=p88,
        password=PASSWORD,
    )
    db.commit()
    body = {"url": HOOK_URL, "event_types": ["credits.awarded"]}

    unnamed = client.post(
        "/api/v1/webhooks", json=body, headers=bearer(api_token(client, "boss@p77.example"))
    )
    named = client.post(
        "/api/v1/webhooks", json={**body, "api_client_id": partner.id},
        headers=bearer(api_token(client, "boss@p77.example")),
    )  # fmt: skip
    elsewhere = client.post(
        "/api/v1/webhooks", json={**body, "api_client_id": partner.id},
        headers=bearer(api_token(client, "boss@p88.example")),
    )  # fmt: skip

    assert (unnamed.status_code, unnamed.json()["code"]) == (422, "api_client_needed")
    assert named.status_code == 201
    assert named.json()["institution_id"] == p77.id
    assert elsewhere.status_code == 404
    assert _count(db) == 1


def test_a_rotated_secret_replaces_the_old_one(client: TestClient, db: Session, p77: Institution):
    partner = _client(db, p77, ["webhooks:manage"])
    subscription = make_subscription(db, partner)
    old = subscription.secret
    db.commit()

    rotated = client.post(
        f"/api/v1/webhooks/{subscription.id}/secret", headers=_token(client, partner)
    )

    assert rotated.status_code == 200
    assert rotated.json()["secret"] != old
    db.refresh(subscription)
    assert subscription.secret == rotated.json()["secret"]


def test_a_manager_subscribes_a_client_on_the_page_and_sees_the_secret_once(
    client: TestClient, db: Session, p77: Institution
):
    partner = _client(db, p77, ["users:read"])
    make_user(
        db,
        email="boss@p77.example",
        role=PlatformRole.INSTITUTION_MANAGER,
        institution=p77,
        password=PASSWORD,
    )
    db.commit()
    sign_in(client, "boss@p77.example")
    token = page_csrf(client, "/admin/webhooks")

    refused = client.post(
        "/admin/webhooks",
        data={"csrf_token": token, "api_client_id": partner.id, "url": "http://10.0.0.1/x",
              "event_types": "grade.released"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "10.0.0.1 is not a public address" in refused.text
    assert _count(db) == 0

    made = client.post(
        "/admin/webhooks",
        data={"csrf_token": token, "api_client_id": partner.id, "url": HOOK_URL,
              "event_types": ["grade.released", "credits.awarded"]},
    )  # fmt: skip
    assert made.status_code == 200
    secret = db.scalars(select(WebhookSubscription.secret)).one()
    assert secret in made.text
    listing = client.get("/admin/webhooks")
    assert HOOK_URL in listing.text
    assert secret not in listing.text

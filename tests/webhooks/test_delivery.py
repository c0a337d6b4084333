"""Webhooks end to end, as a partner's integrator meets them: subscribe over the API, a change
in Agora, `agora worker`'s delivery to an endpoint on loopback, and the signature checked with
the Standard Webhooks library itself. Retries after a 500 deliver once; another institution's
events never arrive; redirects are not followed; 24 h of failures disable the subscription."""

import json
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook
from time_machine import TimeMachineFixture

from app.accounts.models import ApiClient, Institution
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.outbox import OutboxMessage
from app.enrolment.service import change_status, enrol
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.service import DELIVER
from tests.accounts.factories import bearer, make_api_client, make_institution, make_user
from tests.conftest import test_settings
from tests.courses.factories import import_hs101
from tests.outbox_runs import delivered_of_kind
from tests.smtp import Inbox
from tests.webhooks.conftest import Received, Receiver

SECRET = "partner-client-secret"


@pytest.fixture
def settings() -> Settings:
    return test_settings().model_copy(update={"webhooks_allow_loopback": True})


@pytest.fixture
def p77(db: Session) -> Institution:
    return make_institution(db, "P77", "KZ")


@pytest.fixture
def partner(db: Session, p77: Institution) -> ApiClient:
    return make_api_client(db, p77, ["webhooks:manage", "enrolments:read"], secret=SECRET)


@pytest.fixture
def course_id(db: Session, settings: Settings, p77: Institution) -> int:
    course = import_hs101(db, settings)
    course.institution_id = p77.id
    db.commit()
    return course.id


@dataclass
class Hook:
    """A partner of P77 with its endpoint on loopback, and a course P77 runs."""

    client: TestClient
    db: Session
    settings: Settings
    partner: ApiClient
    home: Institution
    course_id: int
    receiver: Receiver

    def token(self) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(self.partner.client_id, SECRET),
        )
        assert response.status_code == 200, response.text
        return bearer(response.json()["access_token"])

    def subscribe(self, events: list[str], url: str | None = None) -> dict[str, Any]:
        body = {"url": url or self.receiver.url, "event_types": events}
        response = self.client.post("/api/v1/webhooks", json=body, headers=self.token())
        assert response.status_code == 201, response.text
        return dict(response.json())

    def enrol(self) -> int:
        """A learner of P77 enrolled in the course; their id."""
        learner = make_user(self.db, institution=self.home)
        enrol(self.db, SYSTEM, self.course_id, learner.id, CourseRole.STUDENT)
        self.db.commit()
        return learner.id

    def work(self) -> int:
        """One run of `agora worker`: how many webhooks it delivered."""
        return delivered_of_kind(self.settings, DELIVER)


@pytest.fixture
def hook(
    client: TestClient,
    db: Session,
    settings: Settings,
    partner: ApiClient,
    p77: Institution,
    course_id: int,
    receiver: Receiver,
) -> Hook:
    return Hook(client, db, settings, partner, p77, course_id, receiver)


def _verified(secret: str, received: Received) -> dict[str, Any]:
    return dict(Webhook(secret).verify(received.body.decode(), received.headers))


def test_an_enrolment_arrives_signed_and_verifies_with_the_specifications_library(hook: Hook):
    subscription = hook.subscribe(["enrolment.created"])
    learner_id = hook.enrol()

    assert hook.work() == 1

    [received] = hook.receiver.received
    event = _verified(str(subscription["secret"]), received)
    assert received.path == "/hooks/agora"
    assert received.headers["webhook-id"] == event["id"]
    assert received.headers["content-type"] == "application/json"
    assert event["type"] == "enrolment.created"
    data = event["data"]
    assert isinstance(data, dict)
    enrolment = hook.client.get(f"/api/v1/enrolments/{data['id']}", headers=hook.token())
    assert data == enrolment.json()  # the resource as the API returns it
    assert (data["user_id"], data["course_id"], data["status"]) == (
        learner_id,
        hook.course_id,
        "active",
    )
    log = hook.client.get(
        f"/api/v1/webhooks/{subscription['id']}/deliveries", headers=hook.token()
    ).json()["items"]
    assert [(d["succeeded"], d["status_code"], d["attempt"]) for d in log] == [(True, 200, 1)]
    assert hook.work() == 0  # nothing goes twice


def test_a_500_is_retried_after_its_backoff_and_then_delivered_once(
    hook: Hook, time_machine: TimeMachineFixture
):
    time_machine.move_to("2027-03-01T08:00Z", tick=False)
    subscription = hook.subscribe(["enrolment.created"])
    hook.enrol()
    hook.receiver.answers = [500]

    assert hook.work() == 0
    time_machine.move_to("2027-03-01T08:00:20Z", tick=False)
    assert hook.work() == 0
    assert len(hook.receiver.received) == 1  # not before the backoff
    time_machine.move_to("2027-03-01T08:00:31Z", tick=False)
    assert hook.work() == 1
    assert hook.work() == 0

    first, second = hook.receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert _verified(str(subscription["secret"]), second)["type"] == "enrolment.created"
    log = hook.db.execute(
        select(WebhookDelivery.attempt, WebhookDelivery.succeeded, WebhookDelivery.status_code)
        .order_by(WebhookDelivery.id)
    ).all()  # fmt: skip
    assert [tuple(row) for row in log] == [(1, False, 500), (2, True, 200)]


def test_a_partner_hears_nothing_of_another_institution(hook: Hook):
    hook.subscribe(["enrolment.created", "enrolment.changed"])
    p88 = make_institution(hook.db, "P88", "AZ")
    learner = make_user(hook.db, institution=p88)
    enrolment = enrol(hook.db, SYSTEM, hook.course_id, learner.id, CourseRole.STUDENT)
    change_status(hook.db, SYSTEM, enrolment.id, EnrolmentStatus.SUSPENDED, "unpaid fees")
    hook.db.commit()

    assert hook.work() == 0
    assert hook.receiver.received == []
    webhooks = select(func.count()).where(OutboxMessage.kind == DELIVER)
    assert hook.db.scalar(webhooks) == 0


def test_a_status_change_is_sent_as_enrolment_changed_with_its_new_status(hook: Hook):
    subscription = hook.subscribe(["enrolment.changed"])
    learner_id = hook.enrol()
    enrolment_id = hook.db.scalar(select(Enrolment.id).where(Enrolment.user_id == learner_id))
    assert enrolment_id is not None
    change_status(hook.db, SYSTEM, enrolment_id, EnrolmentStatus.SUSPENDED, "unpaid fees")
    hook.db.commit()

    assert hook.work() == 1  # the creation was not subscribed to
    event = _verified(str(subscription["secret"]), hook.receiver.received[0])
    assert event["type"] == "enrolment.changed"
    assert event["data"]["status"] == "suspended"


def test_a_redirect_is_not_followed(hook: Hook):
    hook.subscribe(["enrolment.created"])
    hook.enrol()
    hook.receiver.answers = [302]

    assert hook.work() == 0

    assert len(hook.receiver.received) == 1
    error = hook.db.scalar(select(WebhookDelivery.error))
    assert error == "HTTP 302 (redirects are not followed)"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "ftp://hooks.example.org/x",
        "https://user:password@hooks.example.org/x",
    ],
)
def test_forged_addresses_are_refused_when_subscribing(app: FastAPI, hook: Hook, url: str):
    app.state.settings = test_settings()  # loopback not allowed, as in production
    response = hook.client.post(
        "/api/v1/webhooks",
        json={"url": url, "event_types": ["grade.released"]},
        headers=hook.token(),
    )

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "unsafe_address"
    assert hook.db.scalar(select(func.count()).select_from(WebhookSubscription)) == 0


def test_a_name_resolving_to_a_private_address_is_not_called(
    hook: Hook, monkeypatch: pytest.MonkeyPatch
):
    hook.subscribe(["enrolment.created"], url="https://hooks.partner.example/agora")
    hook.enrol()
    private = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_a, **_k: private)

    assert hook.work() == 0

    error = hook.db.scalar(select(WebhookDelivery.error))
    assert "10.0.0.7" in str(error)
    assert hook.receiver.received == []


def test_redelivery_sends_the_same_event_again(hook: Hook):
    subscription = hook.subscribe(["enrolment.created"])
    hook.enrol()
    hook.work()
    delivery_id = hook.db.scalar(select(WebhookDelivery.id))

    response = hook.client.post(
        f"/api/v1/webhooks/{subscription['id']}/deliveries/{delivery_id}/redeliver",
        headers=hook.token(),
    )
    assert response.status_code == 202
    assert hook.work() == 1

    first, again = hook.receiver.received
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert json.loads(first.body) == json.loads(again.body)


def test_a_paused_subscription_is_sent_nothing_until_resumed(hook: Hook):
    subscription = hook.subscribe(["enrolment.created"])
    path = f"/api/v1/webhooks/{subscription['id']}"
    paused = hook.client.patch(path, json={"enabled": False}, headers=hook.token())
    assert paused.json()["disabled_at"] is not None
    hook.enrol()
    hook.work()
    assert hook.receiver.received == []

    hook.client.patch(path, json={"enabled": True}, headers=hook.token())
    hook.enrol()
    assert hook.work() == 1
    assert len(hook.receiver.received) == 1


def test_after_24_hours_of_failures_the_subscription_is_disabled_and_managers_told(
    hook: Hook, inbox: Inbox, time_machine: TimeMachineFixture
):
    time_machine.move_to("2027-03-01T08:00Z", tick=False)
    make_user(
        hook.db,
        email="registrar@p77.example",
        role=PlatformRole.INSTITUTION_MANAGER,
        institution=hook.home,
    )
    subscription = hook.subscribe(["enrolment.created"])
    hook.enrol()
    hook.receiver.answers = [503] * 100
    for hour in range(26):
        time_machine.move_to("2027-03-01T08:00Z", tick=False)
        time_machine.shift(timedelta(hours=hour))
        hook.work()

    found = hook.client.get(f"/api/v1/webhooks/{subscription['id']}", headers=hook.token())
    assert found.json()["disabled_at"] is not None
    assert "HTTP 503" in found.json()["disabled_reason"]
    told = [m["To"] for m in inbox.messages if "webhook" in str(m["Subject"]).lower()]
    assert told == ["registrar@p77.example"]
    tries = len(hook.receiver.received)
    hook.enrol()
    time_machine.shift(timedelta(days=1))
    hook.work()
    assert len(hook.receiver.received) == tries  # disabled: nothing more is sent

"""Learning agreements over the API: drafted, proposed, approved by both sides, cancelled,
revised; who may do what."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.core.config import Settings
from app.credits.transfer_models import LearningAgreement
from tests.accounts.factories import make_user
from tests.credits.transfer_world import mobility

BASE = "/api/v1/learning-agreements"


def test_an_agreement_is_approved_only_once_both_sides_approved(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    agreement_id = w.draft(client)
    path = f"{BASE}/{agreement_id}"
    assert client.post(f"{path}/proposal", headers=w.user_headers(w.learner)).json()["status"] == (
        "proposed"
    )

    home = client.post(f"{path}/home-approval", headers=w.user_headers(w.registrar)).json()
    assert home["status"] == "proposed"
    assert home["home_approved_by_id"] == w.registrar.id
    assert home["home_approved_at"] is not None
    assert home["host_approved_at"] is None

    host = client.post(f"{path}/host-approval", headers=w.partner_headers(w.host)).json()
    assert host["status"] == "approved"
    assert host["host_approved_by_client_id"] is not None
    assert host["host_approved_at"] is not None


def test_the_host_may_approve_first(client: TestClient, db: Session, settings: Settings) -> None:
    w = mobility(db, settings)
    path = f"{BASE}/{w.draft(client)}"
    client.post(f"{path}/proposal", headers=w.user_headers(w.learner))
    host_registrar = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.host)
    first = client.post(f"{path}/host-approval", headers=w.user_headers(host_registrar))
    assert first.status_code == 200
    assert first.json()["host_approved_by_id"] == host_registrar.id
    assert first.json()["status"] == "proposed"
    second = client.post(f"{path}/home-approval", headers=w.user_headers(w.registrar))
    assert second.json()["status"] == "approved"


def test_neither_the_learner_nor_the_other_side_approves_for_a_side(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    path = f"{BASE}/{w.draft(client)}"
    client.post(f"{path}/proposal", headers=w.user_headers(w.learner))
    assert (
        client.post(f"{path}/home-approval", headers=w.user_headers(w.learner)).status_code == 403
    )
    assert (
        client.post(f"{path}/host-approval", headers=w.user_headers(w.registrar)).status_code == 403
    )
    assert (
        client.post(f"{path}/home-approval", headers=w.partner_headers(w.host)).status_code == 403
    )
    # A partner of an institution the agreement does not involve: it does not exist.
    assert (
        client.post(f"{path}/host-approval", headers=w.partner_headers(w.elsewhere)).status_code
        == 404
    )
    assert client.get(path, headers=w.partner_headers(w.elsewhere)).status_code == 404
    body = client.get(path, headers=w.user_headers(w.learner)).json()
    assert body["status"] == "proposed"
    assert body["home_approved_at"] is None
    assert body["host_approved_at"] is None


def test_a_draft_is_invisible_to_the_host_until_proposed(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    agreement_id = w.draft(client)
    host = w.partner_headers(w.host)
    assert client.get(f"{BASE}/{agreement_id}", headers=host).status_code == 404
    assert client.get(BASE, headers=host).json()["items"] == []
    client.post(f"{BASE}/{agreement_id}/proposal", headers=w.user_headers(w.learner))
    assert client.get(f"{BASE}/{agreement_id}", headers=host).status_code == 200
    assert [a["id"] for a in client.get(BASE, headers=host).json()["items"]] == [agreement_id]


def test_an_approved_agreement_does_not_change_but_can_be_revised(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    agreement_id = w.approved(client)
    line = {
        "host_course_code": "KZ-EXTRA",
        "host_course_title": "Extra",
        "host_credits": "3",
        "home_course_id": w.course.id,
    }
    refused = client.post(
        f"{BASE}/{agreement_id}/lines", json=line, headers=w.user_headers(w.learner)
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "agreement_not_editable"
    assert (
        client.get(f"{BASE}/{agreement_id}", headers=w.user_headers(w.learner)).json()["lines"][0][
            "host_course_code"
        ]
        == "KZ-PS-501"
    )

    revised = client.post(
        f"{BASE}/{agreement_id}/revisions",
        json={"reason": "Host course replaced"},
        headers=w.user_headers(w.registrar),
    )
    assert revised.status_code == 201
    new = revised.json()
    assert new["revision"] == 2
    assert new["status"] == "draft"
    assert new["replaces_id"] == agreement_id
    assert [x["host_course_code"] for x in new["lines"]] == ["KZ-PS-501"]
    old = client.get(f"{BASE}/{agreement_id}", headers=w.user_headers(w.learner)).json()
    assert old["status"] == "cancelled"
    assert old["cancel_reason"] == "Host course replaced"


def test_the_learner_cannot_cancel_an_approved_agreement_the_registrar_can(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    path = f"{BASE}/{w.approved(client)}/cancellation"
    mine = client.post(path, json={"reason": "x"}, headers=w.user_headers(w.learner))
    assert mine.status_code == 403
    done = client.post(
        path, json={"reason": "Mobility cancelled"}, headers=w.user_headers(w.registrar)
    )
    assert done.status_code == 200
    assert done.json()["status"] == "cancelled"
    again = client.post(path, json={}, headers=w.user_headers(w.registrar))
    assert again.status_code == 409


def test_a_proposal_needs_a_line_and_a_bad_line_writes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    created = client.post(
        BASE,
        json={
            "learner_id": w.learner.id,
            "host_institution_id": w.host.id,
            "programme_id": w.programme.id,
            "period_from": "2026-09-01",
            "period_to": "2027-01-31",
        },
        headers=w.user_headers(w.learner),
    ).json()
    path = f"{BASE}/{created['id']}"
    empty = client.post(f"{path}/proposal", headers=w.user_headers(w.learner))
    assert empty.status_code == 422
    outside = make_user(db)  # any user id that is not a programme course
    bad = client.post(
        f"{path}/lines",
        json={
            "host_course_code": "KZ-1",
            "host_course_title": "Not in the programme",
            "host_credits": "3",
            "home_course_id": outside.id + 10_000,
        },
        headers=w.user_headers(w.learner),
    )
    assert bad.status_code == 422
    assert client.get(path, headers=w.user_headers(w.learner)).json()["lines"] == []


def test_the_home_is_the_learners_institution_and_the_host_is_another(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    body = {
        "learner_id": w.learner.id,
        "host_institution_id": w.home.id,
        "programme_id": w.programme.id,
        "period_from": "2026-09-01",
        "period_to": "2027-01-31",
    }
    same = client.post(BASE, json=body, headers=w.user_headers(w.learner))
    assert same.status_code == 422
    backwards = client.post(
        BASE,
        json={**body, "host_institution_id": w.host.id, "period_to": "2026-08-01"},
        headers=w.user_headers(w.learner),
    )
    assert backwards.status_code == 422
    assert db.scalar(select(func.count(LearningAgreement.id))) == 0


def test_someone_else_cannot_draft_for_a_learner(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    classmate = make_user(db, institution=w.home)
    body = {
        "learner_id": w.learner.id,
        "host_institution_id": w.host.id,
        "programme_id": w.programme.id,
        "period_from": "2026-09-01",
        "period_to": "2027-01-31",
    }
    assert client.post(BASE, json=body, headers=w.user_headers(classmate)).status_code == 404
    other_registrar = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.elsewhere)
    assert client.post(BASE, json=body, headers=w.user_headers(other_registrar)).status_code == 404
    assert client.post(BASE, json=body, headers=w.user_headers(w.registrar)).status_code == 201


def test_the_list_pages_with_a_cursor(client: TestClient, db: Session, settings: Settings) -> None:
    w = mobility(db, settings)
    ids = [w.draft(client) for _ in range(3)]
    headers = w.user_headers(w.registrar)
    first = client.get(BASE, params={"limit": 2}, headers=headers).json()
    assert [a["id"] for a in first["items"]] == ids[:2]
    rest = client.get(BASE, params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers)
    assert [a["id"] for a in rest.json()["items"]] == ids[2:]
    assert rest.json()["next_cursor"] is None

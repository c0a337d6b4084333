"""The transfer pages: a registrar writes, proposes and approves an agreement, decides a
waiting result; the learner reads and proposes theirs; a refused form writes nothing."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.deps import SESSION_COOKIE
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.security import csrf_token_for
from app.credits.transfer_models import LearningAgreement, TransferResult
from tests.accounts.factories import make_user
from tests.credits.transfer_world import Mobility, mobility

DESK = "/admin/credits/agreements"


def _post(client: TestClient, w: Mobility, path: str, data: dict[str, str]):
    csrf = csrf_token_for(w.settings, client.cookies[SESSION_COOKIE])
    return client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)


def test_a_registrar_drafts_lists_and_proposes_an_agreement(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.browser(client, w.registrar)
    created = _post(client, w, DESK, {
        "learner_email": w.learner.email, "host_institution_id": str(w.host.id),
        "programme_id": str(w.programme.id), "period_from": "2026-09-01",
        "period_to": "2027-01-31",
    })  # fmt: skip
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    line = _post(client, w, f"{path}/lines", {
        "host_course_code": "KZ-PS-501", "host_course_title": "Patient safety",
        "host_credits": "6", "home_course_id": str(w.course.id), "host_scale_code": "ru-5",
        "isced_code": "0413", "eqf_level": "7",
    })  # fmt: skip
    assert line.status_code == 303, line.text
    page = client.get(path)
    assert "KZ-PS-501 — Patient safety" in page.text
    assert "Propose the agreement" in page.text
    assert _post(client, w, f"{path}/proposal", {}).status_code == 303
    proposed = client.get(path).text
    assert "Proposed, awaiting approval" in proposed
    assert "Approve for the home institution" in proposed
    assert _post(client, w, f"{path}/home-approval", {}).status_code == 303
    assert "Approve for the home institution" not in client.get(path).text
    listing = client.get(DESK)
    assert listing.status_code == 200
    assert w.learner.display_name in listing.text


def test_a_refused_new_agreement_is_shown_again_and_writes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.browser(client, w.registrar)
    refused = _post(client, w, DESK, {
        "learner_email": w.learner.email, "host_institution_id": str(w.host.id),
        "programme_id": str(w.programme.id), "period_from": "2027-02-01",
        "period_to": "2027-01-31",
    })  # fmt: skip
    assert refused.status_code == 400
    assert "The mobility ends before it starts." in refused.text
    assert 'value="2027-02-01"' in refused.text
    unknown = _post(client, w, DESK, {
        "learner_email": "nobody@example.org", "host_institution_id": str(w.host.id),
        "programme_id": str(w.programme.id), "period_from": "2026-09-01",
        "period_to": "2027-01-31",
    })  # fmt: skip
    assert unknown.status_code == 400
    assert "No learner with this email within your reach." in unknown.text
    assert db.scalar(select(func.count(LearningAgreement.id))) == 0


def test_a_learner_sees_and_proposes_their_agreement_but_not_the_desk(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    agreement_id = w.draft(client)
    w.browser(client, w.learner)
    mine = client.get("/me/credits/agreements")
    assert mine.status_code == 200
    assert "XFHOST" in mine.text
    page = client.get(f"/me/credits/agreements/{agreement_id}")
    assert "Patient safety in clinical practice" in page.text
    assert "Add a host course" not in page.text
    proposed = _post(client, w, f"/me/credits/agreements/{agreement_id}/proposal", {})
    assert proposed.status_code == 303
    assert db.get_one(LearningAgreement, agreement_id).status == "proposed"
    assert client.get(DESK).status_code == 403
    classmate = make_user(db, institution=w.home)
    w.browser(client, classmate)
    assert client.get(f"/me/credits/agreements/{agreement_id}").status_code == 404


def test_a_registrar_refuses_a_waiting_result_on_the_transfers_page(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.external_id("KZ-1")
    body = w.result(learner_id=None, external_id="KZ-1")
    result_id = client.post(
        "/api/v1/transfer-results", json=body, headers=w.partner_headers(w.host)
    ).json()["id"]
    w.browser(client, w.registrar)
    page = client.get("/admin/credits/transfers")
    assert "No approved learning agreement with this host" in page.text
    path = f"/admin/credits/transfers/{result_id}/decision"
    no_reason = _post(client, w, path, {"action": "refuse", "reason": ""})
    assert no_reason.status_code == 400
    assert "Give a reason to record without conversion or to refuse." in no_reason.text
    assert db.get_one(TransferResult, result_id).status == "pending"
    done = _post(client, w, path, {"action": "refuse", "reason": "Not agreed"})
    assert done.status_code == 303
    db.expire_all()
    assert db.get_one(TransferResult, result_id).status == "refused"
    assert "Nothing waits for a decision." in client.get("/admin/credits/transfers").text


def test_the_host_registrar_approves_on_the_desk(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    agreement_id = w.draft(client)
    client.post(
        f"/api/v1/learning-agreements/{agreement_id}/proposal", headers=w.user_headers(w.learner)
    )
    host_registrar = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.host)
    w.browser(client, host_registrar)
    page = client.get(f"{DESK}/{agreement_id}")
    assert "Approve for the host institution" in page.text
    assert "Approve for the home institution" not in page.text
    assert _post(client, w, f"{DESK}/{agreement_id}/host-approval", {}).status_code == 303
    assert db.get_one(LearningAgreement, agreement_id).host_approved_by_id == host_registrar.id

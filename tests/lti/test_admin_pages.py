"""The managers' LTI page: a manager registers an external tool and a partner LMS without
JavaScript and reads what to enter on the other side; a refused form keeps what was typed and
writes nothing; another institution's manager finds neither; a student is turned away."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.core.actors import PlatformRole
from app.lti.platform_models import LtiTool
from app.lti.tool_models import LtiPlatform
from tests.accounts.factories import PASSWORD, make_institution, make_user, page_csrf, sign_in

TOOL = "http://127.0.0.1:9/tool"
LMS = "http://127.0.0.1:9/lms"


@pytest.fixture
def p77(db: Session) -> Institution:
    institution = make_institution(db, "P77", "KZ")
    make_user(
        db, email="boss@p77.example", role=PlatformRole.INSTITUTION_MANAGER,
        institution=institution, password=PASSWORD,
    )  # fmt: skip
    db.commit()
    return institution


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _tool_form(token: str, **changes: str) -> dict[str, object]:
    return {
        "csrf_token": token, "name": "Case simulator", "login_url": f"{TOOL}/login",
        "launch_url": f"{TOOL}/launch", "jwks_url": f"{TOOL}/jwks",
        "custom": "cohort=2026\nlevel=master", "share_name": "1",
        "scopes": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], **changes,
    }  # fmt: skip


def test_a_manager_registers_a_tool_and_reads_agoras_endpoints(
    client: TestClient, db: Session, p77: Institution, settings
):
    sign_in(client, "boss@p77.example")
    token = page_csrf(client, "/admin/lti")

    made = client.post("/admin/lti/tools", data=_tool_form(token), follow_redirects=False)

    assert made.status_code == 303
    tool = db.scalars(select(LtiTool)).one()
    assert (tool.institution_id, tool.custom) == (p77.id, {"cohort": "2026", "level": "master"})
    assert tool.scopes == ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    page = client.get(made.headers["location"])
    assert page.status_code == 200
    assert f"{settings.base_url}/lti/authorize" in page.text
    assert f"{settings.base_url}/lti/jwks.json" in page.text
    assert tool.client_id in page.text
    assert "Case simulator" in client.get("/admin/lti").text


def test_a_tool_form_without_a_key_is_refused_keeps_its_input_and_writes_nothing(
    client: TestClient, db: Session, p77: Institution
):
    sign_in(client, "boss@p77.example")
    token = page_csrf(client, "/admin/lti")

    refused = client.post("/admin/lti/tools", data=_tool_form(token, jwks_url=""))

    assert refused.status_code == 400
    assert 'value="Case simulator"' in refused.text
    assert "cohort=2026" in refused.text
    assert _count(db, LtiTool) == 0


def test_a_manager_registers_a_partner_lms_and_reads_agoras_tool_endpoints(
    client: TestClient, db: Session, p77: Institution, settings
):
    sign_in(client, "boss@p77.example")
    token = page_csrf(client, "/admin/lti")
    form = {
        "csrf_token": token, "name": "P77 Moodle", "issuer": LMS, "client_id": "agora-at-p77",
        "deployment_ids": "1\n2", "auth_login_url": f"{LMS}/auth",
        "auth_token_url": f"{LMS}/token", "jwks_url": f"{LMS}/jwks",
    }  # fmt: skip

    refused = client.post("/admin/lti/platforms", data={**form, "deployment_ids": ""})
    assert refused.status_code == 400
    assert _count(db, LtiPlatform) == 0

    made = client.post("/admin/lti/platforms", data=form, follow_redirects=False)
    assert made.status_code == 303
    platform = db.scalars(select(LtiPlatform)).one()
    assert (platform.institution_id, platform.deployment_ids) == (p77.id, ["1", "2"])
    page = client.get(made.headers["location"])
    assert f"{settings.base_url}/lti/tool/login" in page.text
    assert f"{settings.base_url}/lti/tool/launch" in page.text

    removed = client.post(
        f"/admin/lti/platforms/{platform.id}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert _count(db, LtiPlatform) == 0


def test_another_institutions_manager_finds_nothing_and_a_student_is_turned_away(
    client: TestClient, db: Session, p77: Institution
):
    sign_in(client, "boss@p77.example")
    token = page_csrf(client, "/admin/lti")
    tool_page = client.post("/admin/lti/tools", data=_tool_form(token)).url.path
    other = make_institution(db, "P78", "VN")
    make_user(
        db, email="boss@p78.example", role=PlatformRole.INSTITUTION_MANAGER,
        institution=other, password=PASSWORD,
    )  # fmt: skip
    make_user(db, email="learner@p77.example", institution=p77, password=PASSWORD)
    db.commit()

    sign_in(client, "boss@p78.example")
    assert client.get(tool_page).status_code == 404
    assert "Case simulator" not in client.get("/admin/lti").text

    sign_in(client, "learner@p77.example")
    assert client.get("/admin/lti").status_code == 403
    assert client.get(tool_page).status_code == 403

"""The services tools call, on the wire: our token endpoint grants an access token only for a
client assertion signed by the tool's registered key, for our token URL, unexpired and used
once, and only the scopes the registration allows; AGS and NRPS answer only within what the
token's scopes and the tool's placements allow. Every refusal writes nothing."""

import secrets
import time
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from jose import jwt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.courses.models import Course, Module
from app.grades.models import Grade
from app.lti.platform_models import LtiLineItem, LtiTool, LtiUsedAssertion
from app.lti.platform_schemas import LineItemSpec, PlacementCreate, ToolCreate
from app.lti.platform_service import links, tools
from app.membership.models import CourseRole
from tests.accounts.factories import make_institution, make_user
from tests.courses.factories import enrol_as, import_hs101
from tests.lti.platform_tool import new_private_key, public_pem

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
MEMBERS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
KEY = new_private_key()


@pytest.fixture
def course(db: Session, settings) -> Course:
    return import_hs101(db, settings)


@pytest.fixture
def learner(db: Session, course: Course) -> User:
    user = make_user(db)
    enrol_as(db, course, user, CourseRole.STUDENT)
    return user


def _tool(db: Session, settings, client_id: str, *, institution_id: int | None = None) -> LtiTool:
    data = ToolCreate(
        name=client_id, client_id=client_id, login_url="https://tool.example.org/login",
        launch_url="https://tool.example.org/launch", public_key=public_pem(KEY),
        institution_id=institution_id,
    )  # fmt: skip
    return tools.register(db, SYSTEM, settings, data)


def _place(db: Session, settings, course: Course, tool: LtiTool) -> LtiLineItem:
    section_id = db.scalar(select(Module.section_id).where(Module.course_id == course.id))
    data = PlacementCreate(
        section_id=section_id, title="Quiz", line_item=LineItemSpec(score_maximum=Decimal(10))
    )
    _link, item = links.place(db, SYSTEM, settings, tool.id, data)
    assert item is not None
    return item


@pytest.fixture
def placed(db: Session, settings, course: Course) -> tuple[LtiTool, LtiLineItem]:
    tool = _tool(db, settings, "quiz-tool")
    item = _place(db, settings, course, tool)
    db.commit()
    return tool, item


def _assertion(settings, client_id: str, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id, "sub": client_id, "aud": f"{settings.base_url}/lti/token",
        "iat": now, "exp": now + 60, "jti": secrets.token_hex(8),
    }  # fmt: skip
    key = changes.pop("key", KEY)
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256")


def _ask(client: TestClient, assertion: str, scope: str = f"{SCORE} {MEMBERS}"):
    return client.post(
        "/lti/token",
        data={
            "grant_type": "client_credentials", "client_assertion_type": ASSERTION,
            "client_assertion": assertion, "scope": scope,
        },
    )  # fmt: skip


def _used(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(LtiUsedAssertion)) or 0


def _bearer(response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_good_assertion_gets_a_token_with_the_allowed_scopes_only(client, db, settings, placed):
    tool, _item = placed
    tool.scopes = [SCORE]
    db.commit()

    granted = _ask(client, _assertion(settings, tool.client_id))

    assert granted.status_code == 200, granted.text
    assert granted.headers["cache-control"] == "no-store"
    body = granted.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, SCORE)
    assert _used(db) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"key": new_private_key()},  # signed by another key
        {"exp": int(time.time()) - 120, "iat": int(time.time()) - 300},  # expired
        {"aud": "https://elsewhere.example.org/token"},  # for another audience
        {"exp": None},  # no expiry
        {"jti": None},  # no jti
        {"sub": "someone-else"},  # a subject that is not the client
    ],
    ids=["other-key", "expired", "wrong-audience", "no-exp", "no-jti", "other-subject"],
)
def test_a_bad_client_assertion_is_refused_as_invalid_client(client, db, settings, placed, change):
    tool, _item = placed

    refused = _ask(client, _assertion(settings, tool.client_id, **change))

    assert refused.status_code == 401, refused.text
    assert refused.json()["error"] == "invalid_client"
    assert _used(db) == 0


def test_a_replayed_assertion_is_refused_and_writes_nothing(client, db, settings, placed):
    tool, _item = placed
    assertion = _assertion(settings, tool.client_id)
    assert _ask(client, assertion).status_code == 200

    replayed = _ask(client, assertion)

    assert replayed.status_code == 401
    assert replayed.json()["error"] == "invalid_client"
    assert _used(db) == 1


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        (
            {
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION,
                "client_assertion": "not.a.jwt",
                "scope": SCORE,
            },
            401,
            "invalid_client",
        ),
    ],
)
def test_malformed_token_requests_get_rfc_6749_errors(client, db, data, status, error):
    refused = client.post("/lti/token", data=data)
    assert (refused.status_code, refused.json()["error"]) == (status, error)


def test_a_scope_the_registration_does_not_allow_is_invalid_scope(client, db, settings, placed):
    tool, _item = placed
    tool.scopes = [LINEITEM_READ]
    db.commit()

    refused = _ask(client, _assertion(settings, tool.client_id), scope=SCORE)

    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_scope")
    assert _used(db) == 0


def _score(learner: User, given: float = 8) -> dict:
    return {
        "userId": f"agora-user-{learner.id}", "scoreGiven": given, "scoreMaximum": 10,
        "activityProgress": "Completed", "gradingProgress": "FullyGraded",
        "timestamp": "2026-12-02T10:00:00Z",
    }  # fmt: skip


def _scores_url(course: Course, item: LtiLineItem) -> str:
    return f"/lti/ags/courses/{course.id}/lineitems/{item.id}/scores"


def _grades(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Grade)) or 0


def test_a_token_without_the_score_scope_cannot_post_scores(
    client, db, settings, placed, course, learner
):
    tool, item = placed
    db.commit()
    headers = _bearer(_ask(client, _assertion(settings, tool.client_id), scope=LINEITEM_READ))

    refused = client.post(
        _scores_url(course, item), json=_score(learner),
        headers={**headers, "Content-Type": "application/vnd.ims.lis.v1.score+json"},
    )  # fmt: skip

    assert refused.status_code == 403
    assert refused.json()["error"] == "insufficient_scope"
    assert _grades(db) == 0
    read = client.get(f"/lti/ags/courses/{course.id}/lineitems", headers=headers)
    assert read.status_code == 200
    assert read.headers["content-type"] == "application/vnd.ims.lis.v2.lineitemcontainer+json"
    assert [i["scoreMaximum"] for i in read.json()] == [10]


def test_scores_of_people_outside_the_course_or_without_a_token_are_refused(
    client, db, settings, placed, course, learner
):
    tool, item = placed
    stranger = make_user(db)
    db.commit()
    headers = _bearer(_ask(client, _assertion(settings, tool.client_id)))
    media = {"Content-Type": "application/vnd.ims.lis.v1.score+json"}

    outsider = client.post(
        _scores_url(course, item), json={**_score(learner), "userId": f"agora-user-{stranger.id}"},
        headers={**headers, **media},
    )  # fmt: skip
    anonymous = client.post(_scores_url(course, item), json=_score(learner), headers=media)
    forged = client.post(
        _scores_url(course, item), json=_score(learner),
        headers={**media, "Authorization": "Bearer " + _assertion(settings, tool.client_id)},
    )  # fmt: skip
    garbage = client.post(
        _scores_url(course, item), content=b"{not json", headers={**headers, **media}
    )
    accepted = client.post(
        _scores_url(course, item), json=_score(learner), headers={**headers, **media}
    )

    assert (outsider.status_code, outsider.json()["error"]) == (404, "lti_not_a_member")
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "invalid_token")
    assert forged.status_code == 401
    assert garbage.status_code == 400
    assert accepted.status_code == 204
    db.expire_all()
    assert db.scalar(select(Grade.points)) == Decimal(8)


def test_a_tool_reads_only_the_members_of_courses_it_is_placed_in(
    client, db, settings, course, learner
):
    p9 = make_institution(db, "P9-LTI")
    ours = _tool(db, settings, "ours")
    _place(db, settings, course, ours)
    theirs = _tool(db, settings, "theirs", institution_id=p9.id)  # placed nowhere
    other_course = import_hs101(db, settings, code="HS-102")
    outsider = make_user(db)
    enrol_as(db, other_course, outsider, CourseRole.STUDENT)
    db.commit()
    our_token = _bearer(_ask(client, _assertion(settings, ours.client_id), scope=MEMBERS))
    their_token = _bearer(_ask(client, _assertion(settings, theirs.client_id), scope=MEMBERS))

    members = client.get(f"/lti/nrps/courses/{course.id}/memberships", headers=our_token)
    elsewhere = client.get(f"/lti/nrps/courses/{other_course.id}/memberships", headers=our_token)
    foreign = client.get(f"/lti/nrps/courses/{course.id}/memberships", headers=their_token)
    unknown = client.get("/lti/nrps/courses/999999/memberships", headers=our_token)

    assert members.status_code == 200
    assert members.headers["content-type"] == (
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    )
    assert [m["user_id"] for m in members.json()["members"]] == [f"agora-user-{learner.id}"]
    assert "name" not in members.json()["members"][0]
    assert (elsewhere.status_code, foreign.status_code, unknown.status_code) == (404, 404, 404)


def test_line_items_of_another_tool_are_not_found(client, db, settings, placed, course):
    _tool_a, item = placed
    other = _tool(db, settings, "other-tool")
    _place(db, settings, course, other)
    db.commit()
    headers = _bearer(_ask(client, _assertion(settings, other.client_id), scope=LINEITEM_READ))

    mine = client.get(f"/lti/ags/courses/{course.id}/lineitems", headers=headers)
    theirs = client.get(f"/lti/ags/courses/{course.id}/lineitems/{item.id}", headers=headers)

    assert item.id not in [int(i["id"].rsplit("/", 1)[1]) for i in mine.json()]
    assert theirs.status_code == 404


def test_a_score_older_than_the_last_one_received_changes_nothing(
    client, db, settings, placed, course, learner
):
    tool, item = placed
    db.commit()
    headers = {
        **_bearer(_ask(client, _assertion(settings, tool.client_id))),
        "Content-Type": "application/vnd.ims.lis.v1.score+json",
    }
    late = {**_score(learner), "scoreGiven": 9, "timestamp": "2026-03-02T10:00:00.000+00:00"}
    early = {**_score(learner), "scoreGiven": 2, "timestamp": "2026-03-02T09:59:59.000+07:00"}

    first = client.post(_scores_url(course, item), json=late, headers=headers)
    stale = client.post(_scores_url(course, item), json=early, headers=headers)
    again = client.post(_scores_url(course, item), json=late, headers=headers)

    assert first.status_code == 204
    assert (stale.status_code, stale.json()["error"]) == (409, "lti_score_out_of_order")
    assert again.status_code == 409  # the same moment is not later either
    db.expire_all()
    assert db.scalar(select(Grade.points)) == Decimal(9)

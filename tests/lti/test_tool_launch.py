"""Agora as an LTI 1.3 tool, launched over HTTP on loopback by a partner LMS built with
lti1p3platform: the OIDC login, the verified launch that provisions, enrols and signs the
person in and lands them on the course or module, the grade sent back through AGS, and the
refused launches (forged, expired, replayed, misaddressed, unknown deployment, bad state),
each answered with a page and writing nothing."""

from collections.abc import Iterator
from decimal import Decimal

import httpx
import jwt as pyjwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User, UserSession
from app.core import outbox
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Course
from app.grades.models import GradeItem, ItemSource
from app.grades.service.record import record_grade
from app.lti.tool_models import (
    LtiGradeLink,
    LtiIdentity,
    LtiLoginState,
    LtiPlatform,
    LtiUsedNonce,
)
from app.lti.tool_service.passback import PASSBACK
from app.membership.models import CourseRole, Enrolment
from app.membership.service import set_partner
from tests.accounts.factories import make_institution, make_user
from tests.courses.factories import enrol_as, import_hs101, module
from tests.lti.conftest import LiveAgora
from tests.lti.partner_platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    Partner,
    launch_form,
    new_private_key,
    partner_platform,
)
from tests.outbox_runs import delivered_of_kind


@pytest.fixture
def p88(db: Session) -> Institution:
    return make_institution(db, "P88", "MA")


@pytest.fixture
def course(db: Session, settings: Settings, p88: Institution) -> Course:
    course = import_hs101(db, settings)
    set_partner(db, course.id, p88.id, partner=True)
    db.flush()
    return course


@pytest.fixture
def partner(
    live_agora: LiveAgora, db: Session, p88: Institution, course: Course
) -> Iterator[Partner]:
    with partner_platform(live_agora.url) as partner:
        partner.launch.target_link_uri = f"{live_agora.url}/courses/{course.code}"
        db.add(LtiPlatform(**partner.registration_body(p88.id)))
        db.flush()
        yield partner


@pytest.fixture
def browser(live_agora: LiveAgora) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as client:
        yield client


def _launch(browser: httpx.Client, partner: Partner) -> tuple[httpx.Response, dict[str, str]]:
    """The learner clicks the activity in the LMS: login at Agora, back to the LMS, whose
    launch form the browser posts to Agora."""
    page = browser.get(f"{partner.url}/start", follow_redirects=True)
    assert page.status_code == 200, page.text
    action, fields = launch_form(page.text)
    return browser.post(action, data=fields, follow_redirects=False), fields


def _counts(db: Session) -> dict[str, int]:
    db.expire_all()
    tables = (User, LtiIdentity, LtiUsedNonce, Enrolment, UserSession, LtiGradeLink)
    return {t.__name__: db.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


def test_a_learner_launched_from_the_partner_lms_is_provisioned_enrolled_and_signed_in(
    db: Session, partner: Partner, browser: httpx.Client, course: Course, p88: Institution,
    live_agora: LiveAgora,
):  # fmt: skip
    launched, _ = _launch(browser, partner)

    assert launched.status_code == 303, launched.text
    assert launched.headers["location"] == f"/courses/{course.code}"
    db.expire_all()
    identity = db.scalars(select(LtiIdentity)).one()
    user = db.get_one(User, identity.user_id)
    assert (identity.subject, user.email, user.display_name, user.institution_id) == (
        "moodle-user-42", "nadia.benali@partner.example.org", "Nadia Benali", p88.id,
    )  # fmt: skip
    enrolment = db.scalars(select(Enrolment).where(Enrolment.user_id == user.id)).one()
    assert (enrolment.course_id, enrolment.role) == (course.id, CourseRole.STUDENT)
    link = db.scalars(select(LtiGradeLink)).one()
    assert (link.course_id, link.module_id, link.resource_link_id) == (
        course.id, None, "moodle-activity-7",
    )  # fmt: skip
    assert link.lineitem_url == f"{partner.url}/lineitems/1"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.scopes
    page = browser.get(f"{live_agora.url}{launched.headers['location']}")
    assert page.status_code == 200
    assert "Nadia Benali" in page.text  # signed in: the page knows who is reading


def test_a_second_launch_of_the_same_person_reuses_their_account(
    db: Session, partner: Partner, browser: httpx.Client
):
    first, _ = _launch(browser, partner)
    second, _ = _launch(browser, partner)

    assert (first.status_code, second.status_code) == (303, 303)
    assert _counts(db)["User"] == db.scalar(select(func.count()).select_from(User))
    assert len(db.scalars(select(LtiIdentity)).all()) == 1
    assert len(db.scalars(select(LtiUsedNonce)).all()) == 2


def test_a_launch_naming_a_module_lands_on_it(
    db: Session, partner: Partner, browser: httpx.Client, course: Course, live_agora: LiveAgora
):
    target = module(db, course, "intro")
    partner.launch.target_link_uri = f"{live_agora.url}/courses/{course.code}/modules/{target.id}"

    launched, _ = _launch(browser, partner)

    assert launched.status_code == 303, launched.text
    assert launched.headers["location"] == f"/courses/{course.code}/modules/{target.id}"
    assert db.scalars(select(LtiGradeLink)).one().module_id == target.id
    assert browser.get(f"{live_agora.url}{launched.headers['location']}").status_code == 200


def test_an_instructor_is_signed_in_but_gets_no_enrolment(
    db: Session, partner: Partner, browser: httpx.Client
):
    partner.launch.roles = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]

    launched, _ = _launch(browser, partner)

    assert launched.status_code == 303, launched.text
    user_id = db.scalars(select(LtiIdentity.user_id)).one()
    assert db.scalars(select(Enrolment).where(Enrolment.user_id == user_id)).all() == []


def test_the_same_institutions_account_is_linked_but_another_institutions_never(
    db: Session, partner: Partner, browser: httpx.Client, p88: Institution
):
    other = make_institution(db, "P89", "LA")
    theirs = make_user(db, email="nadia.benali@partner.example.org", institution=other)
    db.flush()

    _launch(browser, partner)

    db.expire_all()
    provisioned = db.get_one(User, db.scalars(select(LtiIdentity.user_id)).one())
    assert provisioned.id != theirs.id
    assert provisioned.institution_id == p88.id
    assert provisioned.email.endswith("@learners.lti.example.org")

    partner.launch.sub, partner.launch.email = "moodle-user-43", "amal@partner.example.org"
    mine = make_user(db, email="amal@partner.example.org", institution=p88)
    db.flush()
    _launch(browser, partner)

    db.expire_all()
    linked = db.scalars(select(LtiIdentity).where(LtiIdentity.subject == "moodle-user-43")).one()
    assert linked.user_id == mine.id


def test_a_launch_never_takes_over_a_managers_account(
    db: Session, partner: Partner, browser: httpx.Client, p88: Institution
):
    manager = make_user(
        db, email="nadia.benali@partner.example.org", institution=p88,
        role=PlatformRole.INSTITUTION_MANAGER,
    )  # fmt: skip
    db.flush()

    launched, _ = _launch(browser, partner)

    assert launched.status_code == 303
    db.expire_all()
    provisioned = db.get_one(User, db.scalars(select(LtiIdentity.user_id)).one())
    assert provisioned.id != manager.id
    assert provisioned.platform_role == PlatformRole.USER


def _release(db: Session, course: Course, user_id: int, module_id: int | None) -> None:
    item = GradeItem(
        course_id=course.id, source=ItemSource.MANUAL, title="Week 1 quiz",
        max_points=Decimal(20), module_id=module_id,
    )  # fmt: skip
    db.add(item)
    db.flush()
    record_grade(db, item, user_id, Decimal(15), by_user_id=None, release=True)
    db.flush()


def _deliver(settings: Settings) -> int:
    """One run of `agora worker`: how many grades it sent back."""
    return delivered_of_kind(settings, PASSBACK)


def test_a_released_grade_goes_back_to_the_platforms_line_item(
    db: Session, partner: Partner, browser: httpx.Client, course: Course, settings: Settings,
    live_agora: LiveAgora,
):  # fmt: skip
    target = module(db, course, "intro")
    partner.launch.target_link_uri = f"{live_agora.url}/courses/{course.code}/modules/{target.id}"
    _launch(browser, partner)
    user_id = db.scalars(select(LtiIdentity.user_id)).one()

    _release(db, course, user_id, target.id)
    delivered = _deliver(settings)

    assert delivered == 1
    [token_request] = partner.received.tokens
    assert token_request["grant_type"] == "client_credentials"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in token_request["scope"]
    [(item, content_type, score)] = partner.received.scores
    assert (item, content_type) == ("1", "application/vnd.ims.lis.v1.score+json")
    assert {k: v for k, v in score.items() if k != "timestamp"} == {
        "userId": "moodle-user-42",
        "scoreGiven": 15.0,
        "scoreMaximum": 20.0,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
    assert score["timestamp"].startswith(str(utcnow().year))


def test_without_a_line_item_one_is_made_in_the_container_once(
    db: Session, partner: Partner, browser: httpx.Client, course: Course, settings: Settings,
    live_agora: LiveAgora,
):  # fmt: skip
    partner.launch.lineitem = False
    target = module(db, course, "intro")
    partner.launch.target_link_uri = f"{live_agora.url}/courses/{course.code}/modules/{target.id}"
    _launch(browser, partner)
    user_id = db.scalars(select(LtiIdentity.user_id)).one()

    _release(db, course, user_id, target.id)
    assert _deliver(settings) == 1

    [made] = partner.received.lineitems
    assert (made["resourceLinkId"], made["scoreMaximum"], made["label"]) == (
        "moodle-activity-7", 20.0, "Week 1 quiz",
    )  # fmt: skip
    assert [s[0] for s in partner.received.scores] == ["100"]
    db.expire_all()
    assert db.scalars(select(LtiGradeLink.lineitem_url)).one() == made["id"]


def test_a_failed_passback_is_retried_by_the_outbox(
    db: Session, partner: Partner, browser: httpx.Client, course: Course, settings: Settings
):
    _launch(browser, partner)
    user_id = db.scalars(select(LtiIdentity.user_id)).one()
    platform = db.scalars(select(LtiPlatform)).one()
    platform.auth_token_url = "http://169.254.169.254/token"  # refused by the SSRF guard
    db.flush()
    enrol_as(db, course, make_user(db), CourseRole.TEACHER)

    _release(db, course, user_id, None)
    delivered = _deliver(settings)

    db.expire_all()
    message = db.scalars(
        select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "lti.tool.score")
    ).one()
    assert delivered == 0
    assert message.state == outbox.MessageState.PENDING
    assert "169.254.169.254" in (message.last_error or "")
    assert partner.received.scores == []


# --- refusals --------------------------------------------------------------------------------


def _refused(db: Session, response: httpx.Response, status: int, before: dict[str, int]) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "refused" in response.text
    assert _counts(db) == before


def test_a_token_signed_by_another_key_is_refused(
    db: Session, partner: Partner, browser: httpx.Client
):
    partner.launch.signing_key = new_private_key()
    before = _counts(db)

    launched, _ = _launch(browser, partner)

    _refused(db, launched, 401, before)
    assert "lti_forged_token" in launched.text


def test_an_expired_token_is_refused(db: Session, partner: Partner, browser: httpx.Client):
    partner.launch.expires_in = -120
    before = _counts(db)

    launched, _ = _launch(browser, partner)

    _refused(db, launched, 401, before)
    assert "lti_expired_token" in launched.text


def test_a_token_for_another_audience_is_refused(
    db: Session, partner: Partner, browser: httpx.Client
):
    partner.launch.audience = "some-other-tool"
    before = _counts(db)

    launched, _ = _launch(browser, partner)

    _refused(db, launched, 401, before)
    assert "lti_wrong_claims" in launched.text


def test_an_unknown_deployment_is_refused_at_login_and_at_launch(
    db: Session, partner: Partner, browser: httpx.Client
):
    before = _counts(db)
    partner.launch.deployment_id = "deployment-of-someone-else"
    login = browser.get(f"{partner.url}/start", follow_redirects=True)
    partner.launch.deployment_id = DEPLOYMENT_ID
    partner.launch.claims = {
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-of-someone-else"
    }

    launched, _ = _launch(browser, partner)

    _refused(db, login, 400, before)
    _refused(db, launched, 403, before)
    assert "lti_deployment_refused" in launched.text


def test_a_launch_of_another_message_type_is_refused(
    db: Session, partner: Partner, browser: httpx.Client
):
    partner.launch.claims = {
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingRequest"
    }
    before = _counts(db)

    launched, _ = _launch(browser, partner)

    _refused(db, launched, 400, before)


def test_a_replayed_launch_is_refused_even_with_a_fresh_state(
    db: Session, partner: Partner, browser: httpx.Client, live_agora: LiveAgora
):
    first, fields = _launch(browser, partner)
    assert first.status_code == 303
    before = _counts(db)

    again = browser.post(f"{live_agora.url}/lti/tool/launch", data=fields)
    _refused(db, again, 401, before)
    assert "lti_bad_state" in again.text

    # A fresh login whose state carries the used nonce: the used-nonce table refuses it.
    platform_id = db.scalars(select(LtiPlatform.id)).one()
    used = db.scalars(select(LtiUsedNonce.nonce)).one()
    db.add(LtiLoginState(
        state="fresh-state", nonce=used, platform_id=platform_id,
        target_link_uri=live_agora.url, expires_at=utcnow().replace(year=utcnow().year + 1),
    ))  # fmt: skip
    db.flush()
    browser.cookies.clear()
    replayed = browser.post(
        f"{live_agora.url}/lti/tool/launch",
        data={"id_token": fields["id_token"], "state": "fresh-state"},
    )
    _refused(db, replayed, 401, before)
    assert "lti_replayed_launch" in replayed.text


@pytest.mark.parametrize(
    "fields",
    [
        {"id_token": "not.a.token", "state": "made-up"},
        {"state": "made-up"},
        {},
    ],
)
def test_a_launch_without_a_known_state_is_refused(
    db: Session, partner: Partner, browser: httpx.Client, live_agora: LiveAgora, fields
):
    before = _counts(db)

    launched = browser.post(f"{live_agora.url}/lti/tool/launch", data=fields)

    _refused(db, launched, 401 if "id_token" in fields else 400, before)


def test_a_malformed_token_with_a_good_state_is_refused(
    db: Session, partner: Partner, browser: httpx.Client, live_agora: LiveAgora
):
    page = browser.get(f"{partner.url}/start", follow_redirects=True)
    _, fields = launch_form(page.text)
    before = _counts(db)

    launched = browser.post(
        f"{live_agora.url}/lti/tool/launch", data={**fields, "id_token": "a.b.c"}
    )

    _refused(db, launched, 401, before)


def test_a_course_the_platforms_institution_does_not_reach_is_refused(
    db: Session, partner: Partner, browser: httpx.Client, course: Course, p88: Institution
):
    set_partner(db, course.id, p88.id, partner=False)
    db.flush()
    before = _counts(db)

    launched, _ = _launch(browser, partner)

    _refused(db, launched, 403, before)


def test_a_login_from_an_unknown_platform_or_for_a_foreign_target_is_refused(
    db: Session, partner: Partner, browser: httpx.Client, live_agora: LiveAgora
):
    login = f"{live_agora.url}/lti/tool/login"
    unknown = browser.get(login, params={
        "iss": "https://lms.elsewhere.example", "login_hint": "1",
        "target_link_uri": f"{live_agora.url}/courses/HS-101",
    })  # fmt: skip
    foreign = browser.post(login, data={
        "iss": partner.issuer, "login_hint": "1", "client_id": CLIENT_ID,
        "target_link_uri": "https://evil.example/courses/HS-101",
    })  # fmt: skip
    empty = browser.post(login, data={})
    started = browser.post(login, data={
        "iss": partner.issuer, "login_hint": "1", "lti_deployment_id": DEPLOYMENT_ID,
        "target_link_uri": f"{live_agora.url}/courses/HS-101",
    }, follow_redirects=False)  # fmt: skip

    assert (unknown.status_code, foreign.status_code, empty.status_code) == (400, 400, 400)
    assert started.status_code == 302
    assert started.headers["location"].startswith(f"{partner.url}/authorize?scope=openid")
    db.expire_all()
    assert len(db.scalars(select(LtiLoginState)).all()) == 1


def test_a_course_launch_carries_the_course_result_back(
    db: Session, partner: Partner, browser: httpx.Client, course: Course, settings: Settings
):
    _launch(browser, partner)
    user_id = db.scalars(select(LtiIdentity.user_id)).one()

    _release(db, course, user_id, None)
    delivered = _deliver(settings)

    assert delivered == 1
    [(item, _, score)] = partner.received.scores
    assert item == "1"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (75.0, 100.0)  # the course total


# --- odd launches: refused with a page, never a server error ---------------------------------

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _signed_launch(
    partner: Partner, live_agora: LiveAgora, nonce: str, changes: dict[str, object]
) -> str:
    now = int(utcnow().timestamp())
    claims: dict[str, object] = {
        "iss": partner.issuer,
        "aud": CLIENT_ID,
        "sub": "moodle-user-99",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        f"{LTI}deployment_id": DEPLOYMENT_ID,
        f"{LTI}message_type": "LtiResourceLinkRequest",
        f"{LTI}version": "1.3.0",
        f"{LTI}resource_link": {"id": "r1"},
        f"{LTI}target_link_uri": f"{live_agora.url}/courses/HS-101",
        f"{LTI}roles": ["Learner"],
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return pyjwt.encode(claims, partner.private_key, algorithm="RS256")


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, 303),
        ({"aud": [CLIENT_ID, "another"], "azp": CLIENT_ID}, 303),
        ({"aud": [CLIENT_ID, "another"]}, 401),  # several audiences and no azp
        ({"iat": 4_000_000_000}, 401),  # issued in the future
        ({"exp": "tomorrow"}, 401),
        ({"exp": None}, 401),
        ({"iss": "https://another.example"}, 401),
        ({"sub": None}, 401),
        ({"nonce": None}, 401),
        ({f"{LTI}version": "1.1"}, 400),
        ({f"{LTI}resource_link": "r1"}, 400),
        ({f"{LTI}target_link_uri": "https://elsewhere.example/courses/HS-101"}, 400),
        ({f"{LTI}target_link_uri": None, f"{LTI}custom": {"agora_course": "NOPE"}}, 400),
        ({f"{LTI}custom": {"agora_course": "HS-101", "agora_module": "999999"}}, 400),
        ({f"{LTI}custom": "HS-101", f"{LTI}roles": "Learner", "email": 7, "name": ["x"]}, 303),
        (
            {
                "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                    "scope": "score",
                    "lineitem": "javascript:alert(1)",
                }
            },
            303,
        ),
    ],
)
def test_odd_launches_are_answered_without_a_server_error(
    db: Session, partner: Partner, browser: httpx.Client, live_agora: LiveAgora, changes, status
):
    platform_id = db.scalars(select(LtiPlatform.id)).one()
    db.add(LtiLoginState(
        state="odd-state", nonce="odd-nonce", platform_id=platform_id,
        target_link_uri=f"{live_agora.url}/courses/HS-101",
        expires_at=utcnow().replace(year=utcnow().year + 1),
    ))  # fmt: skip
    db.flush()
    before = _counts(db)
    token = _signed_launch(partner, live_agora, "odd-nonce", changes)

    launched = browser.post(
        f"{live_agora.url}/lti/tool/launch", data={"id_token": token, "state": "odd-state"},
        follow_redirects=False,
    )  # fmt: skip

    assert launched.status_code == status, launched.text
    if status >= 400:
        _refused(db, launched, status, before)


def test_a_disabled_account_is_not_signed_in(db: Session, partner: Partner, browser: httpx.Client):
    _launch(browser, partner)
    db.get_one(User, db.scalars(select(LtiIdentity.user_id)).one()).is_active = False
    db.flush()
    before = _counts(db)

    launched, _ = _launch(browser, partner)

    _refused(db, launched, 403, before)


def test_a_launch_posted_by_another_browser_than_the_one_that_logged_in_is_refused(
    db: Session, partner: Partner, browser: httpx.Client, live_agora: LiveAgora
):
    page = browser.get(f"{partner.url}/start", follow_redirects=True)
    action, fields = launch_form(page.text)
    assert browser.cookies.get("agora_lti_state") == fields["state"]  # bound at login
    browser.cookies.clear()
    browser.cookies.set("agora_lti_state", "a-state-of-another-login", domain="127.0.0.1")
    before = _counts(db)

    launched = browser.post(action, data=fields)

    _refused(db, launched, 401, before)
    assert "lti_bad_state" in launched.text


def test_a_corrected_grade_goes_back_again_and_an_unreleased_one_does_not(
    db: Session, partner: Partner, browser: httpx.Client, course: Course, settings: Settings,
    live_agora: LiveAgora,
):  # fmt: skip
    target = module(db, course, "intro")
    partner.launch.target_link_uri = f"{live_agora.url}/courses/{course.code}/modules/{target.id}"
    _launch(browser, partner)
    user_id = db.scalars(select(LtiIdentity.user_id)).one()
    hidden = GradeItem(
        course_id=course.id, source=ItemSource.MANUAL, title="Draft", max_points=Decimal(20),
        module_id=target.id,
    )  # fmt: skip
    db.add(hidden)
    db.flush()
    record_grade(db, hidden, user_id, Decimal(3), by_user_id=None, release=False)
    _release(db, course, user_id, target.id)
    released = db.scalars(select(GradeItem).where(GradeItem.title == "Week 1 quiz")).one()
    assert _deliver(settings) == 1

    record_grade(db, released, user_id, Decimal(18), by_user_id=None, release=True)
    db.flush()
    assert _deliver(settings) == 1

    assert [s[2]["scoreGiven"] for s in partner.received.scores] == [15.0, 18.0]

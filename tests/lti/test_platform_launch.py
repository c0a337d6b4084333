"""Agora launching a real pylti1p3 tool over HTTP on loopback: the OIDC third-party-initiated
login, the id_token the tool validates against our JWKS (and the claims it saw), a score the
tool posts through AGS landing in the gradebook, NRPS answering only the course's members, and
a Deep Linking round trip making a module. Refusals write nothing."""

import re
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.grade import Grade as LtiGrade
from pylti1p3.lineitem import LineItem
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.courses.models import Course, Module, ModuleKind
from app.grades.models import Grade, GradeItem, ItemSource
from app.lti.platform_models import LtiLink, LtiTool
from app.lti.platform_schemas import LineItemSpec, PlacementCreate, ToolCreate
from app.lti.platform_service import links, tools
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user
from tests.courses.factories import enrol_as, import_hs101
from tests.lti.platform_tool import FakeTool, running_tool

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
HIDDEN = re.compile(r'name="(\w+)" value="([^"]*)"')
FORM = re.compile(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', re.S)


@pytest.fixture
def course(db: Session, settings) -> Course:
    return import_hs101(db, settings)


@pytest.fixture
def learner(db: Session, course: Course) -> User:
    user = make_user(db, email="learner@example.org", password=PASSWORD)
    enrol_as(db, course, user, CourseRole.STUDENT)
    return user


@pytest.fixture
def teacher(db: Session, course: Course) -> User:
    user = make_user(db, email="teacher@example.org", password=PASSWORD)
    enrol_as(db, course, user, CourseRole.TEACHER)
    return user


@pytest.fixture
def tool(live_agora, db: Session, settings) -> Iterator[FakeTool]:
    with running_tool(live_agora.url) as fake:
        registered = tools.register(db, SYSTEM, settings, ToolCreate(**fake.registration()))
        db.flush()
        fake.agora_id = registered.id
        yield fake


def _place(db: Session, settings, course: Course, tool: FakeTool, *, line_item: bool = True):
    section_id = course_first_section(db, course)
    spec = LineItemSpec(score_maximum=Decimal(20)) if line_item else None
    data = PlacementCreate(section_id=section_id, title="Drug dosage quiz", line_item=spec)
    link, item = links.place(db, SYSTEM, settings, tool.agora_id, data)
    db.flush()
    return link, item


def course_first_section(db: Session, course: Course) -> int:
    return db.scalar(select(Module.section_id).where(Module.course_id == course.id).limit(1))


def _browser(agora_url: str, email: str) -> httpx.Client:
    browser = httpx.Client(trust_env=False, timeout=10)
    page = browser.get(f"{agora_url}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    signed_in = browser.post(
        f"{agora_url}/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303, signed_in.text
    return browser


def _follow(browser: httpx.Client, start: str) -> httpx.Response:
    """Follow redirects (Agora → tool's login → Agora's authorize), as a browser would."""
    response = browser.get(start)
    while response.status_code in (302, 303):
        response = browser.get(response.headers["location"])
    return response


def _post_form(browser: httpx.Client, page: httpx.Response) -> httpx.Response:
    """Submit the page's auto-posting form, as the browser (or the reader pressing its
    button) does."""
    [(action, fields)] = [
        (action, dict(HIDDEN.findall(body)))
        for action, body in FORM.findall(page.text)
        if "id_token" in body or "JWT" in body
    ]
    return browser.post(action.replace("&amp;", "&"), data=fields)


def _jwt_field(page: httpx.Response) -> dict[str, str]:
    return {"JWT": re.search(r'name="JWT" value="([^"]*)"', page.text).group(1)}


def _launch(browser: httpx.Client, agora_url: str, module_id: int) -> httpx.Response:
    authorized = _follow(browser, f"{agora_url}/lti/modules/{module_id}/launch")
    assert authorized.status_code == 200, authorized.text
    return _post_form(browser, authorized)


def test_a_learner_launches_the_tool_which_sees_our_claims_and_posts_a_score(
    db: Session, settings, course, learner, teacher, tool, live_agora
):
    link, item = _place(db, settings, course, tool)

    with closing(_browser(live_agora.url, learner.email)) as browser:
        landed = _launch(browser, live_agora.url, link.module_id)

    assert landed.status_code == 200, (landed.text, tool.refusals)
    [claims] = tool.launches
    assert claims["iss"] == live_agora.url
    assert claims["aud"] == tool.client_id
    assert claims["sub"] == f"agora-user-{learner.id}"
    assert "email" not in claims  # the tool shares neither e-mail addresses nor names
    assert "name" not in claims
    assert claims[f"{LTI}message_type"] == "LtiResourceLinkRequest"
    assert claims[f"{LTI}deployment_id"] == tool.deployment_id
    assert claims[f"{LTI}roles"] == [LEARNER]
    assert claims[f"{LTI}resource_link"] == {
        "id": link.resource_link_id,
        "title": "Drug dosage quiz",
    }
    assert claims[f"{LTI}context"]["label"] == "HS-101"
    assert claims[f"{LTI}custom"] == {"tool_level": "1"}
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitem"].endswith(f"/lti/ags/courses/{course.id}/lineitems/{item.id}")

    grade = (
        LtiGrade().set_score_given(15).set_score_maximum(20).set_user_id(claims["sub"])
        .set_timestamp(datetime.now(UTC).isoformat()).set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
    )  # fmt: skip
    tool.last_launch.get_ags().put_grade(grade)

    db.expire_all()
    grade_item = db.scalar(
        select(GradeItem).where(GradeItem.source == ItemSource.LTI, GradeItem.source_id == item.id)
    )
    stored = db.scalar(select(Grade).where(Grade.item_id == grade_item.id))
    assert grade_item.max_points == Decimal(20)
    assert (stored.user_id, stored.points) == (learner.id, Decimal(15))
    assert stored.released_at is not None

    members = tool.last_launch.get_nrps().get_members()
    assert sorted(m["user_id"] for m in members) == sorted(
        [f"agora-user-{learner.id}", f"agora-user-{teacher.id}"]
    )
    assert {m["user_id"]: m["roles"] for m in members}[f"agora-user-{teacher.id}"] == [INSTRUCTOR]
    assert all("email" not in m for m in members)


def test_a_teacher_launches_as_instructor_and_a_new_line_item_is_made_by_the_tool(
    db: Session, settings, course, teacher, tool, live_agora
):
    link, _item = _place(db, settings, course, tool, line_item=False)

    with closing(_browser(live_agora.url, teacher.email)) as browser:
        landed = _launch(browser, live_agora.url, link.module_id)

    assert landed.status_code == 200, (landed.text, tool.refusals)
    [claims] = tool.launches
    assert claims[f"{LTI}roles"] == [INSTRUCTOR]
    ags = tool.last_launch.get_ags()
    made = ags.find_or_create_lineitem(
        LineItem().set_tag("week-2").set_score_maximum(50).set_label("Week 2 quiz")
        .set_resource_link_id(link.resource_link_id)
    )  # fmt: skip
    assert made.get_score_maximum() == 50
    db.expire_all()
    assert (
        db.scalar(
            select(GradeItem.title).where(
                GradeItem.source == ItemSource.LTI, GradeItem.course_id == course.id
            )
        )
        == "Week 2 quiz"
    )


def test_deep_linking_makes_a_module_with_a_line_item(
    db: Session, settings, course, teacher, tool, live_agora
):
    section_id = course_first_section(db, course)
    line_item = LineItem().set_score_maximum(10).set_label("Drill")
    tool.content_items = [
        DeepLinkResource().set_title("Dosage drill").set_url(f"{tool.url}/launch?drill=3")
        .set_custom_params({"drill": "3"}).set_lineitem(line_item)
    ]  # fmt: skip
    before = db.scalar(select(func.count()).select_from(Module)) or 0

    with closing(_browser(live_agora.url, teacher.email)) as browser:
        picker = _follow(
            browser,
            f"{live_agora.url}/lti/sections/{section_id}/tools/{tool.agora_id}/deep-linking",
        )
        answer = _post_form(browser, picker)  # the id_token to the tool, which answers a form
        returned = _post_form(browser, answer)  # the tool's JWT back to Agora

    assert returned.status_code == 303, returned.text
    assert returned.headers["location"] == "/courses/HS-101"
    [claims] = tool.launches
    assert claims[f"{LTI}message_type"] == "LtiDeepLinkingRequest"
    db.expire_all()
    assert (db.scalar(select(func.count()).select_from(Module)) or 0) == before + 1
    made = db.scalar(select(Module).where(Module.title == "Dosage drill"))
    assert (made.kind, made.section_id) == (ModuleKind.LTI, section_id)
    link = db.scalar(select(LtiLink).where(LtiLink.module_id == made.id))
    assert (link.url, link.custom) == (f"{tool.url}/launch?drill=3", {"drill": "3"})
    assert db.scalar(select(GradeItem.max_points).where(GradeItem.module_id == made.id)) == 10

    with closing(_browser(live_agora.url, teacher.email)) as browser:  # the same answer again
        replayed = browser.post(
            f"{live_agora.url}/lti/deep-linking/return", data=_jwt_field(answer)
        )
    assert replayed.status_code == 401
    db.expire_all()
    assert (db.scalar(select(func.count()).select_from(Module)) or 0) == before + 1


def test_a_launch_with_someone_elses_login_hint_is_refused(
    db: Session, settings, course, learner, teacher, tool, live_agora
):
    link, _item = _place(db, settings, course, tool)
    with closing(_browser(live_agora.url, learner.email)) as browser:
        started = browser.get(f"{live_agora.url}/lti/modules/{link.module_id}/launch")
        tool_login = browser.get(started.headers["location"])
        authorize = tool_login.headers["location"]
    with closing(
        _browser(live_agora.url, teacher.email)
    ) as other:  # the teacher's browser replays it
        refused = other.get(authorize)
    assert refused.status_code == 403
    assert "id_token" not in refused.text
    assert tool.launches == []


def test_an_unknown_module_is_404_and_a_redirect_uri_not_registered_is_refused(
    db: Session, settings, course, learner, tool, live_agora
):
    link, _item = _place(db, settings, course, tool)
    with closing(_browser(live_agora.url, learner.email)) as browser:
        unknown = browser.get(f"{live_agora.url}/lti/modules/999999/launch")
        not_lti = browser.get(
            f"{live_agora.url}/lti/modules/{course_first_module(db, course)}/launch"
        )
        started = browser.get(f"{live_agora.url}/lti/modules/{link.module_id}/launch")
        authorize = browser.get(started.headers["location"]).headers["location"]
        elsewhere = browser.get(
            authorize.replace("redirect_uri=http", "redirect_uri=http%3A%2F%2Fevil.example%2F&x=")
        )
    assert unknown.status_code == 404
    assert not_lti.status_code == 404
    assert elsewhere.status_code == 400
    assert "id_token" not in elsewhere.text


def course_first_module(db: Session, course: Course) -> int:
    return db.scalar(select(Module.id).where(Module.course_id == course.id, Module.key == "intro"))


def test_the_module_page_offers_the_launch(
    db: Session, settings, course, learner, tool, live_agora
):
    link, _item = _place(db, settings, course, tool)
    module = db.get(Module, link.module_id)
    extra = links.launch_of(db, module)
    assert extra == {"tool": "Quiz Tool", "url": f"/lti/modules/{module.id}/launch"}
    assert db.scalar(select(func.count()).select_from(LtiTool)) == 1

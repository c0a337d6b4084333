"""The browser's pages of a launch, without a tool: a teacher's list of tools to pick content
from, and malformed or forged requests to the authorisation and deep linking return endpoints,
each refused with a page (never a 500), writing nothing."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.courses.models import Course, Module
from app.grades.models import GradeItem
from app.lti.platform_models import LtiTool
from app.lti.platform_schemas import PlacementCreate, ToolCreate
from app.lti.platform_service import links, tools
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.courses.factories import enrol_as, import_hs101
from tests.lti.platform_tool import new_private_key, public_pem


@pytest.fixture
def course(db: Session, settings) -> Course:
    return import_hs101(db, settings)


@pytest.fixture
def tool(db: Session, settings) -> LtiTool:
    data = ToolCreate(
        name="Quiz Tool", client_id="quiz", login_url="https://tool.example.org/login",
        launch_url="https://tool.example.org/launch", public_key=public_pem(new_private_key()),
        deep_linking_url="https://tool.example.org/pick",
    )  # fmt: skip
    return tools.register(db, SYSTEM, settings, data)


def _section(db: Session, course: Course) -> int:
    return db.scalar(select(Module.section_id).where(Module.course_id == course.id))


def _modules(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Module)) or 0


def test_a_teacher_is_offered_the_tools_to_pick_content_from_and_a_student_is_not(
    client: TestClient, db: Session, course: Course, tool: LtiTool
):
    teacher = make_user(db, password=PASSWORD)
    student = make_user(db, password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, student, CourseRole.STUDENT)
    db.commit()
    section_id = _section(db, course)

    sign_in(client, teacher.email)
    offered = client.get(f"/lti/sections/{section_id}/tools")
    started = client.get(
        f"/lti/sections/{section_id}/tools/{tool.id}/deep-linking", follow_redirects=False
    )
    sign_in(client, student.email)
    refused = client.get(f"/lti/sections/{section_id}/tools")
    not_started = client.get(
        f"/lti/sections/{section_id}/tools/{tool.id}/deep-linking", follow_redirects=False
    )

    assert offered.status_code == 200
    assert "Pick content from Quiz Tool" in offered.text
    assert started.status_code == 302
    assert started.headers["location"].startswith("https://tool.example.org/login?")
    assert "lti_message_hint=" in started.headers["location"]
    assert refused.status_code == 403
    assert not_started.status_code == 403


def test_a_hidden_lti_module_is_not_launched(
    client: TestClient, db: Session, settings, course: Course, tool: LtiTool
):
    data = PlacementCreate(section_id=_section(db, course), title="Drill")
    link, _item = links.place(db, SYSTEM, settings, tool.id, data)
    db.get_one(Module, link.module_id).hidden = True
    student = make_user(db, password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    db.commit()

    anonymous = client.get(f"/lti/modules/{link.module_id}/launch", follow_redirects=False)
    sign_in(client, student.email)
    hidden = client.get(f"/lti/modules/{link.module_id}/launch", follow_redirects=False)

    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next=/lti/modules/{link.module_id}/launch"
    assert hidden.status_code == 404


GOOD = (
    "client_id=quiz&redirect_uri=https://tool.example.org/launch&scope=openid"
    "&response_type=id_token&response_mode=form_post&prompt=none&nonce=n"
)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("client_id=quiz", 400),
        ("client_id=quiz&redirect_uri=https://tool.example.org/launch", 400),
        ("client_id=unknown&redirect_uri=https://tool.example.org/launch", 400),
        (GOOD.replace("prompt=none", "prompt=login"), 400),
        (GOOD.replace("&nonce=n", ""), 400),
        (GOOD + "&login_hint=agora-user-1&lti_message_hint=forged", 403),
        (GOOD + "&login_hint=agora-user-1", 403),
    ],
)
def test_malformed_or_forged_authentication_requests_are_refused_with_a_page(
    client: TestClient, db: Session, tool: LtiTool, query: str, status: int
):
    user = make_user(db, password=PASSWORD)
    db.commit()
    sign_in(client, user.email)

    by_link = client.get(f"/lti/authorize?{query}")
    by_form = client.post("/lti/authorize", content=query.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded"
    })  # fmt: skip

    assert by_link.status_code == status
    assert by_form.status_code == status
    assert "id_token" not in by_link.text


@pytest.mark.parametrize("jwt", [None, "", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_a_malformed_deep_linking_answer_is_refused_and_makes_nothing(
    client: TestClient, db: Session, course: Course, tool: LtiTool, jwt: str | None
):
    before = _modules(db)
    db.commit()

    refused = client.post("/lti/deep-linking/return", data={} if jwt is None else {"JWT": jwt})

    assert refused.status_code == 400
    assert _modules(db) == before


def test_a_teacher_adds_a_tool_as_a_module_with_a_gradebook_column_without_javascript(
    client: TestClient, db: Session, course: Course, tool: LtiTool
):
    teacher = make_user(db, password=PASSWORD)
    student = make_user(db, password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, student, CourseRole.STUDENT)
    db.commit()
    section_id = _section(db, course)
    place = f"/lti/sections/{section_id}/tools/{tool.id}/placements"
    before = _modules(db)

    sign_in(client, teacher.email)
    token = page_csrf(client, f"/lti/sections/{section_id}/tools")
    refused = client.post(place, data={"csrf_token": token, "title": "", "score_maximum": "-3"})
    assert refused.status_code == 400
    assert _modules(db) == before
    added = client.post(
        place,
        data={"csrf_token": token, "title": "Dosage simulation", "score_maximum": "20"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    module_page = client.get(added.headers["location"])
    assert "Launch Quiz Tool" in module_page.text
    assert db.scalar(select(GradeItem.max_points).where(GradeItem.title == "Dosage simulation"))

    sign_in(client, student.email)
    token = page_csrf(client, "/")
    assert client.post(place, data={"csrf_token": token, "title": "Mine"}).status_code == 403
    assert _modules(db) == before + 1

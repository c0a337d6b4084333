"""Agora as an LTI platform, page by page. The managers' LTI page: a platform manager manages
P1's registrations; the manager of another institution is told they do not exist (404); nobody
else may (403). A module's launch goes to the tool for whoever may open the module; placing
content from a tool (Deep Linking) is for the course's editors. The protocol endpoints the
tool calls (token, AGS, NRPS, the authentication request, the Deep Linking answer) answer
every browser alike: without their signed parameters they are refused, writing nothing. Real
round trips are in tests/lti/test_platform_*.py."""

from sqlalchemy import select

from app.accounts.models import Institution
from app.core.actors import SYSTEM
from app.credits.service import signing
from app.lti import keys
from app.lti.platform_models import LtiTool
from app.lti.platform_schemas import PlacementCreate
from app.lti.platform_service import links
from app.lti.tool_models import LtiPlatform
from tests.test_page_permission_matrix import LOGIN, World, answers, everyone, page

A = "/admin/lti"
TOOL = "https://tool.example.org"
AGS = "/lti/ags/courses/{course_id:int}/lineitems"
ITEM = AGS + "/{item_id:int}"


def _p1(w: World) -> int:
    institution_id = w.db.scalar(select(Institution.id).where(Institution.code == "P1"))
    assert institution_id is not None
    return institution_id


def _tool(w: World, institution_id: int | None = None) -> int:
    tool = LtiTool(
        institution_id=institution_id, name="Case simulator", client_id=f"matrix-{w.section_id()}",
        deployment_id="1", login_url=f"{TOOL}/login", launch_url=f"{TOOL}/launch",
        redirect_uris=[], jwks_url=f"{TOOL}/jwks", deep_linking_url=f"{TOOL}/pick",
        custom={}, scopes=[],
    )  # fmt: skip
    w.db.add(tool)
    w.db.flush()
    return tool.id


def _platform(w: World) -> dict[str, object]:
    platform = LtiPlatform(
        institution_id=_p1(w), name="P1 Moodle", issuer="https://moodle.p1.example.org",
        client_id=f"agora-{w.section_id()}", deployment_ids=["1"],
        auth_login_url="https://moodle.p1.example.org/auth",
        auth_token_url="https://moodle.p1.example.org/token",
        jwks_url="https://moodle.p1.example.org/jwks",
    )  # fmt: skip
    w.db.add(platform)
    w.db.flush()
    return {"platform_id": platform.id}


def _with_our_key(w: World) -> None:
    """Our LTI key exists before the launch, as after the first one (a launch makes it on
    first need)."""
    signing.current_key(w.db, w.settings, keys.ALGORITHM)


def _lti_module(w: World) -> dict[str, object]:
    _with_our_key(w)
    placed = PlacementCreate(section_id=w.section_id(), title="Simulation")
    link, _ = links.place(w.db, SYSTEM, w.settings, _tool(w), placed)
    return {"module_id": link.module_id}


def _deep_linking(w: World) -> dict[str, object]:
    _with_our_key(w)
    return {"section_id": w.section_id(), "tool_id": _tool(w)}


def _new_tool(w: World) -> dict[str, object]:
    form = {"name": "T", "institution_id": str(_p1(w)), "login_url": f"{TOOL}/login",
            "launch_url": f"{TOOL}/launch", "jwks_url": f"{TOOL}/jwks"}  # fmt: skip
    return {"data": form}


def _new_platform(w: World) -> dict[str, object]:
    form = {"name": "P", "institution_id": str(_p1(w)), "issuer": "https://lms.p1.example.org",
            "client_id": "agora", "deployment_ids": "1",
            "auth_login_url": "https://lms.p1.example.org/auth",
            "auth_token_url": "https://lms.p1.example.org/token",
            "jwks_url": "https://lms.p1.example.org/jwks"}  # fmt: skip
    return {"data": form}


def _course(w: World) -> dict[str, object]:
    return {"course_id": w.course.id, "item_id": 1}


page("GET", A, answers(LOGIN, 403, 403, 403, 200, 200))
page("POST", A + "/tools", answers(LOGIN, 403, 403, 403, 303, 404), _new_tool)
page("GET", A + "/tools/{tool_id}", answers(LOGIN, 403, 403, 403, 200, 404),
     lambda w: {"tool_id": _tool(w, _p1(w))})  # fmt: skip
page("POST", A + "/tools/{tool_id}/delete", answers(LOGIN, 403, 403, 403, 303, 404),
     lambda w: {"tool_id": _tool(w, _p1(w))})  # fmt: skip
page("POST", A + "/platforms", answers(LOGIN, 403, 403, 403, 303, 404), _new_platform)
page("GET", A + "/platforms/{platform_id}", answers(LOGIN, 403, 403, 403, 200, 404), _platform)
page("POST", A + "/platforms/{platform_id}/delete", answers(LOGIN, 403, 403, 403, 303, 404),
     _platform)  # fmt: skip

page("GET", "/lti/jwks.json", everyone(200))
page("GET", "/lti/modules/{module_id:int}/launch", answers(LOGIN, 404, 302, 302, 302, 404),
     _lti_module)  # fmt: skip
page("GET", "/lti/sections/{section_id:int}/tools", answers(LOGIN, 404, 403, 200, 200, 404),
     lambda w: {"section_id": w.section_id()})  # fmt: skip
page("GET", "/lti/sections/{section_id:int}/tools/{tool_id:int}/deep-linking",
     answers(LOGIN, 404, 403, 302, 302, 404),
     _deep_linking)  # fmt: skip
page("GET", "/lti/authorize", everyone(400))
page("POST", "/lti/authorize", everyone(400))
page("POST", "/lti/deep-linking/return", everyone(400))
page("POST", "/lti/token", everyone(400))
page("GET", AGS, everyone(401), _course)
page("POST", AGS, everyone(401), _course)
page("GET", ITEM, everyone(401), _course)
page("PUT", ITEM, everyone(401), _course)
page("DELETE", ITEM, everyone(401), _course)
page("POST", ITEM + "/scores", everyone(401), _course)
page("GET", ITEM + "/results", everyone(401), _course)
page("GET", "/lti/nrps/courses/{course_id:int}/memberships", everyone(401), _course)
page(
    "POST",
    "/lti/sections/{section_id:int}/tools/{tool_id:int}/placements",
    answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"section_id": w.section_id(), "tool_id": _tool(w), "data": {"title": "Sim"}},
)

"""External LTI tools (Agora as a platform) over the API: a partner system with `lti:manage`
and the platform managers register P77's (one without the scope nothing, 403); people without
a management role may not (403); the partner and the manager of another institution are told a
tool of P77 does not exist (404) and see empty lists. A platform-wide tool is placed in the
course by its editors, the teacher and the managers, as any module is added: the tutor, the
student and partner systems may not (403); a student elsewhere, a client without the courses
scope and those of another institution are told the course's section does not exist (404)."""

import itertools

from app.lti.platform_models import LtiTool
from tests.test_permission_matrix import World, register

LIST = "401 | 403 403 403 403 | 200 200 | 200 403 | 200 200"
CREATE = "401 | 403 403 403 403 | 201 201 | 201 403 | 404 404"
ONE = "401 | 403 403 403 403 | 200 200 | 200 403 | 404 404"
GONE = "401 | 403 403 403 403 | 204 204 | 204 403 | 404 404"
PLACE = "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404"
T = "/api/v1/lti/tools"
TOOL = "https://tool.example.org"
BODY = {
    "name": "Case simulator",
    "login_url": f"{TOOL}/login",
    "launch_url": f"{TOOL}/launch",
    "jwks_url": f"{TOOL}/jwks",
}
_made = itertools.count(1)


def _tool(w: World, institution_id: int | None) -> int:
    tool = LtiTool(
        institution_id=institution_id, client_id=f"matrix-tool-{next(_made)}",
        deployment_id="1", redirect_uris=[], custom={}, scopes=[], **BODY,
    )  # fmt: skip
    w.db.add(tool)
    w.db.flush()
    return tool.id


def _one(w: World) -> dict[str, object]:
    return {"tool_id": _tool(w, w.institution_id)}


def _placement(w: World) -> dict[str, object]:
    body = {"section_id": w.fresh_section(), "title": "Simulation"}
    return {"tool_id": _tool(w, None), "json": body}


register("get", T, LIST, lambda w: {})
register("post", T, CREATE, lambda w: {"json": {**BODY, "institution_id": w.institution_id}})
register("get", T + "/{tool_id}", ONE, _one)
register("patch", T + "/{tool_id}", ONE, lambda w: {**_one(w), "json": {"name": "N"}})
register("delete", T + "/{tool_id}", GONE, _one)
register("post", T + "/{tool_id}/placements", PLACE, _placement)

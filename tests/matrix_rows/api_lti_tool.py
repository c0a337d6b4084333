"""LTI platform registrations (Agora as a tool) over the API: a partner system with
`lti:manage` and the platform managers manage P77's (one without the scope nothing, 403);
people without a management role may not (403); the partner and the manager of another
institution are told a registration of P77 does not exist (404), and see empty lists."""

import itertools

from app.lti.tool_models import LtiPlatform
from tests.test_permission_matrix import World, register

LIST = "401 | 403 403 403 403 | 200 200 | 200 403 | 200 200"
CREATE = "401 | 403 403 403 403 | 201 201 | 201 403 | 404 404"
ONE = "401 | 403 403 403 403 | 200 200 | 200 403 | 404 404"
GONE = "401 | 403 403 403 403 | 204 204 | 204 403 | 404 404"
P = "/api/v1/lti/platforms"
BODY = {
    "name": "Partner Moodle",
    "issuer": "https://moodle.p77.example.org",
    "client_id": "agora",
    "deployment_ids": ["1"],
    "auth_login_url": "https://moodle.p77.example.org/mod/lti/auth.php",
    "auth_token_url": "https://moodle.p77.example.org/mod/lti/token.php",
    "jwks_url": "https://moodle.p77.example.org/mod/lti/certs.php",
}
_made = itertools.count(1)


def _one(w: World) -> dict[str, object]:
    platform = LtiPlatform(
        institution_id=w.institution_id, **{**BODY, "client_id": f"existing-{next(_made)}"}
    )
    w.db.add(platform)
    w.db.flush()
    return {"platform_id": platform.id}


register("get", P, LIST, lambda w: {})
register(
    "post",
    P,
    CREATE,
    lambda w: {
        "json": {**BODY, "client_id": f"new-{next(_made)}", "institution_id": w.institution_id}
    },
)
register("get", P + "/{platform_id}", ONE, _one)
register("patch", P + "/{platform_id}", ONE, lambda w: {**_one(w), "json": {"name": "N"}})
register("delete", P + "/{platform_id}", GONE, _one)

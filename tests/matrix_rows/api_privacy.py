"""Personal data over the API. Every person exports their own data (200) and asks for their
own erasure (201), the manager of another institution too; partner systems are no person and
are told so (404).

For the rows on someone else's data, the platform's manager and the manager of another
institution are made privacy officers; the admin is not. The person is a fresh learner of the
course's institution:

- their export and their erasure (confirmed with their address) are the platform manager's,
  an officer who reaches everyone (200); the admin, who may see them but holds no grant, and
  the partner client with `users:read`, which sees its institution's people, are refused
  (403 `not_a_privacy_officer`); the officer of another institution does not reach them, and
  nobody else may know of them (404);
- the erasure requests are read by the officers (200; the officer of another institution sees
  its own people's), refused to everyone else (403);
- every manager reads who the officers are (200); only the admin names an institution
  manager of the course's institution an officer (200) or withdraws a fresh officer's grant
  (204); everyone else is refused (403)."""

from tests.privacy import matrix_world as p
from tests.test_permission_matrix import MAN, register

EVERY_PERSON = "401 | {0} {0} {0} {0} | {0} {0} | 404 404 | 404 {0}"
OFFICERS_ONLY = "401 | 404 404 404 404 | 200 403 | 403 404 | 404 404"
ADMINS_ONLY = "401 | 403 403 403 403 | 403 {0} | 403 403 | 403 403"
MOI = "moi@example.org"


def _officers(w: p.World) -> None:
    p.name_officers(w, MAN, emails=(MOI,))


def _person(w: p.World) -> dict[str, object]:
    _officers(w)
    person = p.learner(w, "P77")
    return {"user_id": person.id, "json": {"confirm_email": person.email}}


def _listed(w: p.World) -> dict[str, object]:
    _officers(w)
    p.learner(w, "P77")
    return {}


register("get", "/api/v1/me/personal-data", EVERY_PERSON.format(200), lambda w: {})
register("post", "/api/v1/me/erasure-request", EVERY_PERSON.format(201),
         lambda w: {"json": {"reason": "I left the programme."}})  # fmt: skip
register("get", "/api/v1/users/{user_id}/personal-data", OFFICERS_ONLY, _person)
register("post", "/api/v1/users/{user_id}/erasure", OFFICERS_ONLY, _person)
register("get", "/api/v1/erasure-requests",
         "401 | 403 403 403 403 | 200 403 | 403 403 | 403 200", _listed)  # fmt: skip
register("get", "/api/v1/privacy-officers",
         "401 | 403 403 403 403 | 200 200 | 403 403 | 403 200", lambda w: {})  # fmt: skip
register("put", "/api/v1/privacy-officers/{user_id}", ADMINS_ONLY.format(200),
         lambda w: {"user_id": p.manager(w, "P77").id})  # fmt: skip
register("delete", "/api/v1/privacy-officers/{user_id}", ADMINS_ONLY.format(204),
         lambda w: {"user_id": p.officer(w, "P77").id})  # fmt: skip

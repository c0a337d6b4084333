"""Programme rules and progress over the API: a learner's progress is read by the learner,
registrars and the partner system (`credits:read`) of the learner's institution, everyone else
is told the learner does not exist; a programme's rules are read by anyone signed in with
`credits:read` and replaced by its registrars only (people, never partner systems)."""

from tests.test_permission_matrix import World, register

LEARNER = "401 | 404 404 404 404 | 200 200 | 200 403 | 404 404"


def _victim_in_programme(w: World) -> dict[str, object]:
    return {"user_id": w.victim_id, "code": "HS-CERT"}


register("get", "/api/v1/users/{user_id}/programmes/{code}/progress", LEARNER, _victim_in_programme)
register("get", "/api/v1/users/{user_id}/progress", LEARNER, lambda w: {"user_id": w.victim_id})
register(
    "get", "/api/v1/programmes/{code}/rules",
    "401 | 200 200 200 200 | 200 200 | 200 403 | 200 200",
    lambda w: {"code": "HS-CERT"},
)  # fmt: skip
register(
    "put", "/api/v1/programmes/{code}/rules",
    "401 | 403 403 403 403 | 200 200 | 403 403 | 403 403",
    lambda w: {"code": "HS-CERT", "json": {"semesters": 2}},
)  # fmt: skip

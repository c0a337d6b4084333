"""Reports to funders over the API. The matrix's project is run by the platform and names no
programme, so no institution manager reads it: only coordinators (the platform's manager and
admin) know it (404 for everyone else, partner systems included). Everyone signed in lists
the projects they read (200, empty for most); making one is for coordinators (403)."""

from tests.reporting import project_world as r
from tests.test_permission_matrix import register

COORDINATORS = "401 | 404 404 404 404 | {0} {0} | 404 404 | 404 404"
P = "/api/v1/reports/projects"


def _code(w: r.World) -> dict[str, object]:
    return {"code": r.project(w)}


register("get", P, "401 | 200 200 200 200 | 200 200 | 200 200 | 200 200", lambda w: {})
register(
    "post", P, "401 | 403 403 403 403 | 201 201 | 403 403 | 403 403",
    lambda w: {"json": {"code": r.fresh_code(), "name": "New", "starts_on": "2026-09-01"}},
)  # fmt: skip
register("get", P + "/{code}", COORDINATORS.format(200), _code)
register(
    "patch",
    P + "/{code}",
    COORDINATORS.format(200),
    lambda w: {**_code(w), "json": {"name": "Renamed"}},
)
register("delete", P + "/{code}", COORDINATORS.format(204), _code)
register("get", P + "/{code}/dashboard", COORDINATORS.format(200), _code)
register("get", P + "/{code}/export.csv", COORDINATORS.format(200), _code)
register("get", P + "/{code}/export.xlsx", COORDINATORS.format(200), _code)
register("get", P + "/{code}/targets", COORDINATORS.format(200), _code)
register(
    "post", P + "/{code}/targets", COORDINATORS.format(201),
    lambda w: {**_code(w), "json": {"indicator": "enrolled", "value": 5,
                                    "counts_from": "2026-09-01", "due_on": "2027-06-30"}},
)  # fmt: skip
register("delete", P + "/{code}/targets/{target_id}", COORDINATORS.format(204), r.target)
register("get", P + "/{code}/readers", COORDINATORS.format(200), _code)
register(
    "post", P + "/{code}/readers", COORDINATORS.format(201),
    lambda w: {**_code(w), "json": {"email": r.someone(w), "role": "funder"}},
)  # fmt: skip
register("delete", P + "/{code}/readers/{reader_id}", COORDINATORS.format(204), r.reader)

"""Reporting pages. The matrix's project is run by the platform and names no programme: the
platform's manager reads and runs it (200, or 303 after a form); for everyone else it does
not exist (404). Everyone signed in has the list of the projects they read; the new-project
form is the coordinators' (403 for the others)."""

from tests.reporting import project_world as r
from tests.test_page_permission_matrix import LOGIN, answers, page, signed_in

MANAGER = answers(LOGIN, 404, 404, 404, 200, 404)
DONE = answers(LOGIN, 404, 404, 404, 303, 404)
R = "/reports/{code}"


def _code(w: r.World) -> dict[str, object]:
    return {"code": r.project(w)}


page("GET", "/reports", signed_in(200))
page("GET", "/reports/new", answers(LOGIN, 403, 403, 403, 200, 403))
page(
    "POST", "/reports/new", answers(LOGIN, 403, 403, 403, 303, 403),
    lambda w: {"data": {"code": r.fresh_code(), "name": "New", "starts_on": "2026-09-01"}},
)  # fmt: skip
page("GET", R, MANAGER, _code)
page("GET", R + "/export.csv", MANAGER, _code)
page("GET", R + "/export.xlsx", MANAGER, _code)
page("GET", R + "/manage", MANAGER, _code)
page("POST", R + "/manage", DONE, lambda w: {**_code(w), "data": {"name": "Renamed"}})
page(
    "POST", R + "/targets", DONE,
    lambda w: {**_code(w), "data": {"indicator": "enrolled", "value": "5",
                                    "counts_from": "2026-09-01", "due_on": "2027-06-30"}},
)  # fmt: skip
page("POST", R + "/targets/{target_id}/delete", DONE, r.target)
page(
    "POST",
    R + "/readers",
    DONE,
    lambda w: {**_code(w), "data": {"email": r.someone(w), "role": "funder"}},
)
page("POST", R + "/readers/{reader_id}/delete", DONE, r.reader)

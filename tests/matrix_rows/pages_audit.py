"""The audit trail's page and its CSV export: the platform manager reads every entry, the
manager of another institution their institution's; anyone else signed in is refused (403),
as on every administration page."""

from tests.test_page_permission_matrix import LOGIN, answers, page

page("GET", "/admin/audit", answers(LOGIN, 403, 403, 403, 200, 200))
page(
    "GET",
    "/admin/audit.csv",
    answers(LOGIN, 403, 403, 403, 200, 200),
    lambda w: {"subject": "enrolment:"},
)

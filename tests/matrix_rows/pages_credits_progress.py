"""The programme rules page and its form: registrars of an awarding institution only (here the
platform's manager); people who see the programme but keep no records of it are refused (403),
and a refused form writes nothing."""

from tests.test_page_permission_matrix import LOGIN, page

READ = {"code": "HS-CERT"}
RULES = "/admin/programmes/{code}/rules"

page(
    "GET", RULES,
    {"anonymous": LOGIN, "signed in, not in the course": 403, "student": 403, "teacher": 403,
     "manager": 200, "manager of another institution": 403},
    lambda w: READ,
)  # fmt: skip
page(
    "POST", RULES,
    {"anonymous": LOGIN, "signed in, not in the course": 403, "student": 403, "teacher": 403,
     "manager": 303, "manager of another institution": 403},
    lambda w: {**READ, "data": {"semesters": "2"}},
)  # fmt: skip

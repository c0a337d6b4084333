"""Privacy pages. Every one is behind sign-in. Everyone signed in has their own privacy page,
downloads their own data and asks for their own erasure (303), the manager of another
institution too.

For the rows on the managers' pages, the platform's manager and the manager of another
institution are made privacy officers:

- the privacy page (who the officers are; an officer's requests and search) is every
  manager's (200) and no one else's (403);
- nobody here is a platform admin, so nobody names an officer or withdraws one (403; the
  admin's forms are in tests/privacy/test_officers.py);
- a fresh learner of the victim's institution has an erasure page, a download and an erasure
  form for the platform's manager, an officer who reaches everyone (200, 200, 303); the
  officer of another institution does not reach them, and nobody else may know of them (404).
  A manager without the grant is refused (403: tests/privacy/test_requests.py)."""

from tests.privacy import matrix_world as p
from tests.test_page_permission_matrix import FIM, LOGIN, MAN, answers, page, signed_in

MANAGERS = answers(LOGIN, 403, 403, 403, 200, 200)
NOBODY = answers(LOGIN, 403, 403, 403, 403, 403)
OFFICER_WHO_REACHES = answers(LOGIN, 404, 404, 404, 200, 404)


def _officers(w: p.World) -> dict[str, object]:
    p.name_officers(w, MAN, FIM)
    return {}


def _person(w: p.World) -> dict[str, object]:
    _officers(w)
    person = p.learner(w, "P1")
    return {"user_id": person.id, "data": {"confirm_email": person.email, "reason": "Asked"}}


page("GET", "/profile/personal-data", signed_in(200))
page("GET", "/profile/personal-data/export", signed_in(200))
page("POST", "/profile/personal-data/erasure-request", signed_in(303),
     lambda w: {"data": {"reason": "I left the programme."}})  # fmt: skip
page("GET", "/admin/privacy", MANAGERS, _officers)
page("POST", "/admin/privacy/officers", NOBODY,
     lambda w: {"data": {"email": p.manager(w, "P1").email}})  # fmt: skip
page("POST", "/admin/privacy/officers/{user_id}/withdraw", NOBODY,
     lambda w: {"user_id": p.officer(w, "P1").id})  # fmt: skip
page("GET", "/admin/privacy/people/{user_id}", OFFICER_WHO_REACHES, _person)
page("GET", "/admin/privacy/people/{user_id}/export", OFFICER_WHO_REACHES, _person)
page("POST", "/admin/privacy/people/{user_id}/erase",
     answers(LOGIN, 404, 404, 404, 303, 404), _person)  # fmt: skip

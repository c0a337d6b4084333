"""The double-degree pages: managers list the agreements of their institution (the platform's
manager all of them) and registrars of a party record and change them; an agreement is hidden
(404) from everyone who is not a manager of a party, and a manager of another institution may
not record one for institutions it does not belong to (403)."""

import itertools
from decimal import Decimal

from app.core.actors import SYSTEM
from app.courses.models import Programme, ProgrammeCourse, ProgrammeKind
from app.credits.degree_schemas import DoubleDegreeCreate
from app.credits.service import degrees
from tests.accounts.factories import make_institution
from tests.test_page_permission_matrix import LOGIN, World, answers, page

D = "/admin/credits/double-degrees"
_n = itertools.count(1)
WRITE = answers(LOGIN, 404, 404, 404, 303, 404)


def _partner_programme(w: World) -> tuple[str, str]:
    n = next(_n)
    partner = make_institution(w.db, f"DDP{n}", "FR")
    programme = Programme(
        code=f"DD-PG{n}", kind=ProgrammeKind.MASTER, title="Partner master", ects=Decimal(5)
    )
    programme.institutions = [partner]
    w.db.add(programme)
    w.db.flush()
    w.db.add(ProgrammeCourse(programme_id=programme.id, course_id=w.course.id))
    w.db.flush()
    return partner.code, programme.code


def _form(w: World) -> dict[str, object]:
    institution, programme = _partner_programme(w)
    return {"data": {
        "code": f"DDF-{next(_n)}", "title": "Double certificate",
        "institution_code": ["P1", institution], "programme_code": ["HS-CERT", programme],
        "degree_title": ["Certificate", "Master"],
    }}  # fmt: skip


def _agreement(w: World, *, shared: bool = False) -> int:
    institution, programme = _partner_programme(w)
    data = DoubleDegreeCreate.model_validate({
        "code": f"DDA-{next(_n)}", "title": "Double certificate",
        "parties": [
            {"institution_code": "P1", "programme_code": "HS-CERT", "degree_title": "Cert"},
            {"institution_code": institution, "programme_code": programme,
             "degree_title": "Master"},
        ],
        "shared_courses": [{"course_code": w.course.code}] if shared else [],
    })  # fmt: skip
    return degrees.create_agreement(w.db, SYSTEM, data).id


page("GET", D, answers(LOGIN, 403, 403, 403, 200, 200))
page("POST", D, answers(LOGIN, 403, 403, 403, 303, 403), _form)
page("GET", D + "/{agreement_id}", answers(LOGIN, 404, 404, 404, 200, 404),
     lambda w: {"agreement_id": _agreement(w)})  # fmt: skip
page("POST", D + "/{agreement_id}", WRITE,
     lambda w: {"agreement_id": _agreement(w), "data": {"title": "Renamed"}})  # fmt: skip
page("POST", D + "/{agreement_id}/courses", WRITE,
     lambda w: {"agreement_id": _agreement(w), "data": {"course_code": w.course.code}})  # fmt: skip
page(
    "POST", D + "/{agreement_id}/courses/{course_code}/remove", WRITE,
    lambda w: {"agreement_id": _agreement(w, shared=True), "course_code": w.course.code},
)  # fmt: skip
page("POST", D + "/{agreement_id}/delete", WRITE, lambda w: {"agreement_id": _agreement(w)})

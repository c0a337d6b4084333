"""Double-degree agreements over the API: managers and partner systems list them (each sees
those its institution is a party to) and read those of their institution with `credits:read`;
registrars of a party (people, never partner systems) record, change and remove them; a
learner's standing is read by whoever reads the learner's credits."""

import itertools
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Institution
from app.core.actors import SYSTEM
from app.courses.models import Programme, ProgrammeCourse, ProgrammeKind
from app.credits.degree_schemas import DoubleDegreeCreate
from app.credits.service import degrees
from tests.test_permission_matrix import World, register

D = "/api/v1/double-degrees"
_n = itertools.count(1)
READ = "401 | 404 404 404 404 | 200 200 | 200 403 | 404 404"
CHANGE = "401 | 404 404 404 404 | 200 200 | 403 403 | 404 404"
DELETE = "401 | 404 404 404 404 | 204 204 | 403 403 | 404 404"


def _body(w: World) -> dict[str, object]:
    """An agreement between the clients' institution (HS-CERT) and a fresh institution's
    programme, sharing the course."""
    n = next(_n)
    partner = w.db.scalar(select(Institution).where(Institution.code == w.fresh_institution()))
    assert partner is not None
    programme = Programme(
        code=f"DD-PR{n}", kind=ProgrammeKind.MASTER, title="Partner master", ects=Decimal(5)
    )
    programme.institutions = [partner]
    w.db.add(programme)
    w.db.flush()
    w.db.add(ProgrammeCourse(programme_id=programme.id, course_id=w.course.id))
    w.db.flush()
    return {
        "code": f"DD-{n}",
        "title": "Double certificate",
        "parties": [
            {"institution_code": "P77", "programme_code": "HS-CERT", "degree_title": "Cert"},
            {"institution_code": partner.code, "programme_code": programme.code,
             "degree_title": "Master"},
        ],
        "shared_courses": [{"course_code": w.course.code}],
    }  # fmt: skip


def _agreement(w: World) -> int:
    return degrees.create_agreement(w.db, SYSTEM, DoubleDegreeCreate.model_validate(_body(w))).id


register("get", D, "401 | 403 403 403 403 | 200 200 | 200 403 | 200 200", lambda w: {})
register(
    "post", D, "401 | 403 403 403 403 | 201 201 | 403 403 | 403 403",
    lambda w: {"json": _body(w)},
)  # fmt: skip
register("get", D + "/{agreement_id}", READ, lambda w: {"agreement_id": _agreement(w)})
register(
    "patch", D + "/{agreement_id}", CHANGE,
    lambda w: {"agreement_id": _agreement(w), "json": {"title": "Renamed"}},
)  # fmt: skip
register("delete", D + "/{agreement_id}", DELETE, lambda w: {"agreement_id": _agreement(w)})
register(
    "get", "/api/v1/users/{user_id}/double-degrees",
    "401 | 404 404 404 404 | 200 200 | 200 403 | 404 404",
    lambda w: {"user_id": w.victim_id},
)  # fmt: skip

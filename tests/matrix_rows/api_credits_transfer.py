"""Credit transfer over the API: a learning agreement of the victim (of P77, the clients'
institution) with a host institution none of the callers belongs to, and results from that
host. Coordinators write and decide as the home registrar (and may approve for the host); the
home partner system reads (`credits:read`) and posts results it received from a host, but
neither writes an agreement nor decides; one without the scopes is refused (403); people who
are not the learner and the institution P88 are told the learner does not exist (404)."""

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Institution
from app.core.actors import SYSTEM
from app.courses.models import Programme, ProgrammeCourse
from app.credits.service import agreements, transfer
from tests.accounts.factories import make_institution
from tests.test_permission_matrix import World, register

A = "/api/v1/learning-agreements"
R = "/api/v1/transfer-results"
_unique = itertools.count(1)
LIST = "401 | 200 200 200 200 | 200 200 | 200 403 | 200 200"
READ = "401 | 404 404 404 404 | 200 200 | 200 403 | 404 404"
CREATE = "401 | 404 404 404 404 | 201 201 | 403 403 | 404 404"
CHANGE = "401 | 404 404 404 404 | 200 200 | 403 403 | 404 404"


def _host(w: World) -> Institution:
    code = "XFER-HOST"
    return w.db.scalar(select(Institution).where(Institution.code == code)) or make_institution(
        w.db, code, "KZ"
    )


def _programme(w: World) -> Programme:
    programme = w.db.scalars(select(Programme).where(Programme.code == "HS-CERT")).one()
    if (
        w.db.scalar(
            select(ProgrammeCourse.id).where(
                ProgrammeCourse.course_id == w.course.id,
                ProgrammeCourse.programme_id == programme.id,
            )
        )
        is None
    ):
        w.db.add(ProgrammeCourse(programme_id=programme.id, course_id=w.course.id))
        w.db.flush()
    return programme


def _new(w: World) -> dict[str, object]:
    return {
        "learner_id": w.victim_id,
        "host_institution_id": _host(w).id,
        "programme_id": _programme(w).id,
        "period_from": "2026-09-01",
        "period_to": "2027-01-31",
    }


def _draft(w: World) -> int:
    draft = agreements.AgreementDraft(
        learner_id=w.victim_id,
        host_institution_id=_host(w).id,
        programme_id=_programme(w).id,
        period_from=date(2026, 9, 1),
        period_to=date(2027, 1, 31),
    )
    agreement = agreements.create(w.db, SYSTEM, draft)
    agreements.add_line(
        w.db,
        SYSTEM,
        agreement.id,
        agreements.LineDraft("HOST-1", "Patient safety", Decimal(5), w.course.id),
    )
    return agreement.id


def _proposed(w: World) -> int:
    agreement_id = _draft(w)
    agreements.propose(w.db, SYSTEM, agreement_id)
    return agreement_id


def _line(w: World) -> dict[str, object]:
    agreement_id = _draft(w)
    line = agreements.get_agreement(w.db, SYSTEM, agreement_id).lines[0]
    return {"agreement_id": agreement_id, "line_id": line.id}


def _result_body(w: World) -> dict[str, object]:
    return {
        "learner_id": w.victim_id,
        "host_institution_id": _host(w).id,
        "host_course_code": f"HOST-{next(_unique)}",
        "title": "Patient safety",
        "credits": "5",
        "grade": "4",
        "scale_code": "ru-5",
        "completed_on": "2027-01-20",
    }


def _pending(w: World) -> int:
    result = transfer.HostResult(
        learner_id=w.victim_id,
        host_institution_id=_host(w).id,
        host_course_code=f"HOST-{next(_unique)}",
        title="Patient safety",
        credits=Decimal(5),
        grade="4",
        scale_code="ru-5",
        isced_code=None,
        eqf_level=None,
        completed_on=date(2027, 1, 20),
        via="api",
    )
    return transfer.receive_result(w.db, SYSTEM, result).id


register("get", A, LIST, lambda w: {})
register("post", A, CREATE, lambda w: {"json": _new(w)})
register("get", A + "/{agreement_id}", READ, lambda w: {"agreement_id": _proposed(w)})
register(
    "post", A + "/{agreement_id}/lines", CREATE,
    lambda w: {"agreement_id": _draft(w), "json": {
        "host_course_code": f"H-{next(_unique)}", "host_course_title": "Ethics",
        "host_credits": "3", "home_course_id": w.course.id}},
)  # fmt: skip
register(
    "delete", A + "/{agreement_id}/lines/{line_id}",
    "401 | 404 404 404 404 | 204 204 | 403 403 | 404 404", _line,
)  # fmt: skip
register("post", A + "/{agreement_id}/proposal", CHANGE, lambda w: {"agreement_id": _draft(w)})
register(
    "post", A + "/{agreement_id}/home-approval", CHANGE, lambda w: {"agreement_id": _proposed(w)}
)
register(
    "post", A + "/{agreement_id}/host-approval", CHANGE, lambda w: {"agreement_id": _proposed(w)}
)
register(
    "post", A + "/{agreement_id}/cancellation", CHANGE,
    lambda w: {"agreement_id": _proposed(w), "json": {"reason": "Mobility cancelled"}},
)  # fmt: skip
register(
    "post", A + "/{agreement_id}/revisions", CREATE,
    lambda w: {"agreement_id": _proposed(w), "json": {"reason": "Changed course"}},
)  # fmt: skip
register("get", R, LIST, lambda w: {})
register(
    "post",
    R,
    "401 | 404 404 404 404 | 201 201 | 201 403 | 404 404",
    lambda w: {"json": _result_body(w)},
)
register("get", R + "/{result_id}", READ, lambda w: {"result_id": _pending(w)})
register(
    "post", R + "/{result_id}/decision", CHANGE,
    lambda w: {"result_id": _pending(w), "json": {"action": "refuse", "reason": "No agreement"}},
)  # fmt: skip

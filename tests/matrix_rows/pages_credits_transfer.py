"""The transfer pages: the registrars' desk (`/admin/credits/agreements`, `/admin/credits/
transfers`) is for managers (403 for anyone else); another institution's manager lists only
what it reaches and is told the victim's agreement and results do not exist (404), and that no
learner of that email is within its reach (400). `/me/credits/agreements` is every signed-in
person's own; someone else's agreement is 404 there, the platform manager's included."""

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.courses.models import Programme, ProgrammeCourse
from app.credits.service import agreements, transfer
from tests.accounts.factories import make_institution
from tests.test_page_permission_matrix import LOGIN, World, answers, page, signed_in

DESK = "/admin/credits/agreements"
_unique = itertools.count(1)
LIST = answers(LOGIN, 403, 403, 403, 200, 200)
READ = answers(LOGIN, 403, 403, 403, 200, 404)
WRITE = answers(LOGIN, 403, 403, 403, 303, 404)
NOT_MINE = answers(LOGIN, 404, 404, 404, 404, 404)


def _host(w: World) -> Institution:
    code = "XFER-HOST"
    found = w.db.scalar(select(Institution).where(Institution.code == code))
    return found or make_institution(w.db, code, "KZ")


def _programme_id(w: World) -> int:
    programme = w.db.scalars(select(Programme).where(Programme.code == "HS-CERT")).one()
    linked = w.db.scalar(
        select(ProgrammeCourse.id).where(
            ProgrammeCourse.course_id == w.course.id, ProgrammeCourse.programme_id == programme.id
        )
    )
    if linked is None:
        w.db.add(ProgrammeCourse(programme_id=programme.id, course_id=w.course.id))
        w.db.flush()
    return programme.id


def _draft(w: World) -> int:
    draft = agreements.AgreementDraft(
        learner_id=w.victim_id, host_institution_id=_host(w).id, programme_id=_programme_id(w),
        period_from=date(2026, 9, 1), period_to=date(2027, 1, 31),
    )  # fmt: skip
    agreement = agreements.create(w.db, SYSTEM, draft)
    line = agreements.LineDraft("HOST-1", "Patient safety", Decimal(5), w.course.id)
    agreements.add_line(w.db, SYSTEM, agreement.id, line)
    return agreement.id


def _proposed(w: World) -> int:
    agreement_id = _draft(w)
    agreements.propose(w.db, SYSTEM, agreement_id)
    return agreement_id


def _line(w: World) -> dict[str, object]:
    agreement_id = _draft(w)
    line = agreements.get_agreement(w.db, SYSTEM, agreement_id).lines[0]
    return {"agreement_id": agreement_id, "line_id": line.id}


def _pending(w: World) -> int:
    result = transfer.HostResult(
        learner_id=w.victim_id, host_institution_id=_host(w).id,
        host_course_code=f"HOST-{next(_unique)}", title="Patient safety", credits=Decimal(5),
        grade="4", scale_code="ru-5", isced_code=None, eqf_level=None,
        completed_on=date(2027, 1, 20), via="api",
    )  # fmt: skip
    return transfer.receive_result(w.db, SYSTEM, result).id


def _new(w: World) -> dict[str, object]:
    victim = w.db.get_one(User, w.victim_id)
    return {"data": {
        "learner_email": victim.email, "host_institution_id": str(_host(w).id),
        "programme_id": str(_programme_id(w)), "period_from": "2026-09-01",
        "period_to": "2027-01-31",
    }}  # fmt: skip


A = DESK + "/{agreement_id}"
page("GET", DESK, LIST)
page("POST", DESK, answers(LOGIN, 403, 403, 403, 303, 400), _new)
page("GET", A, READ, lambda w: {"agreement_id": _proposed(w)})
page(
    "POST", A + "/lines", WRITE,
    lambda w: {"agreement_id": _draft(w), "data": {
        "host_course_code": f"H-{next(_unique)}", "host_course_title": "Ethics",
        "host_credits": "3", "home_course_id": str(w.course.id)}},
)  # fmt: skip
page("POST", A + "/lines/{line_id}/delete", WRITE, _line)
page("POST", A + "/proposal", WRITE, lambda w: {"agreement_id": _draft(w)})
page("POST", A + "/home-approval", WRITE, lambda w: {"agreement_id": _proposed(w)})
page("POST", A + "/host-approval", WRITE, lambda w: {"agreement_id": _proposed(w)})
page(
    "POST", A + "/cancellation", WRITE,
    lambda w: {"agreement_id": _proposed(w), "data": {"reason": "Mobility cancelled"}},
)  # fmt: skip
page(
    "POST", A + "/revisions", WRITE,
    lambda w: {"agreement_id": _proposed(w), "data": {"reason": "Course changed"}},
)  # fmt: skip
page("GET", "/admin/credits/transfers", LIST)
page(
    "POST", "/admin/credits/transfers/{result_id}/decision", WRITE,
    lambda w: {"result_id": _pending(w), "data": {"action": "refuse", "reason": "No agreement"}},
)  # fmt: skip
page("GET", "/me/credits/agreements", signed_in(200))
page("GET", "/me/credits/agreements/{agreement_id}", NOT_MINE,
     lambda w: {"agreement_id": _proposed(w)})  # fmt: skip
page("POST", "/me/credits/agreements/{agreement_id}/proposal", NOT_MINE,
     lambda w: {"agreement_id": _draft(w)})  # fmt: skip

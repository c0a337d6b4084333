"""The ledger pages: the registrars' desk is for managers (an institution manager's too, who
finds their own institution's learners only); a learner's ledger and its forms are for the
registrars who reach the learner, everyone else is told it does not exist; every signed-in
person reads their own credit history."""

from datetime import date
from decimal import Decimal

from app.core.actors import SYSTEM
from app.credits.models import EntrySource
from app.credits.service import ledger
from app.credits.service.ledger import AwardedGrade, Unit
from tests.test_page_permission_matrix import LOGIN, World, answers, page, signed_in

L = "/admin/learners/{user_id}/ledger"
READ = answers(LOGIN, 404, 404, 404, 200, 404)
WRITE = answers(LOGIN, 404, 404, 404, 303, 404)


def _entry(w: World) -> dict[str, object]:
    entry = ledger.append(
        w.db, SYSTEM, Unit(code="PX-1", title="Matrix unit", credits=Decimal(3)),
        AwardedGrade(grade="12", value=Decimal(12), scale_code="fr-20"), user_id=w.victim_id,
        source=EntrySource.RECOGNITION, source_id=None, on=date(2026, 10, 1),
    )  # fmt: skip
    return {"user_id": w.victim_id, "entry_id": entry.id}


page("GET", "/admin/credits", answers(LOGIN, 403, 403, 403, 200, 200))
page("GET", L, READ, lambda w: {"user_id": w.victim_id})
page(
    "POST", L + "/{entry_id}/correction", WRITE,
    lambda w: {**_entry(w), "data": {"credits": "2", "reason": "Matrix"}},
)  # fmt: skip
page(
    "POST", L + "/{entry_id}/revocation", WRITE,
    lambda w: {**_entry(w), "data": {"reason": "Matrix"}},
)  # fmt: skip
page("GET", "/me/credits/history", signed_in(200))

"""The credit ledger over the API: the learner, registrars who reach them and their
institution's partner system with `credits:read` read it (without the scope: 403); only
registrars correct and revoke (a partner system or the learner: 403); anyone else, a partner
or a manager of another institution included, is told the learner does not exist (404)."""

from datetime import date
from decimal import Decimal

from app.core.actors import SYSTEM
from app.credits.models import EntrySource
from app.credits.service import ledger
from app.credits.service.ledger import AwardedGrade, Unit
from tests.test_permission_matrix import World, register

READ = "401 | 404 404 404 404 | 200 200 | 200 403 | 404 404"
WRITE = "401 | 404 404 404 404 | 201 201 | 403 403 | 404 404"


def _entry(w: World) -> int:
    """A fresh entry in force of the victim's ledger, so each caller's write is a first one."""
    return ledger.append(
        w.db, SYSTEM, Unit(code="MX-1", title="Matrix unit", credits=Decimal(3)),
        AwardedGrade(grade="12", value=Decimal(12), scale_code="fr-20"), user_id=w.victim_id,
        source=EntrySource.RECOGNITION, source_id=None, on=date(2026, 10, 1),
    ).id  # fmt: skip


register("get", "/api/v1/users/{user_id}/credits", READ, lambda w: {"user_id": w.victim_id})
register("get", "/api/v1/users/{user_id}/credits/history", READ, lambda w: {"user_id": w.victim_id})
register(
    "post", "/api/v1/credit-entries/{entry_id}/corrections", WRITE,
    lambda w: {"entry_id": _entry(w), "json": {"credits": "2", "reason": "Matrix"}},
)  # fmt: skip
register(
    "post", "/api/v1/credit-entries/{entry_id}/revocations", WRITE,
    lambda w: {"entry_id": _entry(w), "json": {"reason": "Matrix"}},
)  # fmt: skip

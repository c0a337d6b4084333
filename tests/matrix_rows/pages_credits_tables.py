"""The registrars' grading scales and tables pages: managers open them and convert grades
(tables are published); only a registrar of the owner institution (P1 here) computes or
imports its tables, so another institution's manager is refused (403); a scale is added by
any manager (an institution manager's belongs to their institution); nobody else opens
them (403)."""

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Institution
from app.core.actors import SYSTEM
from app.credits.models import EntrySource
from app.credits.service import ledger, table_import
from app.credits.service.ledger import AwardedGrade, Unit
from app.credits.tables_schemas import TableImport
from app.grades.service.scales import load_scales
from app.seed import SEED_DIR
from tests.test_page_permission_matrix import LOGIN, World, answers, page

PAGE = "/admin/credits/tables"
_n = itertools.count(1)
READ = answers(LOGIN, 403, 403, 403, 200, 200)
KEEP = answers(LOGIN, 403, 403, 403, 303, 403)
SCOPE = {"isced_code": "0413", "eqf_level": "7", "period_from": "2024-09-01",
         "period_to": "2026-08-31"}  # fmt: skip


def _p1(w: World) -> int:
    load_scales(w.db, SEED_DIR)
    institution_id = w.db.scalar(select(Institution.id).where(Institution.code == "P1"))
    assert institution_id is not None
    return institution_id


def _compute(w: World) -> dict[str, object]:
    owner = _p1(w)
    number = next(_n)
    unit = Unit(f"PMX-{number}", "Health management", Decimal(5),
                institution_id=owner, isced_code="0413", eqf_level=7)  # fmt: skip
    ledger.append(
        w.db, SYSTEM, unit, AwardedGrade(grade="4", value=Decimal(4), scale_code="ru-5"),
        user_id=w.victim_id, source=EntrySource.COURSE_RESULT, source_id=number,
        on=date(2025, 6, 30),
    )  # fmt: skip
    return {"data": {"owner_institution_id": str(owner), "scale_code": "ru-5", **SCOPE}}


def _import(w: World) -> dict[str, object]:
    data = {"owner_institution_id": str(_p1(w)), "scale_code": "kz-letter", **SCOPE}
    return {"data": data, "files": {"file": ("table.csv", b"grade,count\nA,3\nB,7\n")}}


def _convert(w: World) -> dict[str, object]:
    body = {"owner_institution_id": _p1(w), "scale_code": "kz-letter", **SCOPE,
            "rows": [{"grade": "A", "count": 1}]}  # fmt: skip
    table = table_import.import_table(w.db, SYSTEM, TableImport.model_validate(body)).id
    return {"data": {"source_table_id": str(table), "target_table_id": str(table), "grade": "A"}}


def _scale(w: World) -> dict[str, object]:
    levels = "F, 0, 0\nP, 1, 50, pass"
    return {"data": {"code": f"pm-{next(_n)}", "name": "Pass or fail", "levels": levels}}


page("GET", PAGE, READ)
page("POST", PAGE + "/compute", KEEP, _compute)
page("POST", PAGE + "/import", KEEP, _import)
page("POST", PAGE + "/convert", READ, _convert)
page("GET", "/admin/credits/scales", READ)
page("POST", "/admin/credits/scales", answers(LOGIN, 403, 403, 403, 303, 303), _scale)

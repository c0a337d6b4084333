"""The ECTS grading tables over the API: published, so everybody signed in and every partner
system with `credits:read` reads them and converts by them (one without the scope may not,
403); only registrars of the owner institution (P77 here) compute or import them: another
institution's manager and every partner system are refused (403)."""

import itertools
from datetime import date
from decimal import Decimal

from app.core.actors import SYSTEM
from app.credits.models import EntrySource
from app.credits.service import ledger, table_import
from app.credits.service.ledger import AwardedGrade, Unit
from app.credits.tables_schemas import TableImport
from app.grades.service.scales import load_scales
from app.seed import SEED_DIR
from tests.test_permission_matrix import World, register

API = "/api/v1/grading-tables"
_units = itertools.count(1)
READ = "401 | 200 200 200 200 | 200 200 | 200 403 | 200 200"
WRITE = "401 | 403 403 403 403 | 201 201 | 403 403 | 403 403"
SCOPE = {"isced_code": "0413", "eqf_level": 7, "period_from": "2024-09-01",
         "period_to": "2026-08-31"}  # fmt: skip
ROWS = [{"grade": "A", "percent": "40"}, {"grade": "B", "percent": "60"}]


def _passing_grades(w: World) -> dict[str, object]:
    """Two of the owner's learners passed a course of the group on ru-5."""
    load_scales(w.db, SEED_DIR)
    for grade in ("5", "4"):
        number = next(_units)
        unit = Unit(f"MX-{number}", "Health management", Decimal(5),
                    institution_id=w.institution_id, isced_code="0413", eqf_level=7)  # fmt: skip
        ledger.append(
            w.db, SYSTEM, unit, AwardedGrade(grade=grade, value=Decimal(grade), scale_code="ru-5"),
            user_id=w.fresh_user(), source=EntrySource.COURSE_RESULT, source_id=number,
            on=date(2025, 6, 30),
        )  # fmt: skip
    return {"json": {"owner_institution_id": w.institution_id, "scale_code": "ru-5", **SCOPE}}


def _table(w: World) -> int:
    load_scales(w.db, SEED_DIR)
    body = {"owner_institution_id": w.institution_id, "scale_code": "kz-letter", **SCOPE,
            "rows": ROWS}  # fmt: skip
    return table_import.import_table(w.db, SYSTEM, TableImport.model_validate(body)).id


def _import(w: World) -> dict[str, object]:
    load_scales(w.db, SEED_DIR)
    body = {"owner_institution_id": w.institution_id, "scale_code": "kz-letter", **SCOPE}
    return {"json": {**body, "rows": ROWS}}


def _conversion(w: World) -> dict[str, object]:
    table = _table(w)
    return {"json": {"source_table_id": table, "target_table_id": table, "grade": "B"}}


register("get", API, READ, lambda w: {})
register("get", API + "/{table_id}", READ, lambda w: {"table_id": _table(w)})
register("post", API + "/compute", WRITE, _passing_grades)
register("post", API, WRITE, _import)
register("post", API + "/convert", READ, _conversion)

"""Credits seed: ECTS grading tables. Computing one needs two academic years of results, which
a fresh platform does not have, so the tables of the LMQS Master's reference group (ISCED-F
0413, EQF 7) are seeded as imported: ours on the Russian 5-point scale (owner P12), and the
Kazakh partner P5's on its letter scale and on the Russian scale, with realistic
distributions of 2023–25, so that a seeded transfer converts by the tables. Each table is
loaded once (an owner, group and scale that has a table is left as it is)."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.credits.service import table_import, tables
from app.credits.tables_schemas import TableImport
from app.grades.service.scales import scale_by_code

ISCED_CODE, EQF_LEVEL = "0413", 7
GROUP = {"isced_code": ISCED_CODE, "eqf_level": EQF_LEVEL}
PERIOD = {"period_from": "2023-09-01", "period_to": "2025-08-31"}
# (owner, scale, passing grades best first with how many received them)
TABLES: tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...] = (
    ("P12", "ru-5", (("5", 112), ("4", 241), ("3", 147))),
    ("P5", "ru-5", (("5", 95), ("4", 198), ("3", 107))),
    (
        "P5",
        "kz-letter",
        (
            ("A", 38),
            ("A-", 61),
            ("B+", 84),
            ("B", 97),
            ("B-", 72),
            ("C+", 55),
            ("C", 41),
            ("C-", 26),
            ("D+", 15),
            ("D", 11),
        ),
    ),
)


def seed(session: Session, _settings: Settings, _seed_dir: Path, *, demo: bool) -> None:
    """The imported tables whose owner and scale exist and that are not there yet."""
    del demo  # the tables are reference data, loaded with or without the demo
    for owner_code, scale_code, rows in TABLES:
        owner = session.scalar(select(Institution.id).where(Institution.code == owner_code))
        if owner is None or scale_by_code(session, scale_code) is None:
            continue
        if tables.in_force(session, owner, ISCED_CODE, EQF_LEVEL, scale_code) is not None:
            continue
        body = {"owner_institution_id": owner, "scale_code": scale_code, **GROUP, **PERIOD,
                "rows": [{"grade": grade, "count": count} for grade, count in rows]}  # fmt: skip
        table_import.import_table(session, SYSTEM, TableImport.model_validate(body))

"""The seeded grading tables: the LMQS Master group's tables of P12 and of the Kazakh partner
P5, loaded once, by which a P5 grade converts to ours."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.credits.models import GradingTable, TableSource
from app.credits.service import tables
from app.credits_seed import tables as tables_seed
from app.grades.service.scales import load_scales
from app.seed import SEED_DIR, load_institutions


def test_the_seed_imports_the_partner_tables_once(db: Session, settings: Settings) -> None:
    load_institutions(db, SEED_DIR)
    load_scales(db, SEED_DIR)
    tables_seed.seed(db, settings, SEED_DIR, demo=False)
    tables_seed.seed(db, settings, SEED_DIR, demo=False)
    assert db.scalar(select(func.count(GradingTable.id))) == 3
    p12, p5_ru, p5_kz = db.scalars(select(GradingTable).order_by(GradingTable.id)).all()
    assert {p12.source, p5_ru.source, p5_kz.source} == {TableSource.IMPORTED}
    home = tables.in_force(db, p12.owner_institution_id, "0413", 7, "ru-5")
    host = tables.in_force(db, p5_kz.owner_institution_id, "0413", 7, "kz-letter")
    host_on_ours = tables.in_force(db, p5_ru.owner_institution_id, "0413", 7, "ru-5")
    assert home is not None
    assert host is not None
    assert host_on_ours is not None
    assert home.rows[-1].cumulative == host.rows[-1].cumulative == 100
    # B+ on the Kazakh table spans 19.80–36.60 %, midpoint 28.2, within our "4" (22.40–70.60).
    assert tables.convert_grade(db, host, home, "B+").grade == "4"
    assert tables.convert_grade(db, host_on_ours, home, "хорошо").grade == "4"

"""Credits seed: the LMQS programmes' credit rules (`courses_seed/credits/rules.yaml`), through
the rules service. A programme that already has rules, or that the seed did not load, is left
as it is."""

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Programme
from app.credits.progress_schemas import RulesWrite
from app.credits.rules_models import ProgrammeRules
from app.credits.service import rules


def seed(session: Session, settings: Settings, seed_dir: Path, *, demo: bool) -> None:
    """Each programme's semesters, elective groups and compensation units, once."""
    del settings, demo  # the rules are the same with or without the demo data
    path = seed_dir / "credits" / "rules.yaml"
    if not path.exists():
        return
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["programmes"]:
        code = entry.pop("code")
        programme_id = session.scalar(select(Programme.id).where(Programme.code == code))
        if programme_id is None:
            continue
        if session.scalar(
            select(ProgrammeRules.id).where(ProgrammeRules.programme_id == programme_id)
        ):
            continue
        rules.replace_rules(session, SYSTEM, code, RulesWrite.model_validate(entry))

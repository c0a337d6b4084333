"""Credits seed, double degrees (always): the agreements of `courses_seed/credits/degrees.yaml`
(the LMQS Master awarded by P12 Peoples' Friendship University and, as a Master in quality
management, by P18 Université Côte d'Azur), recorded through the credits service. An agreement
whose code exists is left as it is."""

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.credits.degree_models import DoubleDegree
from app.credits.degree_schemas import DoubleDegreeCreate
from app.credits.service import degrees


def seed(session: Session, _settings: Settings, seed_dir: Path, *, demo: bool) -> None:  # noqa: ARG001
    """Record the seed's double-degree agreements that do not exist yet."""
    path = seed_dir / "credits" / "degrees.yaml"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle).get("double_degrees", [])
    existing = set(session.scalars(select(DoubleDegree.code)))
    for entry in entries:
        if entry["code"] not in existing:
            degrees.create_agreement(session, SYSTEM, DoubleDegreeCreate.model_validate(entry))

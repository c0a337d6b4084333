"""Reporting seed: the funded projects of the source articles and their targets
(`courses_seed/reporting.yaml`), through the reporting service. A project that exists is
left as it is."""

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.reporting.models import ReportingProject
from app.reporting.schemas import ProjectCreate, TargetCreate
from app.reporting.service import projects
from app.seed import read_yaml


def _project(session: Session, entry: dict[str, Any]) -> None:
    targets = entry.pop("targets", [])
    projects.create_project(session, SYSTEM, ProjectCreate.model_validate(entry))
    for target in targets:
        projects.add_target(session, SYSTEM, entry["code"], TargetCreate.model_validate(target))


def load_reporting(session: Session, seed_dir: Path) -> int:
    """The projects created (those whose programmes are all in the seed)."""
    path = seed_dir / "reporting.yaml"
    if not path.exists():
        return 0
    existing = set(session.scalars(select(ReportingProject.code)))
    created = 0
    for entry in read_yaml(path)["projects"]:
        if entry["code"] not in existing:
            _project(session, dict(entry))
            created += 1
    return created

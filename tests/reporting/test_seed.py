"""The seeded projects: the articles' funders and targets, loaded once."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import cli, seed
from app.reporting.models import ReportingProject, ReportTarget


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(seed, "VAR_DIR", tmp_path)
    return tmp_path


def _targets(db: Session) -> dict[str, list[tuple[str, str | None, int]]]:
    found: dict[str, list[tuple[str, str | None, int]]] = {}
    rows = db.execute(
        select(
            ReportingProject.code, ReportTarget.indicator, ReportTarget.country, ReportTarget.value
        )
        .join(ReportTarget, ReportTarget.project_id == ReportingProject.id)
        .order_by(ReportingProject.code, ReportTarget.id)
    )
    for code, indicator, country, value in rows:
        found.setdefault(code, []).append((indicator.value, country, int(value)))
    return found


@pytest.mark.usefixtures("connection", "var_dir")
def test_the_funded_projects_are_seeded_with_their_targets_once(db: Session) -> None:
    assert cli.main(["seed"]) == 0
    assert cli.main(["seed"]) == 0

    targets = _targets(db)
    assert sorted(targets) == ["LMQS", "MBA-TSM", "MPHM", "RES-WS"]
    assert ("refugee_share", None, 5) in targets["LMQS"]
    assert [t for t in targets["LMQS"] if t[0] == "professionals_trained"] == [
        ("professionals_trained", country, 50) for country in ("RU", "KZ", "AZ")
    ]
    assert targets["MPHM"] == [("scholarships", None, 6)]
    assert targets["MBA-TSM"] == [("enrolled", None, 40), ("contact_hours", None, 160)]
    assert targets["RES-WS"] == [("completed", None, 34)]

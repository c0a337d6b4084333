"""Credits seed, learning plans (demo only): the LMQS Master's demo learner, credited for
LMQS-HS by the ledger part, plans the mandatory LMQS-ENT in semester 2 and LMQS-SD in
semester 3, through the plans service. A learner who has a plan already keeps it."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.credits.plan_schemas import PlanUpdate
from app.credits.service import plans, progress

LEARNER = "student3@demo.agora"
PROGRAMME = "LMQS-MAS"
PLAN = {"LMQS-ENT": 2, "LMQS-SD": 3}


def seed(session: Session, _settings: Settings, _seed_dir: Path, *, demo: bool) -> None:
    """With `--demo`, the demo learner's plan in the LMQS Master."""
    if not demo:
        return
    learner = session.scalar(select(User).where(User.email == LEARNER))
    programme = plans.enrolled_programme(session, learner.id, PROGRAMME) if learner else None
    if learner is None or programme is None:
        return
    if plans.stored_plan(session, learner.id, programme.id) is not None:
        return
    courses = [
        {"course_code": s.code, "semester": PLAN.get(s.code, s.semester)}
        for s in plans.compose(session, learner, programme).progress.courses
        if s.status == progress.MISSING and s.mandatory
    ]
    data = PlanUpdate.model_validate({"courses": courses})
    plans.change_plan(session, SYSTEM, learner.id, PROGRAMME, data)

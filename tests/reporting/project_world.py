"""A reporting project for the permission matrices, made through the service by the
platform: no programme (so no institution manager reads it), one target and one reader."""

import itertools
from datetime import date
from decimal import Decimal
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.reporting.models import Indicator, ReaderRole
from app.reporting.schemas import ProjectCreate, ReaderCreate, TargetCreate
from app.reporting.service import projects

_n = itertools.count(1)


class World(Protocol):
    db: Session


def fresh_code() -> str:
    return f"MX-{next(_n)}"


def project(w: World) -> str:
    code = fresh_code()
    projects.create_project(
        w.db, SYSTEM, ProjectCreate(code=code, name="Matrix project", starts_on=date(2026, 9, 1))
    )
    w.db.flush()
    return code


def target(w: World) -> dict[str, object]:
    code = project(w)
    data = TargetCreate(
        indicator=Indicator.ENROLLED,
        value=Decimal(10),
        counts_from=date(2026, 9, 1),
        due_on=date(2027, 6, 30),
    )
    made = projects.add_target(w.db, SYSTEM, code, data)
    w.db.flush()
    return {"code": code, "target_id": made.id}


def someone(w: World) -> str:
    return str(w.db.scalar(select(User.email).order_by(User.id).limit(1)))


def reader(w: World) -> dict[str, object]:
    code = project(w)
    made, _ = projects.add_reader(
        w.db, SYSTEM, code, ReaderCreate(email=someone(w), role=ReaderRole.FUNDER)
    )
    w.db.flush()
    return {"code": code, "reader_id": made.id}

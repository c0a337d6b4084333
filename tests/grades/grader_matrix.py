"""Grades of the matrices' victim (a student of the world's course), fresh for each call."""

import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.grades.models import Grade, GradeItem, ItemSource
from app.grades.service.record import record_grade

_unique = itertools.count(1)


def manual_item(db: Session, course_id: int) -> GradeItem:
    item = GradeItem(
        course_id=course_id,
        source=ItemSource.MANUAL,
        title=f"Matrix item {next(_unique)}",
        max_points=Decimal(20),
    )
    db.add(item)
    db.flush()
    return item


def victim_grade(db: Session, course_id: int, user_id: int, *, overridden: bool = False) -> Grade:
    item = manual_item(db, course_id)
    item.source = ItemSource.QUIZ
    item.source_id = 800000 + item.id
    grade = record_grade(db, item, user_id, Decimal(5), by_user_id=None, release=True)
    if overridden:
        grade.override_points = Decimal(7)
        grade.override_reason = "Matrix"
    db.flush()
    return grade


def override_of(grade: Grade) -> dict[str, Any]:
    return {"version": grade.version, "points": "6", "reason": "Checked again"}


def worksheet(db: Session, course_id: int, email: str) -> str:
    item = manual_item(db, course_id)
    return f"email,{item.title}\n{email},12\n"

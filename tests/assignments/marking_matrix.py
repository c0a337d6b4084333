"""Marking objects for the permission matrices: an assignment of the world's course with the
victim's attempt, optionally marked (with a feedback file), in a group, with a rubric."""

import io
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments.marking_models import Criterion, CriterionLevel, Rubric
from app.assignments.models import (
    GradingMethod,
    Marking,
    MarkingFile,
    MarkingState,
)
from app.core.config import Settings
from app.courses.models import Course
from app.courses.service.content import store_upload
from app.enrolment.models import Group, GroupMember
from tests.assignments.factories import make_assignment, make_submission


@dataclass(frozen=True)
class MatrixMarking:
    assignment_id: int
    submission_id: int
    file_id: int = 0
    rubric_assignment_id: int = 0


def _rubric(db: Session, assignment_id: int) -> None:
    levels = [CriterionLevel(position=i, points=Decimal(i), definition=f"L{i}") for i in range(3)]
    criterion = Criterion(position=0, description="Argument", levels=levels)
    db.add(Rubric(assignment_id=assignment_id, criteria=[criterion]))
    db.flush()


def matrix_marking(
    db: Session, settings: Settings, course: Course, victim_id: int, *, marked: bool = False,
    group_id: int | None = None, rubric: bool = False, **options: Any,
) -> MatrixMarking:  # fmt: skip
    if rubric:
        options["grading_method"] = GradingMethod.RUBRIC
    if group_id is not None:
        options["group_submission"] = True
    assignment = make_assignment(db, course, **options)
    if group_id is not None:
        if not db.scalar(select(GroupMember.id).filter_by(group_id=group_id, user_id=victim_id)):
            db.add(GroupMember(group_id=group_id, user_id=victim_id))
        attempt = make_submission(db, assignment, group=db.get_one(Group, group_id))
    else:
        attempt = make_submission(db, assignment, user=db.get_one(User, victim_id))
    file_id = 0
    if marked:
        marking = Marking(
            assignment_id=assignment.id, submission_id=attempt.id, points=Decimal(10),
            state=MarkingState.IN_MARKING, version=1,
        )  # fmt: skip
        db.add(marking)
        db.flush()
        content, _ = store_upload(
            db, settings, io.BytesIO(f"notes {secrets.token_hex(4)}".encode()), "notes.txt"
        )
        stored = MarkingFile(marking_id=marking.id, content_file_id=content.id, name="notes.txt")
        db.add(stored)
        db.flush()
        file_id = stored.id
    source = 0
    if rubric:
        _rubric(db, assignment.id)
        other = make_assignment(db, course, grading_method=GradingMethod.RUBRIC)
        _rubric(db, other.id)
        source = other.id
    return MatrixMarking(assignment.id, attempt.id, file_id, source)

"""Assignments for tests, made with the models directly: an assignment module in a course,
and attempts of a learner or a group."""

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments.models import Assignment, Submission, SubmissionStatus
from app.core.db import utcnow
from app.courses.models import Course, Module, ModuleKind, Section
from app.enrolment.models import Group

_unique = itertools.count(1)


def make_assignment(
    db: Session, course: Course, title: str = "Essay", **settings: Any
) -> Assignment:
    """An assignment module at the end of the course's first section, with these settings."""
    section_id = db.scalar(
        select(Section.id).where(Section.course_id == course.id).order_by(Section.position)
    )
    assert section_id is not None
    module = Module(
        course_id=course.id, section_id=section_id, key=f"assignment-{next(_unique)}",
        kind=ModuleKind.ASSIGNMENT, title=title, position=90,
    )  # fmt: skip
    db.add(module)
    db.flush()
    assignment = Assignment(course_id=course.id, module_id=module.id, **settings)
    db.add(assignment)
    db.flush()
    module.external_ref = str(assignment.id)
    db.flush()
    return assignment


def make_submission(
    db: Session,
    assignment: Assignment,
    *,
    user: User | None = None,
    group: Group | None = None,
    submitted: bool = True,
    submitted_at: datetime | None = None,
    attempt: int = 1,
    text: str = "My work.",
) -> Submission:
    """An attempt of a learner or a group, submitted (now, or at `submitted_at`) or a draft."""
    assert (user is None) != (group is None)
    submission = Submission(
        assignment_id=assignment.id,
        user_id=user.id if user else None,
        group_id=group.id if group else None,
        attempt=attempt,
        status=SubmissionStatus.SUBMITTED if submitted else SubmissionStatus.DRAFT,
        text_markdown=text,
        text_html=f"<p>{text}</p>",
        submitted_at=(submitted_at or utcnow()) if submitted else None,
        submitted_by_id=user.id if user else None,
    )
    db.add(submission)
    db.flush()
    return submission

"""A course with an assignment, its teacher and learners, signed in through the API or the
portal: what the submissions tests share."""

import io
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table, for the snapshot)
from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.assignments.models import Assignment, Submission, SubmissionFile, SubmissionStatus
from app.core.actors import DEFAULT_USER_SCOPES, Actor
from app.core.config import Settings
from app.core.db import Base, utcnow
from app.courses.models import Course
from app.courses.service.content import store_upload
from app.enrolment.models import Group, GroupMember
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.assignments.factories import make_assignment
from tests.courses.factories import enrol_as, import_hs101


@dataclass
class Setup:
    db: Session
    course: Course
    assignment: Assignment
    teacher: User
    learners: list[User]
    groups: list[Group] = field(default_factory=list)

    def headers(self, client: TestClient, user: User) -> dict[str, str]:
        return bearer(api_token(client, user.email, PASSWORD))

    @staticmethod
    def actor(user: User) -> Actor:
        return actor_for_user(user, DEFAULT_USER_SCOPES)


def make_setup(
    db: Session, settings: Settings, *, learners: int = 2, **assignment_settings: Any
) -> Setup:
    course = import_hs101(db, settings, code=None)
    assignment = make_assignment(db, course, **assignment_settings)
    teacher = make_user(db, password=PASSWORD, language="fr", time_zone="Europe/Paris")
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    people = []
    for _ in range(learners):
        learner = make_user(db, password=PASSWORD)
        enrol_as(db, course, learner, CourseRole.STUDENT)
        people.append(learner)
    return Setup(db, course, assignment, teacher, people)


def add_group(setup: Setup, name: str, members: list[User]) -> Group:
    group = Group(course_id=setup.course.id, name=name)
    setup.db.add(group)
    setup.db.flush()
    for member in members:
        setup.db.add(GroupMember(group_id=group.id, user_id=member.id))
    setup.db.flush()
    setup.groups.append(group)
    return group


def everything(db: Session) -> dict[str, list[str]]:
    """Every row of every table, to show that a refused request changed nothing at all."""
    return {
        table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
        for table in Base.metadata.sorted_tables
    }


def draft_of(
    db: Session, settings: Settings, assignment: Assignment, user_id: int, *,
    submitted: bool = False, with_file: bool = False,
) -> Submission:  # fmt: skip
    """An attempt of `user_id` with a text, and a stored file `a.txt` if asked."""
    submission = Submission(
        assignment_id=assignment.id, user_id=user_id, text_markdown="Work", text_html="<p>Work</p>",
        status=SubmissionStatus.SUBMITTED if submitted else SubmissionStatus.DRAFT,
        submitted_at=utcnow() if submitted else None, files=[],
    )  # fmt: skip
    if with_file:
        content, name = store_upload(db, settings, io.BytesIO(b"hello"), "a.txt")
        submission.files.append(SubmissionFile(name=name, content=content))
    db.add(submission)
    db.flush()
    return submission

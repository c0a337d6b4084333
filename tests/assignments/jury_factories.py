"""A defended group project for the jury's tests: a closed course with a teacher (the chair),
a tutor and an external examiner on the jury, and a group of two learners who submitted."""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.assignments.jury_models import JuryMember
from app.assignments.jury_schemas import DefenceInput, JuryMarkInput, JuryMemberCreate
from app.assignments.models import Assignment, FinalGradeRule, Submission, SubmissionFile
from app.assignments.service import defences, examiners, jury_marks
from app.core.actors import SYSTEM, Actor
from app.core.config import Settings
from app.core.security import hash_password
from app.core.storage import storage_for
from app.courses.models import ContentFile, Course
from app.enrolment.cohorts import create_group
from app.enrolment.models import Group, GroupMember
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user
from tests.assignments.factories import make_assignment, make_submission
from tests.courses.factories import enrol_as, import_hs101


@dataclass
class Jury:
    course: Course
    assignment: Assignment
    teacher: User  # the chair
    tutor: User
    examiner: User  # external: not enrolled
    learners: list[User]
    group: Group
    submission: Submission
    members: dict[str, JuryMember]

    def actor(self, user: User) -> Actor:
        return actor_for_user(user)

    def by(self, who: str) -> User:
        return {"teacher": self.teacher, "tutor": self.tutor, "examiner": self.examiner}[who]


def make_jury(
    db: Session,
    settings: Settings,
    *,
    rule: FinalGradeRule = FinalGradeRule.AGREED,
    course: Course | None = None,
    **assignment: Any,
) -> Jury:
    course = course or import_hs101(db, settings)
    course.is_open = False
    teacher = make_user(db, email=f"teacher.{course.code.lower()}@example.org", password=PASSWORD)
    tutor = make_user(db, email=f"tutor.{course.code.lower()}@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, tutor, CourseRole.TUTOR)
    learners = []
    for n in (1, 2):
        learner = make_user(
            db, email=f"learner{n}.{course.code.lower()}@example.org", password=PASSWORD
        )
        enrol_as(db, course, learner, CourseRole.STUDENT)
        learners.append(learner)
    group = create_group(db, SYSTEM, course.id, "Projet A — Souss-Massa")
    db.add_all(GroupMember(group_id=group.id, user_id=u.id) for u in learners)
    settings_ = {"max_points": Decimal(20), "group_submission": True, **assignment}
    project = make_assignment(
        db, course, "Projet de fin d'études", jury=True, final_grade_rule=rule, **settings_
    )
    submission = make_submission(db, project, group=group, text="Notre projet.")
    as_teacher = actor_for_user(teacher)
    add = examiners.add_member
    members = {
        "teacher": add(db, as_teacher, settings, project.id,
                       JuryMemberCreate(user_id=teacher.id, chair=True)),
        "tutor": add(db, as_teacher, settings, project.id, JuryMemberCreate(user_id=tutor.id)),
        "examiner": add(db, as_teacher, settings, project.id, JuryMemberCreate(
            email=f"examiner.{course.code.lower()}@example.org", display_name="Pr. Amina Alaoui",
            preferred_language="fr",
        )),
    }  # fmt: skip
    examiner = db.get_one(User, members["examiner"].user_id)
    examiner.password_hash = hash_password(PASSWORD)  # as if they had followed the invitation
    db.flush()
    return Jury(course, project, teacher, tutor, examiner, learners, group, submission, members)


@dataclass(frozen=True)
class MatrixJury:
    assignment_id: int
    submission_id: int
    chair_id: int  # the teacher's membership
    member_id: int | None  # the tutor's, when there is one
    file_id: int


def matrix_jury(
    db: Session,
    settings: Settings,
    course: Course,
    learner_id: int,
    teacher_id: int,
    tutor_id: int | None = None,
    *,
    marked: bool = False,
    defence: bool = False,
) -> MatrixJury:
    """For the permission matrices: a fresh jury assignment of the course, the teacher its chair
    (and the tutor a member), the learner's submitted work with one file; `marked`: every
    member has marked it; `defence`: its defence is set."""
    project = make_assignment(db, course, "Projet", jury=True)
    learner = db.get_one(User, learner_id)
    submission = make_submission(db, project, user=learner)
    stored = storage_for(settings).save(io.BytesIO(b"Notre rapport."), "rapport.txt", 1000)
    content = db.scalar(select(ContentFile).where(ContentFile.sha256 == stored.sha256))
    if content is None:
        content = ContentFile(sha256=stored.sha256, size=stored.size, media_type="text/plain")
    file = SubmissionFile(submission_id=submission.id, content=content, name="rapport.txt")
    db.add(file)
    chair = examiners.add_member(
        db, SYSTEM, settings, project.id, JuryMemberCreate(user_id=teacher_id, chair=True)
    )
    member = None
    if tutor_id is not None:
        member = examiners.add_member(
            db, SYSTEM, settings, project.id, JuryMemberCreate(user_id=tutor_id)
        )
    for person in (teacher_id, tutor_id) if marked else ():
        if person is not None:
            actor = actor_for_user(db.get_one(User, person))
            jury_marks.enter_mark(db, actor, submission.id, JuryMarkInput(points=Decimal(12)))
    if defence:
        local = datetime.fromisoformat("2026-12-15T10:00")  # the organiser's wall-clock time
        slot = DefenceInput(starts_at=local, time_zone="Africa/Casablanca")
        defences.set_defence(db, SYSTEM, submission.id, slot)
    db.flush()
    return MatrixJury(project.id, submission.id, chair.id, member.id if member else None, file.id)

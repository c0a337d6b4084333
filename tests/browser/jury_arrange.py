"""Arrange the jury journey in the live server's database (run as a separate process, like
`prepare.py`): in LMQS-QM, a group of the two demo students has submitted a collective project
defended before a jury of the demo teacher (its chair) and an external examiner."""

import sys
from decimal import Decimal

from sqlalchemy import select

import app.models  # noqa: F401  (every table's mapping, for the foreign keys)
from app.accounts.models import User
from app.accounts.service import find_user_by_email
from app.assignments.jury_schemas import JuryMemberCreate
from app.assignments.models import Assignment, Submission, SubmissionStatus
from app.assignments.service import examiners
from app.core.actors import SYSTEM
from app.core.config import get_settings
from app.core.db import session_factory, utcnow
from app.core.security import hash_password
from app.courses.models import Course, Module, ModuleKind, Section, Status
from app.enrolment.cohorts import create_group
from app.enrolment.models import GroupMember

EXAMINER = "examiner@jury.example"
TITLE = "Collective project: a district quality plan"


def main(password: str) -> None:
    settings = get_settings()
    with session_factory() as session, session.begin():
        course = session.scalars(select(Course).where(Course.code == "LMQS-QM")).one()
        section_id = session.scalars(
            select(Section.id).where(Section.course_id == course.id).order_by(Section.position)
        ).first()
        module = Module(
            course_id=course.id, section_id=section_id, key="jury-journey-project",
            kind=ModuleKind.ASSIGNMENT, title=TITLE, position=98, status=Status.PUBLISHED,
        )  # fmt: skip
        session.add(module)
        session.flush()
        project = Assignment(
            course_id=course.id, module_id=module.id, group_submission=True, jury=True,
            max_points=Decimal(20),
        )  # fmt: skip
        session.add(project)
        session.flush()
        module.external_ref = str(project.id)
        group = create_group(session, SYSTEM, course.id, "Jury journey team")
        students = [find_user_by_email(session, f"student{n}@demo.agora") for n in (1, 2)]
        session.add_all(GroupMember(group_id=group.id, user_id=s.id) for s in students if s)
        session.add(
            Submission(
                assignment_id=project.id, group_id=group.id, status=SubmissionStatus.SUBMITTED,
                text_markdown="Our plan.", text_html="<p>Our plan.</p>", submitted_at=utcnow(),
            )
        )  # fmt: skip
        teacher = find_user_by_email(session, "teacher@demo.agora")
        assert teacher is not None
        add = examiners.add_member
        add(session, SYSTEM, settings, project.id, JuryMemberCreate(user_id=teacher.id, chair=True))
        add(session, SYSTEM, settings, project.id,
            JuryMemberCreate(email=EXAMINER, display_name="Pr. Amina Alaoui"))  # fmt: skip
        examiner = session.scalars(select(User).where(User.email == EXAMINER)).one()
        examiner.password_hash = hash_password(password)  # as if the invitation was followed
        sys.stdout.write(f"{project.id}\n")


if __name__ == "__main__":
    main(sys.argv[1])

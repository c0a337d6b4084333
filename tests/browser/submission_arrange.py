"""Arrange the group submission journey in the live server's database (run as a separate
process, like `prepare.py`): in MBA-TSM, the two demo students form a project team whose
collective project every member must confirm."""

import sys
from decimal import Decimal

from sqlalchemy import select

import app.models  # noqa: F401  (every table's mapping, for the foreign keys)
from app.accounts.service import find_user_by_email
from app.assignments.models import Assignment
from app.core.actors import SYSTEM
from app.core.db import session_factory
from app.courses.models import Course, Module, ModuleKind, Section, Status
from app.enrolment.cohorts import create_group
from app.enrolment.models import Grouping, GroupingGroup, GroupMember
from app.enrolment.service import enrol
from app.membership.models import CourseRole

TITLE = "Journey project: a hospital turnaround plan"
TEAM = "Journey project team"


def main() -> None:
    with session_factory() as session, session.begin():
        course = session.scalars(select(Course).where(Course.code == "MBA-TSM")).one()
        section_id = session.scalars(
            select(Section.id).where(Section.course_id == course.id).order_by(Section.position)
        ).first()
        module = Module(
            course_id=course.id, section_id=section_id, key="journey-group-project",
            kind=ModuleKind.ASSIGNMENT, title=TITLE, position=97, status=Status.PUBLISHED,
        )  # fmt: skip
        session.add(module)
        session.flush()
        grouping = Grouping(course_id=course.id, name="Journey projects")
        session.add(grouping)
        session.flush()
        project = Assignment(
            course_id=course.id, module_id=module.id, group_submission=True,
            every_member_confirms=True, grouping_id=grouping.id, max_points=Decimal(20),
        )  # fmt: skip
        session.add(project)
        session.flush()
        module.external_ref = str(project.id)
        group = create_group(session, SYSTEM, course.id, TEAM)
        session.add(GroupingGroup(grouping_id=grouping.id, group_id=group.id))
        for email in ("student1@demo.agora", "student2@demo.agora"):
            student = find_user_by_email(session, email)
            assert student is not None
            enrol(session, SYSTEM, course.id, student.id, CourseRole.STUDENT)
            session.add(GroupMember(group_id=group.id, user_id=student.id))
        session.flush()
        sys.stdout.write(f"{project.id}\n")


if __name__ == "__main__":
    main()

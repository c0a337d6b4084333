"""Names and Role Provisioning Services 2.0: a course's active members for a tool placed in it,
with their LIS roles; names and e-mail addresses only if the tool's registration shares them."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.courses.models import Course
from app.lti.platform_schemas import ServiceScope
from app.lti.platform_service import ags, ours
from app.lti.platform_service.launch import COURSE_OFFERING, INSTRUCTOR, LEARNER, MEMBERSHIP
from app.lti.platform_service.tokens import Caller
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus

LIS_ROLES = {
    CourseRole.TEACHER: [INSTRUCTOR],
    CourseRole.TUTOR: [MEMBERSHIP.removesuffix("#") + "/Instructor#TeachingAssistant"],
    CourseRole.STUDENT: [LEARNER],
    CourseRole.OBSERVER: [MEMBERSHIP + "Mentor"],
}


def memberships(
    session: Session, settings: Settings, caller: Caller, course_id: int
) -> dict[str, Any]:
    caller.require(ServiceScope.MEMBERSHIPS)
    ags.course_of_tool(session, caller, course_id)
    course = session.get_one(Course, course_id)
    rows = session.execute(
        select(Enrolment.role, User)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            User.is_active.is_(True),
        )
        .order_by(User.id)
    ).all()
    tool = caller.tool
    members = []
    for role, user in rows:
        member: dict[str, Any] = {
            "status": "Active", "user_id": ours.subject(user.id), "roles": LIS_ROLES[role],
        }  # fmt: skip
        if tool.share_name:
            member["name"] = user.display_name
        if tool.share_email:
            member["email"] = user.email
        members.append(member)
    return {
        "id": ours.endpoint(settings, f"/lti/nrps/courses/{course_id}/memberships"),
        "context": {
            "id": str(course.id),
            "label": course.code,
            "title": course.title,
            "type": [COURSE_OFFERING],
        },
        "members": members,
    }

"""What a launch lands on: the Agora course or module its target link URI names (the portal's
own addresses, `/courses/{code}` and `/courses/{code}/modules/{id}`), or the custom parameters
`agora_course` (a course code) and `agora_module` (a module id) when the platform launches
the tool's generic address. Only a course the platform's institution runs or partners."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import Forbidden, Invalid
from app.core.i18n import N_
from app.courses.models import Course, Module
from app.lti.tool_models import LtiPlatform
from app.membership.service import partner_institution_ids

_PORTAL_PATH = re.compile(r"/courses/(?P<code>[^/?#]{1,64})(?:/modules/(?P<module>\d{1,9}))?/?")


class NoTarget(Invalid):
    code = "lti_no_target"
    title = N_("The launch does not name an Agora course or module.")


class CourseNotShared(Forbidden):
    code = "lti_course_not_shared"
    title = N_("This course is not offered to the LMS's institution.")


@dataclass(frozen=True)
class Target:
    course: Course
    module: Module | None

    @property
    def landing(self) -> str:
        """The portal page the person is sent to."""
        course = f"/courses/{self.course.code}"
        return course if self.module is None else f"{course}/modules/{self.module.id}"


def resolve(
    session: Session, platform: LtiPlatform, target_link_uri: str, custom: dict[str, Any]
) -> Target:
    code, module_id = _named(target_link_uri, custom)
    course = session.scalar(select(Course).where(Course.code == code)) if code else None
    if course is None:
        raise NoTarget()
    module = None
    if module_id is not None:
        module = session.scalar(
            select(Module).where(Module.id == module_id, Module.course_id == course.id)
        )
        if module is None:
            raise NoTarget()
    home = platform.institution_id
    if course.institution_id != home and home not in partner_institution_ids(session, course.id):
        raise CourseNotShared()
    return Target(course, module)


def _named(target_link_uri: str, custom: dict[str, Any]) -> tuple[str | None, int | None]:
    course = custom.get("agora_course")
    module = custom.get("agora_module")
    if isinstance(course, str) and course.strip():
        return course.strip(), _module_id(module)
    found = _PORTAL_PATH.fullmatch(urlsplit(target_link_uri).path)
    if found is None:
        return None, None
    named_module = found.group("module")
    return unquote(found.group("code")), int(named_module) if named_module else _module_id(module)


def _module_id(value: object) -> int | None:
    text = str(value).strip() if isinstance(value, str | int) else ""
    return int(text) if text.isdigit() and len(text) < 10 else None

"""Prepare the browser tests' database: the seed, the demo accounts with a known password, and
one more student for the page checks, who may open every page of the courses they are in
without moving the demo students' progress that the journeys count."""

import sys

from app import community_seed, seed
from app.accounts.schemas import UserCreate
from app.accounts.service import create_user, find_user_by_email
from app.core.actors import SYSTEM
from app.core.config import get_settings
from app.core.db import session_factory
from app.courses.service.courses import find_course
from app.enrolment.service import enrol
from app.membership.models import CourseRole

PAGE_CHECKER = "page-checker@example.org"


def main(password: str) -> None:
    with session_factory() as session, session.begin():
        seed.load_seed(session, get_settings())
        for demo in seed.DEMO_ACCOUNTS:
            if find_user_by_email(session, demo.email) is None:
                data = UserCreate(
                    email=demo.email,
                    display_name=demo.name,
                    password=password,
                    preferred_language="en",
                    time_zone=demo.time_zone,
                    platform_role=demo.role,
                    institution_code=demo.institution,
                )
                create_user(session, SYSTEM, data, is_demo=True)
        seed.enrol_demo_accounts(session)
        community_seed.open_welcome_space(session)
        checker = create_user(
            session, SYSTEM,
            UserCreate(email=PAGE_CHECKER, display_name="Page Checker", password=password,
                       preferred_language="en", time_zone="Asia/Almaty"),
        )  # fmt: skip
        for code in ("MPHM-IND", "LMQS-SD"):
            course_id = find_course(session, SYSTEM, code).course.id
            enrol(session, SYSTEM, course_id, checker.id, CourseRole.STUDENT)


if __name__ == "__main__":
    main(sys.argv[1])

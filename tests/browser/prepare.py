"""Prepare the browser tests' database: the seed, the demo accounts with a known password, and
one more student for the page checks, who may open every page of the courses they are in
without moving the demo students' progress that the journeys count, and respondents to the
induction's evaluation."""

import sys

from sqlalchemy.orm import Session

from app import community_seed, reporting_seed, seed
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
        reporting_seed.load_reporting(session, seed.SEED_DIR)
        checker = create_user(
            session, SYSTEM,
            UserCreate(email=PAGE_CHECKER, display_name="Page Checker", password=password,
                       preferred_language="en", time_zone="Asia/Almaty"),
        )  # fmt: skip
        for code in ("MPHM-IND", "LMQS-SD"):
            course_id = find_course(session, SYSTEM, code).course.id
            enrol(session, SYSTEM, course_id, checker.id, CourseRole.STUDENT)
        _evaluate_the_induction(session, password)


def _evaluate_the_induction(session: Session, password: str) -> None:
    """Four more learners answer the induction's evaluation: with the demo students' two,
    enough responses for its results to be shown (not suppressed)."""
    course_id = find_course(session, SYSTEM, "MPHM-IND").course.id
    for n in range(4):
        learner = create_user(
            session, SYSTEM,
            UserCreate(email=f"evaluator{n}@example.org", display_name=f"Evaluator {n}",
                       password=password, preferred_language="en", time_zone="Asia/Vientiane"),
        )  # fmt: skip
        enrol(session, SYSTEM, course_id, learner.id, CourseRole.STUDENT)
        community_seed.answer_evaluation(session, learner, n + 2)


if __name__ == "__main__":
    main(sys.argv[1])

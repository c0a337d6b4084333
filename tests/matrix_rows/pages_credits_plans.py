"""The credits pages of learners and their plans: everyone signed in has "My credits" and
changes their own plan there; a learner's credits page, its plan form and its advisors are
the registrars' (here the platform's manager), hidden (404) from everyone else."""

from sqlalchemy import select

from app.core.actors import SYSTEM
from app.courses.models import Programme
from app.credits.service import plans
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import make_user
from tests.test_page_permission_matrix import LOGIN, World, answers, page, signed_in

L = "/admin/learners/{user_id}/credits/{code}"
PLAN = {"course": ["HS-101"], "semester": ["1"]}


def _enrol(w: World, user_ids: list[int]) -> None:
    programme_id = w.db.scalar(select(Programme.id).where(Programme.code == "HS-CERT"))
    assert programme_id is not None
    enrolled = set(
        w.db.scalars(
            select(ProgrammeEnrolment.user_id).where(
                ProgrammeEnrolment.programme_id == programme_id
            )
        )
    )
    for user_id in set(user_ids) - enrolled:
        w.db.add(ProgrammeEnrolment(programme_id=programme_id, user_id=user_id))
    w.db.flush()


def _everyone_enrolled(w: World) -> dict[str, object]:
    _enrol(w, list(w.people.values()))
    return {"code": "HS-CERT", "data": PLAN}


def _victim(w: World) -> dict[str, object]:
    _enrol(w, [w.victim_id])
    return {"user_id": w.victim_id, "code": "HS-CERT"}


def _named(w: World) -> dict[str, object]:
    request = _victim(w)
    advisor = make_user(w.db)
    plans.name_advisor(w.db, SYSTEM, w.victim_id, "HS-CERT", advisor.id)
    return {**request, "advisor_id": advisor.id}


page("GET", "/me/credits", signed_in(200))
page("POST", "/me/credits/{code}/plan", signed_in(303), _everyone_enrolled)
page("GET", L, answers(LOGIN, 404, 404, 404, 200, 404), _victim)
page("POST", L + "/plan", answers(LOGIN, 404, 404, 404, 303, 404),
     lambda w: {**_victim(w), "data": PLAN})  # fmt: skip
page(
    "POST", L + "/advisors", answers(LOGIN, 404, 404, 404, 303, 404),
    lambda w: {**_victim(w), "data": {"email": make_user(w.db).email}},
)  # fmt: skip
page("POST", L + "/advisors/{advisor_id}/remove", answers(LOGIN, 404, 404, 404, 303, 404), _named)

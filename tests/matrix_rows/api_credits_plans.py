"""Learning plans and advisors over the API: the learner's plan is read by the learner,
registrars and the partner system (`credits:read`) of the learner's institution and changed
by registrars (people, never partner systems); advisors are named and removed by registrars;
everyone else is told the learner does not exist."""

from sqlalchemy import select

from app.core.actors import SYSTEM
from app.courses.models import Programme
from app.credits.service import plans
from app.enrolment.models import ProgrammeEnrolment
from tests.test_permission_matrix import World, register

P = "/api/v1/users/{user_id}/programmes/{code}"
READ = "401 | 404 404 404 404 | 200 200 | 200 403 | 404 404"
CHANGE = "401 | 404 404 404 404 | 200 200 | 403 403 | 404 404"
REMOVE = "401 | 404 404 404 404 | 204 204 | 403 403 | 404 404"


def _victim_enrolled(w: World) -> dict[str, object]:
    """The victim enrolled in HS-CERT (awarded by the clients' institution)."""
    programme_id = w.db.scalar(select(Programme.id).where(Programme.code == "HS-CERT"))
    assert programme_id is not None
    enrolled = w.db.scalar(
        select(ProgrammeEnrolment.id).where(
            ProgrammeEnrolment.user_id == w.victim_id,
            ProgrammeEnrolment.programme_id == programme_id,
        )
    )
    if enrolled is None:
        w.db.add(ProgrammeEnrolment(programme_id=programme_id, user_id=w.victim_id))
        w.db.flush()
    return {"user_id": w.victim_id, "code": "HS-CERT"}


def _plan(w: World) -> dict[str, object]:
    return {**_victim_enrolled(w), "json": {"courses": [{"course_code": w.course.code,
                                                          "semester": 1}]}}  # fmt: skip


def _advisor(w: World) -> dict[str, object]:
    return {**_victim_enrolled(w), "advisor_id": w.fresh_user()}


def _named_advisor(w: World) -> dict[str, object]:
    request = _advisor(w)
    plans.name_advisor(w.db, SYSTEM, w.victim_id, "HS-CERT", int(str(request["advisor_id"])))
    return request


register("get", P + "/plan", READ, _victim_enrolled)
register("put", P + "/plan", CHANGE, _plan)
register("get", P + "/plan/changes", READ, _victim_enrolled)
register("get", P + "/advisors", READ, _victim_enrolled)
register("put", P + "/advisors/{advisor_id}", CHANGE, _advisor)
register("delete", P + "/advisors/{advisor_id}", REMOVE, _named_advisor)

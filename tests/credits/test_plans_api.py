"""Learning plans on the wire: the plan with its courses and what is still to take, a change
refused as problem+json with a stable code (nothing written), the history of changes, and
advisors named by a registrar."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.credits.plan_models import LearningPlan
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.credits.progress_world import ProgressWorld, progress_world


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    world = progress_world(db)
    world.add_course("QM", "5", 1)
    world.add_course("HS", "5", 2)
    world.add_course("OPT", "5", 2, mandatory=False)
    world.set_rules(
        semesters=2,
        elective_groups=[{"code": "T", "title": "Track", "min_credits": "5", "courses": ["OPT"]}],
    )
    return world


@pytest.fixture
def alice(w: ProgressWorld):
    user = make_user(w.db, password=PASSWORD, institution=w.home)
    w.db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=user.id))
    w.db.flush()
    return user


def test_a_learner_reads_and_changes_their_plan(client: TestClient, w, alice):
    headers = bearer(api_token(client, alice.email))
    url = f"/api/v1/users/{alice.id}/programmes/{w.programme.code}/plan"
    w.award(alice, "QM")

    before = client.get(url, headers=headers).json()
    changed = client.put(
        url, headers=headers,
        json={"courses": [{"course_code": "HS", "semester": 1}, {"course_code": "OPT",
                                                                 "semester": 2}]},
    )  # fmt: skip
    history = client.get(url + "/changes", headers=headers).json()

    assert before["to_take"] == {"2": ["HS"]}
    assert before["updated_at"] is None
    assert changed.status_code == 200
    body = changed.json()
    assert body["to_take"] == {"1": ["HS"], "2": ["OPT"]}
    assert body["electives"] == [
        {"code": "T", "title": "Track", "min_credits": "5.0", "earned": "0", "chosen": ["OPT"]}
    ]
    assert [
        (c["course_code"], c["kind"], c["from_semester"], c["to_semester"])
        for c in history["items"]
    ] == [("HS", "moved", 2, 1), ("OPT", "chosen", None, 2)]


def test_a_refused_change_is_a_problem_with_its_code(client: TestClient, db: Session, w, alice):
    headers = bearer(api_token(client, alice.email))
    url = f"/api/v1/users/{alice.id}/programmes/{w.programme.code}/plan"
    w.award(alice, "QM")

    earned = client.put(url, headers=headers, json={"courses": [
        {"course_code": "QM", "semester": 2}, {"course_code": "HS", "semester": 2}]})  # fmt: skip
    dropped = client.put(url, headers=headers, json={"courses": []})

    assert earned.status_code == 409
    assert earned.headers["content-type"].startswith("application/problem+json")
    assert earned.json()["code"] == "course_already_earned"
    assert (dropped.status_code, dropped.json()["code"]) == (422, "mandatory_course_dropped")
    assert db.scalar(select(func.count()).select_from(LearningPlan)) == 0


def test_a_registrar_names_an_advisor_over_the_api(client: TestClient, db: Session, w, alice):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    advisor = make_user(db, institution=w.home)
    headers = bearer(api_token(client, registrar.email))
    url = f"/api/v1/users/{alice.id}/programmes/{w.programme.code}/advisors"

    named = client.put(f"{url}/{advisor.id}", headers=headers)
    again = client.put(f"{url}/{advisor.id}", headers=headers)
    itself = client.put(f"{url}/{alice.id}", headers=headers)

    assert (named.status_code, again.status_code) == (200, 200)
    assert [a["id"] for a in client.get(url, headers=headers).json()] == [advisor.id]
    assert (itself.status_code, itself.json()["code"]) == (422, "advisor_is_learner")
    assert client.delete(f"{url}/{advisor.id}", headers=headers).status_code == 204
    assert client.get(url, headers=headers).json() == []

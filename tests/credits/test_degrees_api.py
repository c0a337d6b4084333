"""Double-degree agreements on the wire: a registrar records one, a refusal is problem+json
with its code and writes nothing, and a learner's standing toward each degree is read."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM, PlatformRole
from app.credits.degree_models import DoubleDegree
from app.credits.degree_schemas import DoubleDegreeCreate
from app.credits.service import degrees
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
)
from tests.conftest import QueryCounter
from tests.credits.progress_world import ProgressWorld
from tests.credits.test_degrees_service import degree_world


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    return degree_world(db)


def body(w: ProgressWorld) -> dict[str, object]:
    return {
        "code": "DD-API", "title": "Double master",
        "parties": [
            {"institution_code": w.home.code, "programme_code": w.programme.code,
             "degree_title": "Licence"},
            {"institution_code": "PARTNER-DD", "programme_code": "PARTNER-MAS",
             "degree_title": "Master in quality management"},
        ],
        "shared_courses": [{"course_code": "HS"}],
    }  # fmt: skip


def test_a_registrar_records_an_agreement_and_a_learner_standing_is_read(
    client: TestClient, db: Session, w: ProgressWorld
):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, registrar.email))
    learner = make_user(db, institution=w.home)
    db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=learner.id))
    w.award(learner, "QM")
    w.award(learner, "HS")

    created = client.post("/api/v1/double-degrees", headers=headers, json=body(w))
    standing = client.get(f"/api/v1/users/{learner.id}/double-degrees", headers=headers)

    assert created.status_code == 201
    assert created.json()["parties"][1] == {
        "institution_code": "PARTNER-DD", "institution_name": "University of Health Sciences",
        "programme_code": "PARTNER-MAS", "degree_title": "Master in quality management",
    }  # fmt: skip
    (agreement,) = standing.json()
    partner = agreement["degrees"][1]
    assert (partner["earned"], partner["shared_credits"], partner["eligible"]) == (
        "10.0", "5.0", False,
    )  # fmt: skip
    assert partner["unmet"] == ["The mandatory course RES is not earned yet."]


def test_a_refused_agreement_is_a_problem_and_writes_nothing(
    client: TestClient, db: Session, w: ProgressWorld
):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, registrar.email))
    bad = body(w)
    bad["shared_courses"] = [{"course_code": "HS"}, {"course_code": "HS"}]
    client.post("/api/v1/double-degrees", headers=headers, json=body(w))

    twice = client.post("/api/v1/double-degrees", headers=headers, json={**bad, "code": "X"})
    taken = client.post("/api/v1/double-degrees", headers=headers, json=body(w))

    assert (twice.status_code, twice.json()["code"]) == (422, "shared_course_twice")
    assert (taken.status_code, taken.json()["code"]) == (409, "double_degree_code_taken")
    assert db.scalar(select(func.count()).select_from(DoubleDegree)) == 1


def test_a_partner_of_another_institution_reads_no_agreement(
    client: TestClient, db: Session, w: ProgressWorld
):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    created = client.post(
        "/api/v1/double-degrees", headers=bearer(api_token(client, registrar.email)), json=body(w)
    ).json()
    outsider = make_api_client(db, make_institution(db), ["credits:read"])
    token = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": outsider.client_id,
              "client_secret": "s3cret-partner-key"},
    ).json()["access_token"]  # fmt: skip

    assert client.get("/api/v1/double-degrees", headers=bearer(token)).json() == []
    read = client.get(f"/api/v1/double-degrees/{created['id']}", headers=bearer(token))
    assert read.status_code == 404


def test_the_list_keeps_its_queries_as_agreements_grow(
    client: TestClient, db: Session, w: ProgressWorld, queries: QueryCounter
):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, registrar.email))
    counts = []
    for total in (2, 6):
        while db.scalar(select(func.count()).select_from(DoubleDegree)) < total:
            n = db.scalar(select(func.count()).select_from(DoubleDegree))
            degrees.create_agreement(
                db, SYSTEM, DoubleDegreeCreate.model_validate({**body(w), "code": f"DD-{n}"})
            )
        with queries:
            listed = client.get("/api/v1/double-degrees", headers=headers)
        assert len(listed.json()) == total
        counts.append(queries.count)

    assert counts[0] == counts[1]


def test_a_learner_reads_their_own_standing_and_not_a_classmate_s(
    client: TestClient, db: Session, w: ProgressWorld
):
    degrees.create_agreement(db, SYSTEM, DoubleDegreeCreate.model_validate(body(w)))
    learner = make_user(db, password=PASSWORD, institution=w.home)
    classmate = make_user(db, institution=w.home)
    db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=learner.id))
    w.award(learner, "HS")
    headers = bearer(api_token(client, learner.email))

    own = client.get(f"/api/v1/users/{learner.id}/double-degrees", headers=headers)
    other = client.get(f"/api/v1/users/{classmate.id}/double-degrees", headers=headers)

    assert [d["earned"] for d in own.json()[0]["degrees"]] == ["5.0", "5.0"]
    assert other.status_code == 404

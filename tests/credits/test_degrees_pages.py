"""The registrars' double-degree pages and the learner's standing on "My credits"."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.credits.degree_models import DoubleDegree, SharedCourse
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.credits.progress_world import ProgressWorld
from tests.credits.test_degrees_service import degree_world

LIST = "/admin/credits/double-degrees"


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    return degree_world(db)


def form(w: ProgressWorld, csrf: str, partner_programme: str = "PARTNER-MAS") -> dict[str, object]:
    return {
        "csrf_token": csrf, "code": "DD-P", "title": "Double master",
        "institution_code": [w.home.code, "PARTNER-DD", ""],
        "programme_code": [w.programme.code, partner_programme, ""],
        "degree_title": ["Licence", "Master in quality management", ""],
    }  # fmt: skip


def test_a_registrar_records_an_agreement_and_shares_a_course(
    client: TestClient, db: Session, w: ProgressWorld
):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, registrar.email)
    csrf = page_csrf(client, LIST)

    created = client.post(LIST, data=form(w, csrf), follow_redirects=False)
    agreement_url = created.headers["location"].split("?")[0]
    shared = client.post(
        agreement_url + "/courses", data={"csrf_token": csrf, "course_code": "RES"},
        follow_redirects=False,
    )  # fmt: skip

    assert (created.status_code, shared.status_code) == (303, 303)
    page = client.get(agreement_url).text
    assert "Master in quality management" in page
    assert "RES — Course RES" in page
    assert db.scalar(select(SharedCourse.credits)) == 5
    assert "DD-P" in client.get(LIST).text


def test_a_refused_agreement_is_shown_again_and_writes_nothing(
    client: TestClient, db: Session, w: ProgressWorld
):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, registrar.email)
    csrf = page_csrf(client, LIST)

    refused = client.post(LIST, data=form(w, csrf, partner_programme=w.programme.code))

    assert refused.status_code == 422
    assert "Each party joins a programme it awards." in refused.text
    assert 'value="DD-P"' in refused.text
    assert db.scalar(select(func.count()).select_from(DoubleDegree)) == 0


def test_my_credits_shows_the_standing_toward_each_degree(
    client: TestClient, db: Session, w: ProgressWorld
):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, registrar.email)
    csrf = page_csrf(client, LIST)
    agreement_url = (
        client.post(LIST, data=form(w, csrf), follow_redirects=False)
        .headers["location"]
        .split("?")[0]
    )
    client.post(agreement_url + "/courses", data={"csrf_token": csrf, "course_code": "HS"})
    learner = make_user(db, password=PASSWORD, institution=w.home)
    db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=learner.id))
    w.award(learner, "HS")
    w.award(learner, "RES")
    w.award(learner, "QM")
    client.cookies.clear()
    sign_in(client, learner.email)

    page = client.get("/me/credits").text

    assert "Double degrees" in page
    assert "Master in quality management" in page
    assert "15 of 10 ECTS credits earned (5 shared with the other degree)" in page
    assert "Eligible for this degree." in page

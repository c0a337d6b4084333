"""The learner's "My credits" page and the registrar's view of a learner: progress toward each
programme, eligibility, the plan per semester and its form; a refused plan is shown again with
its message and writes nothing."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import PlatformRole
from app.credits.plan_models import LearnerAdvisor, LearningPlan, PlanItem
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.conftest import QueryCounter
from tests.credits.progress_world import ProgressWorld, progress_world


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    world = progress_world(db)
    world.add_course("QM", "5", 1)
    world.add_course("HS", "5", 1)
    world.add_course("OPT-A", "5", 2, mandatory=False)
    world.add_course("OPT-B", "5", 2, mandatory=False)
    world.set_rules(
        semesters=2,
        elective_groups=[
            {"code": "TRACK", "title": "Quality track", "min_credits": "5",
             "courses": ["OPT-A", "OPT-B"]}
        ],
    )  # fmt: skip
    return world


def enrolled(w: ProgressWorld, **kwargs) -> User:
    user = make_user(w.db, password=PASSWORD, institution=w.home, **kwargs)
    w.db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=user.id))
    w.db.flush()
    return user


def plan_form(csrf: str, *rows: tuple[str, str]) -> dict[str, object]:
    return {"csrf_token": csrf, "course": [c for c, _ in rows], "semester": [s for _, s in rows]}


def test_my_credits_shows_progress_what_is_missing_and_the_plan(client: TestClient, w):
    alice = enrolled(w)
    w.award(alice, "QM")
    sign_in(client, alice.email)

    page = client.get("/me/credits")

    assert page.status_code == 200
    html = page.text
    assert "5 of 20 ECTS credits earned" in html
    assert '<progress max="20.0" value="5.0"' in html
    assert "Not yet eligible for the award" in html
    assert "The mandatory course HS is not earned yet." in html
    assert "Quality track (TRACK): 0 of 5 credits earned" in html
    assert 'href="/me/credits/history"' in html
    assert 'href="/me/credits/elmo.xml"' in html
    # The form offers the missing mandatory course and both electives, not the earned course.
    assert 'id="semester-' + w.programme.code + '-HS"' in html
    assert 'id="semester-' + w.programme.code + '-OPT-A"' in html
    assert 'id="semester-' + w.programme.code + '-QM"' not in html


def test_a_learner_saves_a_plan_from_the_form(client: TestClient, db: Session, w):
    alice = enrolled(w)
    sign_in(client, alice.email)
    csrf = page_csrf(client, "/me/credits")

    saved = client.post(
        f"/me/credits/{w.programme.code}/plan",
        data=plan_form(csrf, ("QM", "2"), ("HS", "1"), ("OPT-A", ""), ("OPT-B", "2")),
        follow_redirects=False,
    )

    assert saved.status_code == 303
    items = db.execute(select(PlanItem.course_id, PlanItem.semester)).all()
    assert sorted(items) == sorted([
        (w.courses["QM"].id, 2), (w.courses["HS"].id, 1), (w.courses["OPT-B"].id, 2),
    ])  # fmt: skip
    assert "Quality track (TRACK): 0 of 5 credits earned;" in client.get("/me/credits").text


def test_a_refused_plan_is_shown_again_and_writes_nothing(client: TestClient, db: Session, w):
    alice = enrolled(w)
    sign_in(client, alice.email)
    csrf = page_csrf(client, "/me/credits")

    refused = client.post(
        f"/me/credits/{w.programme.code}/plan",
        data=plan_form(csrf, ("QM", "1"), ("HS", "9")),
        follow_redirects=False,
    )

    assert refused.status_code == 422
    assert "Choose a semester within the programme's semesters." in refused.text
    assert db.scalar(select(func.count()).select_from(LearningPlan)) == 0


def test_a_registrar_names_an_advisor_who_then_edits_the_plan(client: TestClient, db, w):
    alice = enrolled(w)
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    advisor = make_user(db, password=PASSWORD, institution=w.home)
    page_url = f"/admin/learners/{alice.id}/credits/{w.programme.code}"
    sign_in(client, registrar.email)
    csrf = page_csrf(client, page_url)

    named = client.post(
        page_url + "/advisors", data={"csrf_token": csrf, "email": advisor.email},
        follow_redirects=False,
    )  # fmt: skip
    unknown = client.post(
        page_url + "/advisors", data={"csrf_token": csrf, "email": "nobody@example.org"}
    )

    assert named.status_code == 303
    assert unknown.status_code == 422
    assert "Nobody has this address." in unknown.text
    assert db.scalar(select(func.count()).select_from(LearnerAdvisor)) == 1
    client.cookies.clear()
    sign_in(client, advisor.email)
    assert f'href="{page_url}"' in client.get("/me/credits").text
    csrf = page_csrf(client, page_url)
    saved = client.post(
        page_url + "/plan", data=plan_form(csrf, ("QM", "2"), ("HS", "2")),
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    assert db.scalar(select(func.count()).select_from(PlanItem)) == 2


def test_my_credits_keeps_its_queries_as_courses_grow(
    client: TestClient, db: Session, queries: QueryCounter
):
    counts = []
    for size in (2, 6):
        world = progress_world(db)
        for n in range(size):
            world.add_course(f"C{size}-{n}", "5", 1 + n % 2)
        learner = enrolled(world)
        for n in range(size // 2):
            world.award(learner, f"C{size}-{n}")
        client.cookies.clear()
        sign_in(client, learner.email)
        with queries:
            assert client.get("/me/credits").status_code == 200
        counts.append(queries.count)

    assert counts[0] == counts[1]


def test_my_credits_reads_in_arabic_right_to_left(client: TestClient, w):
    alice = enrolled(w, language="ar")
    sign_in(client, alice.email)

    html = client.get("/me/credits").text

    assert 'dir="rtl"' in html
    assert "<h1>أرصدتي</h1>" in html
    assert "حفظ الخطة" in html  # the plan form's button


def test_a_learner_credits_page_keeps_its_queries_as_courses_grow(
    client: TestClient, db: Session, queries: QueryCounter
):
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, registrar.email)
    counts = []
    for size in (2, 6):
        world = progress_world(db)
        for n in range(size):
            world.add_course(f"L{size}-{n}", "5", 1 + n % 2)
        learner = enrolled(world)
        world.award(learner, f"L{size}-0")
        with queries:
            page = client.get(f"/admin/learners/{learner.id}/credits/{world.programme.code}")
        assert page.status_code == 200
        counts.append(queries.count)

    assert counts[0] == counts[1]

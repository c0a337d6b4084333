"""The MBA's seminars are seminars: its seeded webinar-kind modules stand for in-person
seminars, and the course outline and module pages show them as such — place, each half-day in
the reader's zone, total hours — in French and English. Each seminar's page carries a
programme of its days and a readings section, and the hours add up to the MBA's 160."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.auth import actor_for_user
from app.core.config import Settings
from app.courses.models import Course, Module, Programme
from app.membership.models import CourseRole
from app.seed import SEED_DIR, load_seed
from app.webinars.models import Delivery, SessionKind, WebinarSession
from app.webinars.service import linked
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.courses.factories import enrol_as

# Loaded on Wednesday 10 March 2027: the first seminar is on Monday 29 March (week 3), when
# Casablanca is at UTC+1.
LOADED = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
SEANCES = [f"s{n}-seance" for n in range(1, 7)]


@pytest.fixture
def mba(db: Session, settings: Settings) -> Course:
    settings.max_upload_bytes = 10 * 1024 * 1024
    load_seed(db, settings)
    return db.scalars(select(Course).where(Course.code == "MBA-TSM")).one()


def _module(db: Session, course: Course, key: str) -> Module:
    return db.scalars(select(Module).where(Module.course_id == course.id, Module.key == key)).one()


def _seminars(db: Session, course: Course) -> list[WebinarSession]:
    return list(
        db.scalars(
            select(WebinarSession)
            .where(WebinarSession.course_id == course.id)
            .options(selectinload(WebinarSession.sittings))
            .order_by(WebinarSession.starts_at)
        )
    )


@pytest.mark.time_machine(LOADED)
def test_the_seeded_mba_has_six_seminars_in_person_that_carry_its_160_hours(
    db: Session, mba: Course
):
    seminars = _seminars(db, mba)
    hours = [sum(s.minutes for s in w.sittings) / 60 for w in seminars]
    guide = (SEED_DIR / "courses" / "MBA-TSM" / "projet" / "guide.md").read_text()
    project = re.search(r"\*\*Projet collectif\*\*.*\| \*\*(\d+)\*\* \|", guide)
    total = re.search(r"\| \*\*Total\*\* \| \| \*\*(\d+)\*\* \|", guide)
    programme = db.scalars(select(Programme).where(Programme.code == "MBA-TSM")).one()

    assert {(w.kind, w.delivery, w.location) for w in seminars} == {
        (SessionKind.SEMINAR, Delivery.IN_PERSON, "ENSP, Rabat")
    }
    assert [db.get_one(Module, w.module_id).key for w in seminars if w.module_id] == SEANCES
    assert hours == [24, 16, 24, 16, 24, 16]  # six seminars of two or three days
    assert all(s.title.startswith("Jour ") for w in seminars for s in w.sittings)
    assert project
    assert total
    assert sum(hours) + int(project.group(1)) == int(total.group(1)) == mba.workload_hours == 160
    # Attendance counts the seminars: every one of their hours can be attended and counted.
    assert programme.attendance_hours_required == Decimal(sum(hours)) == 120


@pytest.mark.time_machine(LOADED)
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            {
                "label": '<span class="hint">séminaire</span>',
                "days": "Jours et horaires",
                "kind": "Séminaire · en présentiel",
                "venue": "Lieu\u202f: ENSP, Rabat",
                # 08:30 in Rabat is 14:30 in Vientiane, the reader's zone.
                "first": "29 mars 2027 14:30 (Vientiane, UTC+7) – "
                "29 mars 2027 18:30 (Vientiane, UTC+7)",
                "total": "Au total\u202f: 24\u00a0h",
                "webinar": "webinaire",
            },
        ),
        (
            "en",
            {
                "label": '<span class="hint">seminar</span>',
                "days": "Days and hours",
                "kind": "Seminar · in person",
                "venue": "Venue: ENSP, Rabat",
                "first": "Mar 29, 2027 2:30\u202fPM (Vientiane, UTC+7) – "
                "Mar 29, 2027 6:30\u202fPM (Vientiane, UTC+7)",
                "total": "In total: 24 h",
                "webinar": "webinar",
            },
        ),
    ],
)
def test_a_student_sees_each_seminar_as_a_seminar_with_its_place_days_and_hours(
    client: TestClient, db: Session, mba: Course, language: str, expected: dict[str, str]
):
    student = make_user(
        db, email="etudiant@example.org", password=PASSWORD, language=language,
        time_zone="Asia/Vientiane",
    )  # fmt: skip
    enrol_as(db, mba, student, CourseRole.STUDENT)
    sign_in(client, student.email)
    seance = _module(db, mba, "s1-seance")
    (first_seminar, *_) = _seminars(db, mba)

    outline = client.get(f"/courses/{mba.code}").text
    page = client.get(f"/courses/{mba.code}/modules/{seance.id}").text

    assert outline.count(expected["label"]) == 6  # the six seminar modules
    assert f'<span class="hint">{expected["webinar"]}</span>' not in outline  # none in the MBA
    assert outline.count("ENSP, Rabat") == 6
    assert expected["first"] in outline  # its days, folded under the module
    assert expected["days"] in page
    assert expected["kind"] in page
    assert expected["venue"] in page
    assert expected["first"] in page
    assert page.count("(Vientiane, UTC+7)") == 12  # six half-days, start and end each
    assert expected["total"].replace("\u00a0", " ") in page.replace("\u00a0", " ")
    assert f'href="/sessions/{first_seminar.id}"' in page
    assert "Jour 1, matin — Ouverture" in page


@pytest.mark.time_machine(LOADED)
def test_each_seminar_page_gives_the_programme_of_its_days_and_readings(
    client: TestClient, db: Session, mba: Course
):
    student = make_user(db, email="etudiant@example.org", password=PASSWORD, language="fr")
    enrol_as(db, mba, student, CourseRole.STUDENT)
    sign_in(client, student.email)

    for number in range(1, 7):  # in order: each unlocks the next
        module = _module(db, mba, f"s{number}-contenu")
        page = client.get(f"/courses/{mba.code}/modules/{module.id}").text
        readings = page[page.index("Lectures et références") :]

        assert re.search(r"<h3>Programme du séminaire", page), number
        assert "8 h 30 – 12 h 30" in page, number
        assert "13 h 30 – 17 h 30" in page, number
        assert re.search(r"<h3>Lectures et références</h3>", page), number
        assert len(re.findall(r"<li>", readings)) >= 3, number
        assert all(
            re.search(r"(19|20)\d\d", item)
            for item in re.findall(r"<li>(.*?)</li>", readings, re.S)
        ), number


@pytest.mark.time_machine(LOADED)
def test_who_may_not_see_the_courses_sessions_learns_only_that_it_is_a_seminar(
    db: Session, mba: Course
):
    stranger = actor_for_user(make_user(db))
    seance = _module(db, mba, "s1-seance")

    (seen,) = linked.sessions_of_module(db, stranger, frozenset(), seance)

    assert seen.is_seminar
    assert (seen.shown, seen.location, seen.sittings) == (False, None, ())


@pytest.mark.time_machine(LOADED)
def test_the_inductions_online_webinars_stay_webinars(client: TestClient, db: Session, mba: Course):
    induction = db.scalars(select(Course).where(Course.code == "MPHM-IND")).one()
    student = make_user(db, email="student@example.org", password=PASSWORD)
    enrol_as(db, induction, student, CourseRole.STUDENT)
    sign_in(client, student.email)
    week_1 = _module(db, induction, "w1-webinar")

    outline = client.get(f"/courses/{induction.code}").text
    page = client.get(f"/courses/{induction.code}/modules/{week_1.id}").text

    assert outline.count('<span class="hint">webinar') == 4
    assert '<span class="hint">seminar' not in outline
    assert "Webinar · online" in page
    assert "Venue:" not in page
    assert "In total: 1.5 h" in page  # 90 minutes

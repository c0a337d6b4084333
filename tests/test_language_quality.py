"""What a reader notices of the language pass: counts agree with their number in every language,
and French course content is set with French spacing."""

from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Module
from app.courses.schemas import ModuleUpdate
from app.courses.service import content, courses, packages
from app.membership.models import CourseRole
from app.seed import load_institutions
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.courses.factories import enrol_as, import_hs101
from tests.smtp import Inbox

N = "\u202f"
SEED = Path(__file__).resolve().parents[1] / "courses_seed"
QUESTION = (
    "## À préparer pour le séminaire\n\n"
    "Rédigez une page : quelles décisions prenez-vous aujourd'hui seul, lesquelles remontez-vous "
    "au niveau central, et lesquelles aimeriez-vous pouvoir prendre au niveau régional ? Pourquoi ?"
)


def _course_page(client: TestClient, db: Session, settings: Settings, hours: int, lang: str):
    course = import_hs101(db, settings)
    course.workload_hours = hours
    db.flush()
    return client.get(f"/courses/{course.code}", headers={"accept-language": lang}).text


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        (1, "1 час работы"),
        (2, "2 часа работы"),
        (5, "5 часов работы"),
        (11, "11 часов работы"),
        (21, "21 час работы"),
        (101, "101 час работы"),
    ],
)
def test_russian_workload_agrees_with_its_number(
    client: TestClient, db: Session, settings: Settings, hours: int, shown: str
):
    assert shown in _course_page(client, db, settings, hours, "ru")


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        (1, "ساعة عمل واحدة"),  # one
        (2, "ساعتا عمل"),  # two
        (5, "5 ساعات عمل"),  # few: 3–10
        (11, "11 ساعةً عمل"),  # many: 11–99
        (21, "21 ساعةً عمل"),
        (101, "101 ساعة عمل"),  # other: 100–102
    ],
)
def test_arabic_workload_agrees_with_its_number(
    client: TestClient, db: Session, settings: Settings, hours: int, shown: str
):
    assert shown in _course_page(client, db, settings, hours, "ar")


@pytest.mark.parametrize(
    ("hours", "shown"), [(1, "1 heure de travail"), (2, "2 heures de travail")]
)
def test_french_workload_agrees_with_its_number(
    client: TestClient, db: Session, settings: Settings, hours: int, shown: str
):
    assert shown in _course_page(client, db, settings, hours, "fr")


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [(0, "d'ici 0 minute\u202f:"), (1, "d'ici 1 minute\u202f:"), (2, "d'ici 2 minutes\u202f:")],
)
def test_french_reset_mail_counts_its_minutes(
    client: TestClient, db: Session, settings: Settings, inbox: Inbox, minutes: int, shown: str
):
    settings.password_reset_minutes = minutes
    make_user(db, email="amina@example.org", password=PASSWORD, language="fr")

    client.post(
        "/reset-password",
        data={"csrf_token": page_csrf(client, "/reset-password"), "email": "amina@example.org"},
    )

    body = inbox.messages[0].get_payload(decode=True).decode()
    assert shown in body


def test_progress_counts_required_modules_in_russian(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    user = make_user(db, email="s@example.org", password=PASSWORD, language="ru")
    enrol_as(db, course, user, CourseRole.STUDENT)
    sign_in(client, "s@example.org")

    page = client.get(f"/courses/{course.code}").text

    # HS-101 has three required modules: «из 3 обязательных модулей», not «из 3 модуля».
    assert "Выполнено 0 из 3 обязательных модулей" in page


def test_a_french_course_is_shown_with_french_spacing(
    client: TestClient, db: Session, settings: Settings
):
    load_institutions(db, SEED)
    course = packages.import_course(
        db, SYSTEM, settings, packages.DirectorySource(SEED / "courses" / "MBA-TSM")
    )
    courses.publish_course(db, SYSTEM, course.id)
    course.title = "MBA : management territorial de la santé"
    db.flush()
    user = make_user(db, email="cadre@example.org", password=PASSWORD, language="en")
    enrol_as(db, course, user, CourseRole.STUDENT)
    sign_in(client, "cadre@example.org")
    first = db.scalars(
        select(Module).where(Module.course_id == course.id, Module.key == "s1-contenu")
    ).one()
    # The seminar's question as its author typed it, with ordinary spaces.
    content.update_module(db, SYSTEM, settings, first.id, ModuleUpdate(body=QUESTION))
    db.flush()

    outline = client.get(f"/courses/{course.code}").text
    reading = client.get(f"/courses/{course.code}/modules/{first.id}").text

    assert f"MBA{N}: management territorial" in outline
    article = reading.split('<article class="content"', 1)[1].split("</article>", 1)[0]
    assert f"Rédigez une page{N}: quelles décisions" in article
    assert f"au niveau régional{N}? Pourquoi{N}?" in article
    assert first.body_markdown == QUESTION  # what the author typed is kept as typed


def test_workload_warning_is_in_the_teachers_language(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    course.ects, course.workload_hours = Decimal("5"), 60
    db.flush()
    user = make_user(db, email="prof@example.org", password=PASSWORD, language="fr")
    enrol_as(db, course, user, CourseRole.TEACHER)
    sign_in(client, "prof@example.org")

    page = client.get(f"/courses/{course.code}").text

    assert "60 h de travail pour 5 ECTS, c&#39;est hors de la fourchette" in page
    assert "HS-101 · 5 ECTS · 60 heures de travail" in page  # not "5.0 ECTS"
    assert f"(attendu{N}: 125 à 150 h)" in page

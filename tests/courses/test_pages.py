"""Catalogue, course, module and dashboard pages: what a student and a visitor see."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.courses.models import Course, ModuleCompletion
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101, module

# With the course structure cached (the steady state); one of them reads the sessions of the
# outline's webinar modules (a seminar shows as one, with its days): HS-101 has one.
COURSE_PAGE_BUDGET = 5
DASHBOARD_BUDGET = 5
CATALOGUE_BUDGET = 3
# The module page also reads the module's versions in other languages (its language switch).
MODULE_PAGE_BUDGET = 5
API_CATALOGUE_BUDGET = 1
API_PROGRAMMES_BUDGET = 3


def _student(client: TestClient, db: Session, course: Course, email: str = "s@example.org") -> None:
    user = make_user(db, email=email, password=PASSWORD)
    enrol_as(db, course, user, CourseRole.STUDENT)
    sign_in(client, email)


def test_visitor_reads_an_open_course_without_an_account(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)

    page = client.get(f"/courses/{course.code}")

    assert page.status_code == 200
    assert "Health systems in practice" in page.text
    assert "licence CC-BY-SA-4.0" in page.text


def test_visitor_is_asked_to_sign_in_for_a_draft_course(
    client: TestClient, db: Session, settings: Settings
):
    """A closed published course shows its landing page (tests/courses/test_open_resources.py);
    a draft one tells a visitor nothing but to sign in."""
    course = import_hs101(db, settings, publish=False)
    course.is_open = False
    db.flush()

    page = client.get(f"/courses/{course.code}", follow_redirects=False)

    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/courses/{course.code}"


def test_locked_module_page_explains_itself_and_hides_the_content(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    _student(client, db, course)
    blocks = module(db, course, "blocks")

    page = client.get(f"/courses/{course.code}/modules/{blocks.id}")

    assert page.status_code == 403
    assert "This module is locked" in page.text
    assert "Complete “Introduction” first." in page.text
    assert "Service delivery" not in page.text


def test_lock_reason_is_shown_in_the_students_language(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    user = make_user(db, email="fr@example.org", password=PASSWORD, language="fr")
    enrol_as(db, course, user, CourseRole.STUDENT)
    sign_in(client, user.email)

    page = client.get(f"/courses/{course.code}/modules/{module(db, course, 'blocks').id}")

    assert (
        "Terminez d&#39;abord «\u202fIntroduction\u202f»." in page.text
        or "Terminez d'abord «\u202fIntroduction\u202f»." in page.text
    )


def test_reading_and_marking_done_moves_progress_on_the_dashboard(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    _student(client, db, course)
    intro, blocks = module(db, course, "intro"), module(db, course, "blocks")

    before = client.get("/")
    client.get(f"/courses/{course.code}/modules/{intro.id}")
    marked = client.post(
        f"/courses/{course.code}/modules/{blocks.id}/done",
        data={"csrf_token": page_csrf(client, f"/courses/{course.code}/modules/{blocks.id}")},
        follow_redirects=False,
    )
    after = client.get("/")

    assert "0% done" in before.text
    assert marked.status_code == 303
    assert "66% done" in after.text


def test_course_page_shows_ticks_and_locks(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    _student(client, db, course)
    client.get(f"/courses/{course.code}/modules/{module(db, course, 'intro').id}")

    page = client.get(f"/courses/{course.code}")

    assert "1 of 3 required modules done" in page.text
    assert 'class="locked"' in page.text
    assert "Complete “The building blocks” first." in page.text


def test_catalogue_page_filters_by_text_and_language(
    client: TestClient, db: Session, settings: Settings
):
    import_hs101(db, settings)

    found = client.get("/catalogue?q=practice")
    none = client.get("/catalogue?language=fr")

    assert "Health systems in practice" in found.text
    assert "No course matches your search." in none.text


def test_file_download_from_the_page_is_an_attachment(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    glossary = module(db, course, "glossary")

    response = client.get(f"/modules/{glossary.id}/files/glossary.txt")

    assert response.status_code == 200
    assert b"universal health coverage" in response.content
    assert response.headers["content-disposition"].startswith("attachment")


def test_course_dashboard_and_catalogue_keep_their_query_budgets(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
):
    course = import_hs101(db, settings)
    user = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, user, CourseRole.STUDENT)
    sign_in(client, user.email)
    paths = {
        "course": (f"/courses/{course.code}", COURSE_PAGE_BUDGET),
        "dashboard": ("/", DASHBOARD_BUDGET),
        "catalogue": ("/catalogue?q=health", CATALOGUE_BUDGET),
        "module": (
            f"/courses/{course.code}/modules/{module(db, course, 'intro').id}",
            MODULE_PAGE_BUDGET,
        ),
    }

    def counts() -> dict[str, int]:
        result = {}
        for name, (path, _) in paths.items():
            with queries:
                assert client.get(path).status_code == 200, path
            result[name] = queries.count
        return result

    counts()  # the first visit of the module records its completion; measure steady state
    small = counts()
    for index in range(3):
        extra = import_hs101(db, settings, code=f"GROW-{index}")
        enrol_as(db, extra, user, CourseRole.STUDENT)
    large = counts()

    assert small == large
    for name, (_, budget) in paths.items():
        assert large[name] <= budget, (name, large[name])


def test_a_module_at_another_courses_address_is_not_found_and_not_marked_done(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    other = import_hs101(db, settings, code="HS-102")
    _student(client, db, course)
    student = db.scalars(select(User).where(User.email == "s@example.org")).one()
    enrol_as(db, other, student, CourseRole.STUDENT)
    blocks = module(db, course, "blocks")
    csrf = page_csrf(client, f"/courses/{course.code}/modules/{blocks.id}")

    page = client.get(f"/courses/{other.code}/modules/{blocks.id}")
    marked = client.post(
        f"/courses/{other.code}/modules/{blocks.id}/done",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )

    assert (page.status_code, marked.status_code) == (404, 404)
    assert (
        db.scalar(select(ModuleCompletion.id).where(ModuleCompletion.module_id == blocks.id))
        is None
    )

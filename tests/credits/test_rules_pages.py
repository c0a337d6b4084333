"""The registrar's programme rules page: the courses with how the rules count them, one form
for semesters, elective groups and compensation units; a refused form shows its message with
what was typed and writes nothing; people who keep no records of the programme are refused."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.security import csrf_token_for
from app.credits.rules_models import CompensationUnit, ElectiveGroup, ProgrammeRules
from tests.accounts.factories import make_user
from tests.credits.progress_world import ProgressWorld, progress_world


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    world = progress_world(db)
    world.add_course("QM", "5", 1)
    world.add_course("HS", "5", 1)
    world.add_course("ENT", "10", 2)
    return world


def _browser(client: TestClient, db: Session, settings: Settings, user: User) -> TestClient:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, auth.start_session(db, settings, user, "t", "t"))
    db.flush()
    return client


def _post(client: TestClient, settings: Settings, path: str, data: dict) -> object:
    csrf = csrf_token_for(settings, client.cookies[SESSION_COOKIE])
    return client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)


FORM = {
    "semesters": "3",
    "group-0-code": "TRACK", "group-0-title": "Quality or safety track",
    "group-0-semester": "1", "group-0-min_credits": "5", "group-0-courses": ["QM", "HS"],
    "unit-0-code": "S2", "unit-0-title": "Semester 2", "unit-0-semester": "",
    "unit-0-threshold_percent": "50", "unit-0-courses": ["ENT"],
}  # fmt: skip


def test_a_registrar_sets_the_rules_in_one_form(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    browser = _browser(client, db, settings, make_user(db, role=PlatformRole.MANAGER))
    path = f"/admin/programmes/{w.programme.code}/rules"

    saved = _post(browser, settings, path, FORM)
    page = browser.get(path + "?saved=1")

    assert saved.status_code == 303
    assert "The programme rules are saved." in page.text
    assert 'value="TRACK"' in page.text
    assert 'value="S2"' in page.text
    assert db.scalar(select(ProgrammeRules.semesters)) == 3
    group = db.scalars(select(ElectiveGroup)).one()
    assert (group.title, group.semester, group.min_credits) == ("Quality or safety track", 1, 5)
    unit = db.scalars(select(CompensationUnit)).one()
    assert (unit.semester, unit.threshold_percent) == (None, 50)


def test_emptying_a_group_removes_it(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    browser = _browser(client, db, settings, make_user(db, role=PlatformRole.MANAGER))
    path = f"/admin/programmes/{w.programme.code}/rules"
    _post(browser, settings, path, FORM)

    kept_unit_only = {k: v for k, v in FORM.items() if not k.startswith("group-")}
    assert _post(browser, settings, path, kept_unit_only).status_code == 303

    db.expire_all()
    assert db.scalars(select(ElectiveGroup)).all() == []
    assert db.scalars(select(CompensationUnit.code)).all() == ["S2"]


def test_an_invalid_rule_is_shown_with_what_was_typed_and_nothing_is_saved(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    browser = _browser(client, db, settings, make_user(db, role=PlatformRole.MANAGER))
    path = f"/admin/programmes/{w.programme.code}/rules"

    refused = _post(browser, settings, path, {**FORM, "group-0-min_credits": "11"})

    assert refused.status_code == 422
    assert "The minimum credits exceed the credits of the group" in refused.text
    assert 'href="#group-0"' in refused.text
    assert 'value="11"' in refused.text
    assert db.scalars(select(ElectiveGroup)).all() == []
    assert db.scalar(select(ProgrammeRules.id)) is None


def test_a_bad_number_is_refused_with_a_message(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    browser = _browser(client, db, settings, make_user(db, role=PlatformRole.MANAGER))
    path = f"/admin/programmes/{w.programme.code}/rules"

    refused = _post(browser, settings, path, {**FORM, "unit-0-threshold_percent": "lots"})

    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert db.scalars(select(CompensationUnit)).all() == []


def test_the_page_is_in_the_readers_language(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    registrar = make_user(db, role=PlatformRole.MANAGER, language="fr")
    browser = _browser(client, db, settings, registrar)

    page = browser.get(f"/admin/programmes/{w.programme.code}/rules")

    assert page.status_code == 200
    assert "Règles de crédits" in page.text


def test_a_learner_may_not_open_the_rules_page(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    browser = _browser(client, db, settings, w.learner())

    assert browser.get(f"/admin/programmes/{w.programme.code}/rules").status_code == 403
    assert (
        _post(browser, settings, f"/admin/programmes/{w.programme.code}/rules", FORM).status_code
        == 403
    )
    assert db.scalars(select(ElectiveGroup)).all() == []

"""Progress and programme rules over the API: the learner and their institution's partner
system read progress, a partner of another institution reads nothing; a registrar replaces a
programme's rules, and invalid rules are refused with a stable code, changing nothing."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import Institution, User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.security import encode_access_token
from app.credits.models import EntrySource
from app.credits.rules_models import CompensationUnit, ElectiveGroup
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import bearer, make_api_client, make_institution, make_user
from tests.conftest import QueryCounter
from tests.credits.progress_world import ProgressWorld, progress_world

# The caller's account, the learner, the programmes, their rules (five), the entries in force
# and the course results, whatever the number of programmes.
BUDGET = 11


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    world = progress_world(db)
    world.add_course("QM", "5", 1)
    world.add_course("HS", "5", 1)
    world.add_course("ENT", "10", 2)
    return world


def user_headers(settings: Settings, user: User) -> dict[str, str]:
    scopes = sorted(auth.user_scopes_allowed(user))
    return bearer(encode_access_token(settings, f"user:{user.id}", scopes)[0])


def partner_headers(db: Session, settings: Settings, institution: Institution) -> dict[str, str]:
    scopes = ["credits:read", "credits:write"]
    client = make_api_client(db, institution, scopes)
    return bearer(encode_access_token(settings, f"client:{client.id}", scopes)[0])


def test_the_learner_reads_what_is_earned_and_what_is_left(
    client: TestClient, settings: Settings, w: ProgressWorld
):
    alice = w.learner()
    w.award(alice, "QM")
    w.award_unit(alice, "KZ-101", "4", EntrySource.TRANSFER)
    path = f"/api/v1/users/{alice.id}/programmes/{w.programme.code}/progress"

    body = client.get(path, headers=user_headers(settings, alice)).json()

    assert (body["required"], body["earned"], body["eligible"]) == ("20.0", "9.0", False)
    assert [(c["code"], c["status"]) for c in body["courses"]] == [
        ("QM", "earned"), ("HS", "missing"), ("ENT", "missing"),
    ]  # fmt: skip
    assert body["courses"][0]["entry"]["source"] == "course_result"
    assert [e["unit_code"] for e in body["other_entries"]] == ["KZ-101"]
    assert body["to_take"] == {"1": ["HS"], "2": ["ENT"]}
    assert body["unmet"] == [
        "9 of 20 credits earned.",
        "The mandatory course HS is not earned yet.",
        "The mandatory course ENT is not earned yet.",
    ]


def test_a_partner_reads_its_learners_only(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    alice = w.learner()
    w.award(alice, "QM")
    path = f"/api/v1/users/{alice.id}/programmes/{w.programme.code}/progress"
    elsewhere = make_institution(db)

    own = client.get(path, headers=partner_headers(db, settings, w.home))
    other = client.get(path, headers=partner_headers(db, settings, elsewhere))

    assert own.status_code == 200
    assert own.json()["earned"] == "5.0"
    assert other.status_code == 404
    assert "earned" not in other.text


def test_every_enrolled_programme_is_listed(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    alice = w.learner()
    second = progress_world(db, ects="10")
    second.add_course("SD", "10", 1)
    for programme in (w.programme, second.programme):
        db.add(ProgrammeEnrolment(programme_id=programme.id, user_id=alice.id))
    db.flush()
    second.award(alice, "SD")

    body = client.get(
        f"/api/v1/users/{alice.id}/progress", headers=user_headers(settings, alice)
    ).json()

    assert [(p["programme"], p["earned"], p["eligible"]) for p in body] == sorted(
        [(w.programme.code, "0.0", False), (second.programme.code, "10.0", True)]
    )


def _rules(code: str = "TRACK", minimum: str = "5", courses: list[str] | None = None) -> dict:
    return {
        "semesters": 2,
        "elective_groups": [
            {"code": code, "title": "Track", "min_credits": minimum, "courses": courses or ["QM"]}
        ],
        "compensation_units": [
            {"code": "S1", "title": "Semester 1", "semester": 1, "threshold_percent": "50",
             "courses": ["QM", "HS"]},
        ],
    }  # fmt: skip


def test_a_registrar_replaces_the_rules_and_everyone_reads_them(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    registrar = make_user(db, role=PlatformRole.MANAGER)
    path = f"/api/v1/programmes/{w.programme.code}/rules"

    saved = client.put(path, json=_rules(), headers=user_headers(settings, registrar))
    again = client.put(path, json=_rules("TRACK-2"), headers=user_headers(settings, registrar))
    read = client.get(path, headers=user_headers(settings, w.learner()))

    assert saved.status_code == 200
    assert again.status_code == 200
    body = read.json()
    assert body["semesters"] == 2
    assert [g["code"] for g in body["elective_groups"]] == ["TRACK-2"]
    assert body["compensation_units"][0]["courses"] == ["QM", "HS"]
    by_code = {c["code"]: c for c in body["courses"]}
    assert by_code["QM"]["mandatory"] is False  # in an elective group
    assert (by_code["QM"]["elective_group"], by_code["HS"]["compensation_unit"]) == (
        "TRACK-2", "S1",
    )  # fmt: skip
    assert db.scalar(select(func.count()).select_from(ElectiveGroup)) == 1


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        (_rules(courses=["NOPE"]), "elective_groups.0.courses"),
        (_rules(minimum="11", courses=["QM", "HS"]), "elective_groups.0.min_credits"),
        (
            {**_rules(), "compensation_units": [
                {"code": "A", "title": "A", "threshold_percent": "50", "courses": ["QM"]},
                {"code": "B", "title": "B", "threshold_percent": "50", "courses": ["QM", "HS"]},
            ]},
            "compensation_units.1.courses",
        ),
        ({**_rules(), "semesters": 1}, "semesters"),
        (
            {**_rules(), "elective_groups": [
                {"code": "G", "title": "G", "semester": 2, "min_credits": "5", "courses": ["QM"]},
            ]},
            "elective_groups.0.courses",
        ),
        (
            {**_rules(), "elective_groups": [
                {"code": "G", "title": "G", "min_credits": "5", "courses": ["QM"]},
                {"code": "G", "title": "H", "min_credits": "5", "courses": ["HS"]},
            ]},
            "elective_groups.1.code",
        ),
    ],
    ids=[
        "course-outside", "minimum-too-high", "course-in-two-units", "too-few-semesters",
        "course-of-another-semester", "same-code-twice",
    ],
)  # fmt: skip
def test_invalid_rules_are_refused_and_nothing_changes(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld, rules: dict, field: str
):
    registrar = make_user(db, role=PlatformRole.MANAGER)
    path = f"/api/v1/programmes/{w.programme.code}/rules"
    client.put(path, json=_rules("KEPT"), headers=user_headers(settings, registrar))

    response = client.put(path, json=rules, headers=user_headers(settings, registrar))

    assert response.status_code == 422
    assert response.json()["code"] == "programme_rule_invalid"
    assert response.json()["errors"][0]["field"] == field
    db.expire_all()
    assert db.scalars(select(ElectiveGroup.code)).all() == ["KEPT"]
    assert db.scalars(select(CompensationUnit.code)).all() == ["S1"]


def test_an_institutions_mandatory_course_cannot_be_elective(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    w.make_transversal("QM")
    registrar = make_user(db, role=PlatformRole.MANAGER)

    response = client.put(
        f"/api/v1/programmes/{w.programme.code}/rules",
        json=_rules(),
        headers=user_headers(settings, registrar),
    )

    assert response.status_code == 422
    assert "mandatory course cannot be elective" in response.json()["detail"]


def test_a_manager_of_another_institution_may_not_change_the_rules(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    other = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=make_institution(db))
    own = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.home)
    path = f"/api/v1/programmes/{w.programme.code}/rules"

    refused = client.put(path, json=_rules(), headers=user_headers(settings, other))
    allowed = client.put(path, json=_rules(), headers=user_headers(settings, own))

    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert Decimal(allowed.json()["elective_groups"][0]["min_credits"]) == 5


@pytest.mark.parametrize("programmes", [1, 3])
def test_all_programmes_read_in_a_fixed_number_of_queries(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter, programmes: int
):
    alice = make_user(db)
    for _ in range(programmes):
        world = progress_world(db)
        for code in ("A", "B", "C"):
            world.add_course(f"{world.programme.code}-{code}", "5", 1)
        world.set_rules(
            compensation_units=[
                {"code": "U", "title": "Unit", "threshold_percent": "50",
                 "courses": [f"{world.programme.code}-A", f"{world.programme.code}-B"]},
            ]
        )  # fmt: skip
        world.award(alice, f"{world.programme.code}-A", percent="80")
        world.result(alice, f"{world.programme.code}-B", "30")
        db.add(ProgrammeEnrolment(programme_id=world.programme.id, user_id=alice.id))
    db.flush()
    headers = user_headers(settings, alice)

    with queries:
        body = client.get(f"/api/v1/users/{alice.id}/progress", headers=headers).json()

    assert [p["earned"] for p in body] == ["10.0"] * programmes
    assert queries.count == BUDGET


def test_a_course_named_twice_in_one_group_is_in_it_once(
    client: TestClient, db: Session, settings: Settings, w: ProgressWorld
):
    registrar = make_user(db, role=PlatformRole.MANAGER)

    response = client.put(
        f"/api/v1/programmes/{w.programme.code}/rules",
        json=_rules(courses=["QM", "QM", "HS"]),
        headers=user_headers(settings, registrar),
    )

    assert response.status_code == 200
    assert response.json()["elective_groups"][0]["courses"] == ["QM", "HS"]

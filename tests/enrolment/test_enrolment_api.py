"""Enrolment over the API: self-enrolment rules, lifecycle history, IDOR, bulk, cohorts,
groups and sensitive learner data."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import AuditEntry, Institution, User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Course, SelfEnrolment
from app.enrolment.models import LearnerProfile
from app.membership.models import CoursePartner, CourseRole, Enrolment, EnrolmentStatus
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
)
from tests.courses.factories import enrol_as, import_hs101


def _headers(
    client: TestClient, db: Session, email: str, role: PlatformRole = PlatformRole.USER, **kw
) -> dict[str, str]:
    user = make_user(db, email=email, password=PASSWORD, role=role)
    for name, value in kw.items():
        setattr(user, name, value)
    db.flush()
    return bearer(api_token(client, email))


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)


def _user_id(db: Session, email: str) -> int:
    found = db.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found


def test_student_enrols_in_an_open_course_once(client: TestClient, db: Session, course: Course):
    headers = _headers(client, db, "s@example.org")

    first = client.post(f"/api/v1/courses/{course.id}/self-enrolment", json={}, headers=headers)
    again = client.post(f"/api/v1/courses/{course.id}/self-enrolment", json={}, headers=headers)

    assert first.status_code == 201
    assert first.json()["status"] == "active"
    assert again.status_code == 409
    assert again.json()["code"] == "already_enrolled"


def test_enrolment_key_capacity_window_and_approval(
    client: TestClient, db: Session, course: Course
):
    course.self_enrolment = SelfEnrolment.KEY
    manager = _headers(client, db, "m@example.org", PlatformRole.MANAGER)
    options = {"key": "mekong-2026", "capacity": 1, "requires_approval": True}
    assert (
        client.put(
            f"/api/v1/courses/{course.id}/enrolment-options", json=options, headers=manager
        ).status_code
        == 204
    )
    first, second = _headers(client, db, "a@example.org"), _headers(client, db, "b@example.org")

    wrong = client.post(
        f"/api/v1/courses/{course.id}/self-enrolment", json={"key": "guess"}, headers=first
    )
    right = client.post(
        f"/api/v1/courses/{course.id}/self-enrolment", json={"key": "mekong-2026"}, headers=first
    )
    full = client.post(
        f"/api/v1/courses/{course.id}/self-enrolment", json={"key": "mekong-2026"}, headers=second
    )

    assert wrong.json()["code"] == "wrong_enrolment_key"
    assert right.json()["status"] == "pending"
    assert full.status_code == 409
    assert full.json()["code"] == "course_full"
    approved = client.patch(
        f"/api/v1/enrolments/{right.json()['id']}",
        json={"status": "active", "reason": "documents checked"},
        headers=manager,
    )
    assert approved.json()["status"] == "active"


def test_enrolment_window_closed(client: TestClient, db: Session, course: Course):
    manager = _headers(client, db, "m@example.org", PlatformRole.MANAGER)
    closed = {"closes_at": (utcnow() - timedelta(days=1)).isoformat()}
    client.put(f"/api/v1/courses/{course.id}/enrolment-options", json=closed, headers=manager)

    response = client.post(
        f"/api/v1/courses/{course.id}/self-enrolment",
        json={},
        headers=_headers(client, db, "late@example.org"),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "enrolment_closed"


def test_every_status_change_is_kept_with_who_and_why(
    client: TestClient, db: Session, course: Course
):
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    headers = bearer(api_token(client, teacher.email))
    student = make_user(db)
    enrolment = client.post(
        f"/api/v1/courses/{course.id}/enrolments", json={"user_id": student.id}, headers=headers
    ).json()

    client.patch(
        f"/api/v1/enrolments/{enrolment['id']}",
        json={"status": "suspended", "reason": "unpaid fees"},
        headers=headers,
    )
    log = client.get(f"/api/v1/enrolments/{enrolment['id']}/history", headers=headers).json()

    assert [(c["from_status"], c["to_status"]) for c in log] == [
        (None, "active"),
        ("active", "suspended"),
    ]
    assert log[1]["reason"] == "unpaid fees"
    assert log[1]["by_user_id"] == teacher.id


def test_students_cannot_enrol_others_or_see_others_enrolments(
    client: TestClient, db: Session, course: Course
):
    me = make_user(db, email="me@example.org", password=PASSWORD)
    enrol_as(db, course, me, CourseRole.STUDENT)
    other = make_user(db)
    enrol_as(db, course, other, CourseRole.STUDENT)
    headers = bearer(api_token(client, me.email))
    other_enrolment = db.scalar(select(Enrolment.id).where(Enrolment.user_id == other.id))
    count = db.scalar(select(func.count()).select_from(Enrolment))

    assert (
        client.post(
            f"/api/v1/courses/{course.id}/enrolments", json={"user_id": other.id}, headers=headers
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/enrolments/{other_enrolment}", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/courses/{course.id}/participants", headers=headers).status_code == 404
    )
    assert db.scalar(select(func.count()).select_from(Enrolment)) == count


def test_teacher_of_another_course_cannot_see_these_participants(
    client: TestClient, db: Session, course: Course, settings: Settings
):
    other_course = import_hs101(db, settings, code="HS-OTHER")
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, other_course, teacher, CourseRole.TEACHER)

    response = client.get(
        f"/api/v1/courses/{course.id}/participants",
        headers=bearer(api_token(client, teacher.email)),
    )

    assert response.status_code == 404


def _client_token(
    client: TestClient,
    db: Session,
    scopes: list[str],
    code: str = "P12",
    partner_of: Course | None = None,
) -> str:
    """A partner institution's client token; the institution becomes a partner of
    `partner_of`, so that its client reaches the course."""
    partner = make_institution(db, code, "KZ")
    if partner_of is not None:
        db.add(CoursePartner(course_id=partner_of.id, institution_id=partner.id))
        db.flush()
    api_client = make_api_client(db, partner, scopes)
    return client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, "s3cret-partner-key"),
    ).json()["access_token"]


ROWS = [
    {"external_id": "KZ-001", "email": "aigerim@example.kz", "display_name": "Aigerim S."},
    {
        "external_id": "KZ-002",
        "email": "dana@example.kz",
        "display_name": "Dana K.",
        "funding": "scholarship",
        "funder_name": "Erasmus+",
    },
]


def test_bulk_enrolment_twice_changes_nothing(client: TestClient, db: Session, course: Course):
    headers = bearer(_client_token(client, db, ["enrolments:write"], partner_of=course))

    first = client.post(
        f"/api/v1/courses/{course.id}/bulk-enrolments", json={"rows": ROWS}, headers=headers
    )
    counts = (
        db.scalar(select(func.count()).select_from(User)),
        db.scalar(select(func.count()).select_from(Enrolment)),
    )
    second = client.post(
        f"/api/v1/courses/{course.id}/bulk-enrolments", json={"rows": ROWS}, headers=headers
    )

    assert [r["outcome"] for r in first.json()] == ["created", "created"]
    assert [r["outcome"] for r in second.json()] == ["unchanged", "unchanged"]
    assert (
        db.scalar(select(func.count()).select_from(User)),
        db.scalar(select(func.count()).select_from(Enrolment)),
    ) == counts


def test_bulk_bad_row_is_reported_and_leaves_nothing_half_made(
    client: TestClient, db: Session, course: Course
):
    headers = bearer(_client_token(client, db, ["enrolments:write"], partner_of=course))
    rows = [
        ROWS[0],
        {"external_id": "KZ-003", "email": "not-an-email", "display_name": "Broken"},
        {
            "external_id": "KZ-004",
            "email": "arman@example.kz",
            "display_name": "Arman",
            "funding": "scholarship",
        },
        ROWS[1],
    ]

    report = client.post(
        f"/api/v1/courses/{course.id}/bulk-enrolments", json={"rows": rows}, headers=headers
    ).json()

    assert [r["outcome"] for r in report] == ["created", "rejected", "rejected", "created"]
    assert report[1]["reason"] == "Not a valid e-mail address."
    assert (report[1]["reason_code"], report[1]["field"]) == ("invalid_email", "email")
    assert "funder" in report[2]["reason"]
    emails = set(db.scalars(select(User.email)))
    assert "arman@example.kz" not in emails
    assert {"aigerim@example.kz", "dana@example.kz"} <= emails


def test_bulk_update_is_reported_as_updated(client: TestClient, db: Session, course: Course):
    headers = bearer(_client_token(client, db, ["enrolments:write"], partner_of=course))
    client.post(
        f"/api/v1/courses/{course.id}/bulk-enrolments", json={"rows": ROWS[:1]}, headers=headers
    )

    changed = [{**ROWS[0], "role": "observer"}]
    report = client.post(
        f"/api/v1/courses/{course.id}/bulk-enrolments", json={"rows": changed}, headers=headers
    ).json()

    assert report[0]["outcome"] == "updated"


def test_partner_without_the_scope_cannot_bulk_enrol(
    client: TestClient, db: Session, course: Course
):
    headers = bearer(_client_token(client, db, ["courses:read"], partner_of=course))

    response = client.post(
        f"/api/v1/courses/{course.id}/bulk-enrolments", json={"rows": ROWS}, headers=headers
    )

    assert response.status_code == 403
    assert db.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_cohort_member_is_enrolled_then_suspended_when_removed(
    client: TestClient, db: Session, course: Course
):
    manager = _headers(client, db, "m@example.org", PlatformRole.MANAGER)
    learner = make_user(db)
    cohort = client.post(
        "/api/v1/cohorts",
        json={"code": "LMQS-KZ-LIC-2021", "name": "LMQS Kazakhstan Licence 2021"},
        headers=manager,
    ).json()
    client.post(
        f"/api/v1/cohorts/{cohort['id']}/courses", json={"course_id": course.id}, headers=manager
    )

    client.post(
        f"/api/v1/cohorts/{cohort['id']}/members", json={"user_id": learner.id}, headers=manager
    )
    enrolled = db.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolled is not None
    assert enrolled.status is EnrolmentStatus.ACTIVE
    client.delete(f"/api/v1/cohorts/{cohort['id']}/members/{learner.id}", headers=manager)

    db.expire_all()
    assert db.get(Enrolment, enrolled.id).status is EnrolmentStatus.SUSPENDED


def test_groups_take_only_enrolled_people(client: TestClient, db: Session, course: Course):
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    headers = bearer(api_token(client, teacher.email))
    student, stranger = make_user(db), make_user(db)
    enrol_as(db, course, student, CourseRole.STUDENT)
    group = client.post(
        f"/api/v1/courses/{course.id}/groups",
        json={"name": "Projet Casablanca-Settat"},
        headers=headers,
    ).json()

    added = client.put(f"/api/v1/groups/{group['id']}/members/{student.id}", headers=headers)
    refused = client.put(f"/api/v1/groups/{group['id']}/members/{stranger.id}", headers=headers)
    listed = client.get(f"/api/v1/courses/{course.id}/groups", headers=headers).json()

    assert added.status_code == 204
    assert refused.status_code == 422
    assert listed[0]["member_ids"] == [student.id]


def test_sensitive_fields_only_for_the_permitted_manager_and_each_read_is_audited(
    client: TestClient, db: Session
):
    learner = make_user(db, email="l@example.org", password=PASSWORD)
    db.add(LearnerProfile(user_id=learner.id, nationality="SY", refugee=True))
    db.flush()
    readers = {
        "plain manager": _headers(client, db, "m1@example.org", PlatformRole.MANAGER),
        "learner": bearer(api_token(client, "l@example.org")),
        "admin without permission": _headers(client, db, "a@example.org", PlatformRole.ADMIN),
    }
    permitted = make_user(db, email="m2@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    permitted.may_read_sensitive = True
    db.flush()
    allowed = bearer(api_token(client, "m2@example.org", scope="users:read sensitive:read"))

    for who, headers in readers.items():
        body = client.get(f"/api/v1/users/{learner.id}/learner-profile", headers=headers).json()
        assert "refugee" not in body, who
        assert "nationality" not in body, who
    body = client.get(f"/api/v1/users/{learner.id}/learner-profile", headers=allowed).json()

    assert (body["nationality"], body["refugee"]) == ("SY", True)
    audits = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "profile.read_sensitive")
    ).all()
    assert [a.actor_user_id for a in audits] == [permitted.id]


def test_partner_reads_sensitive_fields_only_with_the_dedicated_scope(
    client: TestClient, db: Session
):
    without = bearer(_client_token(client, db, ["users:read"], "P5"))
    with_scope = bearer(_client_token(client, db, ["users:read", "sensitive:read"], "P21"))
    p21 = db.scalars(select(Institution).where(Institution.code == "P21")).one()
    learner = make_user(db, institution=p21)  # sensitive reads reach the client's own people
    db.add(LearnerProfile(user_id=learner.id, nationality="AF", refugee=True))
    db.flush()

    assert (
        client.get(f"/api/v1/users/{learner.id}/learner-profile", headers=without).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/users/{learner.id}/learner-profile", headers=with_scope).json()[
            "refugee"
        ]
        is True
    )


def test_groupings_gather_only_the_courses_own_groups(
    client: TestClient, db: Session, course: Course, settings: Settings
):
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    headers = bearer(api_token(client, teacher.email))
    other = import_hs101(db, settings, code="HS-OTHER")
    enrol_as(db, other, teacher, CourseRole.TEACHER)
    team_a = client.post(
        f"/api/v1/courses/{course.id}/groups", json={"name": "A"}, headers=headers
    ).json()
    team_b = client.post(
        f"/api/v1/courses/{course.id}/groups", json={"name": "B"}, headers=headers
    ).json()
    foreign = client.post(
        f"/api/v1/courses/{other.id}/groups", json={"name": "X"}, headers=headers
    ).json()

    made = client.post(
        f"/api/v1/courses/{course.id}/groupings",
        json={"name": "Seminar 3 projects", "group_ids": [team_b["id"], team_a["id"]]},
        headers=headers,
    )
    refused = client.post(
        f"/api/v1/courses/{course.id}/groupings",
        json={"name": "Mixed", "group_ids": [team_a["id"], foreign["id"]]},
        headers=headers,
    )
    listed = client.get(f"/api/v1/courses/{course.id}/groupings", headers=headers).json()

    assert made.status_code == 201
    assert refused.status_code == 422
    assert [(g["name"], g["group_ids"]) for g in listed] == [
        ("Seminar 3 projects", sorted([team_a["id"], team_b["id"]]))
    ]

"""Marking over the API: a grade out of the maximum or on a scale, the version guard, group
grades reaching every member, a member's own grade, and nothing visible before release."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.assignments.models import Marking, MarkingState
from app.enrolment.models import Group, GroupMember
from app.grades.models import Grade, GradeItem, ItemSource, Scale, ScaleLevel
from tests.assignments.factories import make_submission
from tests.assignments.marking_setup import Class, klass_fixture  # noqa: F401

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _grades(klass: Class, assignment_id: int) -> dict[int, Grade]:
    item = klass.db.scalar(
        select(GradeItem).where(
            GradeItem.source == ItemSource.ASSIGNMENT, GradeItem.source_id == assignment_id
        )
    )
    if item is None:
        return {}
    return {g.user_id: g for g in klass.db.scalars(select(Grade).where(Grade.item_id == item.id))}


@pytest.mark.time_machine(NOW)
def test_a_marker_grades_out_of_the_maximum_and_releases(client: TestClient, klass: Class):
    assignment = klass.assignment()
    amina = klass.students[0]
    attempt = make_submission(klass.db, assignment, user=amina)
    teacher = klass.headers(klass.teacher)

    saved = client.put(
        f"/api/v1/submissions/{attempt.id}/marking", headers=teacher,
        json={"version": 0, "points": "14.5", "feedback": "Good *work*<script>x</script>"},
    )  # fmt: skip
    before = _grades(klass, assignment.id)
    released = client.put(
        f"/api/v1/submissions/{attempt.id}/marking", headers=teacher,
        json={"version": 1, "points": "15", "feedback": "Good", "release": True},
    )  # fmt: skip

    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1
    assert "<em>work</em>" in saved.json()["feedback_html"]
    assert "<script>" not in saved.json()["feedback_html"]
    assert before == {}  # nothing in the gradebook before release
    assert released.json()["state"] == "released"
    klass.db.expire_all()
    grade = _grades(klass, assignment.id)[amina.id]
    assert grade.points == Decimal(15)
    assert grade.released_at is not None


def test_a_stale_version_is_409_and_keeps_the_first_marking(client: TestClient, klass: Class):
    assignment = klass.assignment()
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    url = f"/api/v1/submissions/{attempt.id}/marking"

    first = client.put(
        url, headers=klass.headers(klass.teacher), json={"version": 0, "points": "12"}
    )
    second = client.put(url, headers=klass.headers(klass.tutor), json={"version": 0, "points": "3"})

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "marking_edited_meanwhile"
    assert Decimal(client.get(url, headers=klass.headers(klass.teacher)).json()["points"]) == 12


def test_points_beyond_the_maximum_are_refused(client: TestClient, klass: Class):
    assignment = klass.assignment(max_points=Decimal(20))
    attempt = make_submission(klass.db, assignment, user=klass.students[0])

    refused = client.put(
        f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.teacher),
        json={"version": 0, "points": "21"},
    )  # fmt: skip

    assert refused.status_code == 422
    assert klass.db.scalar(select(Marking).where(Marking.submission_id == attempt.id)) is None


def test_learners_and_outsiders_cannot_read_a_marking(client: TestClient, klass: Class):
    assignment = klass.assignment()
    attempt = make_submission(klass.db, assignment, user=klass.students[0])

    own = client.get(f"/api/v1/submissions/{attempt.id}/marking",
                     headers=klass.headers(klass.students[0]))  # fmt: skip
    other = client.get(f"/api/v1/submissions/{attempt.id}/marking",
                       headers=klass.headers(klass.students[1]))  # fmt: skip

    assert own.status_code == 404
    assert other.status_code == 404


def test_a_learner_who_did_not_submit_can_be_graded(client: TestClient, klass: Class):
    assignment = klass.assignment()
    boris = klass.students[1]
    teacher = klass.headers(klass.teacher)

    started = client.post(f"/api/v1/assignments/{assignment.id}/empty-attempts", headers=teacher,
                          json={"user_id": boris.id})  # fmt: skip
    submission_id = started.json()["submission_id"]
    marked = client.put(f"/api/v1/submissions/{submission_id}/marking", headers=teacher,
                        json={"version": 0, "points": "0", "release": True})  # fmt: skip

    assert started.status_code == 201
    assert Decimal(marked.json()["final_points"]) == 0
    klass.db.expire_all()
    assert _grades(klass, assignment.id)[boris.id].points == Decimal(0)


def test_a_group_grade_reaches_every_member_and_one_member_is_set_apart(
    client: TestClient, klass: Class
):
    assignment = klass.assignment(group_submission=True)
    group = Group(course_id=klass.course.id, name="Team A")
    klass.db.add(group)
    klass.db.flush()
    amina, boris, _ = klass.students
    klass.db.add_all([GroupMember(group_id=group.id, user_id=u.id) for u in (amina, boris)])
    attempt = make_submission(klass.db, assignment, group=group)
    teacher = klass.headers(klass.teacher)
    url = f"/api/v1/submissions/{attempt.id}/marking"

    client.put(url, headers=teacher, json={"version": 0, "points": "16"})
    reason = "Missed two meetings"
    apart = client.put(f"/api/v1/submissions/{attempt.id}/members/{boris.id}/grade",
                       headers=teacher, json={"points": "12", "reason": reason})  # fmt: skip
    tutor_apart = client.put(f"/api/v1/submissions/{attempt.id}/members/{boris.id}/grade",
                             headers=klass.headers(klass.tutor),
                             json={"points": "1", "reason": "no"})  # fmt: skip
    client.put(url, headers=teacher, json={"version": 1, "points": "16", "release": True})

    assert apart.status_code == 200, apart.text
    assert apart.json()["member_grades"] == [
        {
            "user_id": boris.id,
            "participant": None,
            "points": "12.00",
            "reason": reason,
        },
    ]
    assert tutor_apart.status_code == 403
    klass.db.expire_all()
    grades = _grades(klass, assignment.id)
    assert grades[amina.id].points == Decimal(16)
    assert grades[boris.id].points == Decimal(12)
    assert all(g.released_at is not None for g in grades.values())


def test_the_list_shows_every_learner_with_status_and_lateness(client: TestClient, klass: Class):
    due = NOW - timedelta(days=3)
    assignment = klass.assignment(due_at=due)
    amina, boris, chloe = klass.students
    make_submission(klass.db, assignment, user=amina, submitted_at=due - timedelta(hours=1))
    make_submission(klass.db, assignment, user=boris, submitted_at=due + timedelta(days=2))
    make_submission(klass.db, assignment, user=chloe, submitted=False)

    listed = client.get(f"/api/v1/assignments/{assignment.id}/submissions",
                        headers=klass.headers(klass.tutor))  # fmt: skip

    rows = {r["name"]: r for r in listed.json()["rows"]}
    assert rows["Amina"]["status"] == "submitted"
    assert rows["Amina"]["late_seconds"] is None
    assert rows["Boris"]["late_seconds"] == 2 * 86400
    assert rows["Chloe"]["status"] == "draft"
    assert rows["Amina"]["marking_state"] == MarkingState.NOT_MARKED.value
    student = client.get(f"/api/v1/assignments/{assignment.id}/submissions",
                         headers=klass.headers(amina))  # fmt: skip
    assert student.status_code == 403


def test_a_feedback_file_reaches_the_learner_only_once_released(client: TestClient, klass: Class):
    assignment = klass.assignment()
    amina = klass.students[0]
    attempt = make_submission(klass.db, assignment, user=amina)
    teacher = klass.headers(klass.teacher)

    added = client.post(f"/api/v1/submissions/{attempt.id}/marking/files", headers=teacher,
                        files={"file": ("comments.txt", b"See page 2.")})  # fmt: skip
    url = f"/api/v1/marking-files/{added.json()['id']}"
    before = client.get(url, headers=klass.headers(amina))
    client.put(f"/api/v1/submissions/{attempt.id}/marking", headers=teacher,
               json={"version": 1, "points": "14", "release": True})  # fmt: skip
    after = client.get(url, headers=klass.headers(amina))
    other = client.get(url, headers=klass.headers(klass.students[1]))

    assert added.status_code == 201
    assert before.status_code == 404
    assert after.status_code == 200
    assert after.content == b"See page 2."
    assert after.headers["content-disposition"].startswith("attachment")
    assert other.status_code == 404


def test_a_grade_on_a_scale_is_one_of_its_levels(client: TestClient, klass: Class):
    scale = Scale(code="acquis-test", name="Acquis", levels=[
        ScaleLevel(position=0, label="non acquis", value=Decimal(0), min_percent=Decimal(0)),
        ScaleLevel(position=1, label="acquis", value=Decimal(1), min_percent=Decimal(50),
                   passing=True),
    ])  # fmt: skip
    klass.db.add(scale)
    klass.db.flush()
    assignment = klass.assignment(scale_id=scale.id)
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    teacher = klass.headers(klass.teacher)
    url = f"/api/v1/submissions/{attempt.id}/marking"

    points = client.put(url, headers=teacher, json={"version": 0, "points": "15"})
    level = client.put(url, headers=teacher,
                       json={"version": 0, "scale_level_id": scale.levels[1].id})  # fmt: skip
    listed = client.get(f"/api/v1/assignments/{assignment.id}/submissions", headers=teacher)

    assert points.status_code == 422
    assert level.status_code == 200
    assert level.json()["scale_level_id"] == scale.levels[1].id
    assert {r["grade_label"] for r in listed.json()["rows"]} == {"acquis", None}

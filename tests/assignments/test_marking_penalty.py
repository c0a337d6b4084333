"""The declared late penalty: applied at marking from the attempt's lateness against the
learner's own dates, shown to the learner after release, overridable only with a reason."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.assignments.models import Extension, Marking
from app.assignments.service.marking_view import feedback_of
from app.core.web import templates_for
from tests.assignments.factories import make_submission
from tests.assignments.marking_setup import Class, klass_fixture  # noqa: F401

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DUE = NOW - timedelta(days=5)


def _late_assignment(klass: Class):
    return klass.assignment(
        due_at=DUE, max_points=Decimal(20), late_penalty_percent_per_day=Decimal(5),
        late_penalty_cap_percent=Decimal(50),
    )  # fmt: skip


@pytest.mark.time_machine(NOW)
def test_a_late_submission_is_penalised_and_the_learner_sees_why(client: TestClient, klass: Class):
    assignment = _late_assignment(klass)
    chloe = klass.students[2]  # reads English
    late = DUE + timedelta(hours=30)
    attempt = make_submission(klass.db, assignment, user=chloe, submitted_at=late)

    marked = client.put(f"/api/v1/submissions/{attempt.id}/marking",
                        headers=klass.headers(klass.teacher),
                        json={"version": 0, "points": "15", "release": True})  # fmt: skip
    klass.sign_in(client, chloe)
    page = client.get(f"/assignments/{assignment.id}/submission")
    marking = klass.db.scalar(select(Marking).where(Marking.submission_id == attempt.id))
    feedback = feedback_of(klass.db, marking)
    assert feedback is not None
    partial = (
        templates_for("en")
        .get_template("assignments/_feedback.html")
        .render(marking=feedback, when=str, format_number=str, assignment=assignment)
    )

    assert marked.json()["declared_penalty_points"] == "2.00"  # 2 days × 5 % of 20
    assert Decimal(marked.json()["final_points"]) == Decimal(13)
    assert "−2 points" in page.text
    assert "13 / 20" in page.text
    assert "−2.00 points, 2 days late" in partial


@pytest.mark.time_machine(NOW)
def test_an_extension_spares_the_penalty(client: TestClient, klass: Class):
    assignment = _late_assignment(klass)
    amina = klass.students[0]
    klass.db.add(Extension(assignment_id=assignment.id, user_id=amina.id, due_at=NOW))
    attempt = make_submission(
        klass.db, assignment, user=amina, submitted_at=DUE + timedelta(days=2)
    )

    marked = client.put(f"/api/v1/submissions/{attempt.id}/marking",
                        headers=klass.headers(klass.teacher),
                        json={"version": 0, "points": "15"})  # fmt: skip

    assert Decimal(marked.json()["penalty_points"]) == 0


@pytest.mark.time_machine(NOW)
def test_overriding_the_penalty_needs_a_reason(client: TestClient, klass: Class):
    assignment = _late_assignment(klass)
    attempt = make_submission(klass.db, assignment, user=klass.students[0],
                              submitted_at=DUE + timedelta(hours=1))  # fmt: skip
    url = f"/api/v1/submissions/{attempt.id}/marking"
    teacher = klass.headers(klass.teacher)

    refused = client.put(url, headers=teacher,
                         json={"version": 0, "points": "15", "penalty_points": "0"})  # fmt: skip
    waived = client.put(url, headers=teacher, json={
        "version": 0, "points": "15", "penalty_points": "0",
        "penalty_override_reason": "Hospital certificate",
    })  # fmt: skip

    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid"
    assert waived.status_code == 200
    assert waived.json()["declared_penalty_points"] == "1.00"
    assert Decimal(waived.json()["penalty_points"]) == 0
    assert waived.json()["penalty_override_reason"] == "Hospital certificate"
    assert Decimal(waived.json()["final_points"]) == Decimal(15)

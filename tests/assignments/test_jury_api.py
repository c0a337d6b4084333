"""The jury over the API, as a partner developer would call it: members, allocations,
independent marks, the mean rule's release, and the defence slot in the organiser's zone."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from app.assignments.models import FinalGradeRule
from tests.accounts.factories import api_token, bearer
from tests.assignments.jury_factories import Jury, make_jury


@pytest.fixture
def j(db, settings) -> Jury:
    return make_jury(db, settings, rule=FinalGradeRule.MEAN)


def _headers(client: TestClient, j: Jury, who: str) -> dict[str, str]:
    return bearer(api_token(client, j.by(who).email))


def test_members_are_listed_chair_first_and_an_examiner_is_external(client: TestClient, j: Jury):
    listed = client.get(
        f"/api/v1/assignments/{j.assignment.id}/jury-members", headers=_headers(client, j, "tutor")
    )

    assert listed.status_code == 200
    rows = listed.json()
    assert rows[0]["user_id"] == j.teacher.id
    assert rows[0]["is_chair"] is True
    assert {r["user_id"]: r["external"] for r in rows}[j.examiner.id] is True


def test_marks_stay_hidden_until_ones_own_is_in_then_the_mean_is_released(
    client: TestClient, j: Jury
):
    marks = f"/api/v1/submissions/{j.submission.id}/jury-marks"
    teacher, tutor, examiner = (_headers(client, j, w) for w in ("teacher", "tutor", "examiner"))
    assert client.put(marks + "/mine", json={"points": "12"}, headers=tutor).status_code == 200

    hidden = client.get(marks, headers=examiner).json()
    assert hidden["mine"] is None
    assert hidden["others"] is None
    assert hidden["marked"] == 1
    mine = client.put(marks + "/mine", json={"points": "15"}, headers=examiner).json()
    assert sorted(Decimal(m["points"]) for m in mine["others"]) == [Decimal(12)]
    early = client.post(
        f"/api/v1/submissions/{j.submission.id}/jury-final", json={"release": True}, headers=teacher
    )
    assert early.status_code == 409
    assert early.json()["code"] == "jury_marks_missing"
    assert client.put(marks + "/mine", json={"points": "16"}, headers=teacher).status_code == 200

    final = client.post(
        f"/api/v1/submissions/{j.submission.id}/jury-final", json={"release": True}, headers=teacher
    )
    assert final.status_code == 200
    assert Decimal(final.json()["points"]) == Decimal("14.33")
    assert final.json()["released_at"] is not None
    again = client.put(marks + "/mine", json={"points": "10"}, headers=tutor)
    assert again.status_code == 409


def test_a_mark_above_the_maximum_is_refused(client: TestClient, j: Jury):
    answer = client.put(
        f"/api/v1/submissions/{j.submission.id}/jury-marks/mine",
        json={"points": "21"},
        headers=_headers(client, j, "tutor"),
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"


def test_the_defence_is_set_in_the_organisers_zone_and_read_by_the_group(
    client: TestClient, j: Jury
):
    path = f"/api/v1/submissions/{j.submission.id}/defence"
    body = {"starts_at": "2026-12-15T10:00:00", "time_zone": "Africa/Casablanca",
            "duration_minutes": 40, "place": "Salle B"}  # fmt: skip
    assert client.put(path, json=body, headers=_headers(client, j, "tutor")).status_code == 403

    set_ = client.put(path, json=body, headers=_headers(client, j, "teacher"))
    learner = bearer(api_token(client, j.learners[1].email))
    read = client.get(path, headers=learner)

    assert set_.status_code == 200
    assert read.status_code == 200
    assert read.json()["starts_at"].startswith("2026-12-15T09:00:00")
    assert read.json()["place"] == "Salle B"
    marks = client.get(f"/api/v1/submissions/{j.submission.id}/jury-marks", headers=learner)
    assert marks.status_code == 404

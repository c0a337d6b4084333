"""Anonymous marking: names stay hidden from markers (list page, mark page, API, worksheet CSV)
until a teacher reveals them, which is logged; grades reach the gradebook only after that."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.accounts.models import AuditEntry
from app.grades.models import Grade
from tests.accounts.factories import page_csrf
from tests.assignments.factories import make_submission
from tests.assignments.marking_setup import Class, klass_fixture  # noqa: F401

NAMES = ("Amina", "Boris", "Chloe", "amina@", "boris@", "chloe@")


def _names_in(text: str) -> list[str]:
    return [name for name in NAMES if name in text]


def test_markers_see_participants_not_names_until_the_reveal(client: TestClient, klass: Class):
    assignment = klass.assignment(anonymous=True)
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    tutor = klass.headers(klass.tutor)
    api = f"/api/v1/assignments/{assignment.id}/submissions"

    listed = client.get(api, headers=tutor)
    again = client.get(api, headers=tutor)
    marking = client.get(f"/api/v1/submissions/{attempt.id}/marking", headers=tutor)
    klass.sign_in(client, klass.tutor)
    page = client.get(f"/assignments/{assignment.id}/submissions")
    mark = client.get(f"/submissions/{attempt.id}/mark")
    sheet = client.get(f"/assignments/{assignment.id}/worksheet.csv")

    rows = listed.json()["rows"]
    assert listed.json()["identities_hidden"] is True
    assert all(r["user_id"] is None and r["name"].startswith("Participant ") for r in rows)
    assert [r["participant"] for r in rows] == [r["participant"] for r in again.json()["rows"]]
    assert len({r["participant"] for r in rows}) == 3
    for text in (listed.text, marking.text, page.text, mark.text, sheet.text):
        assert _names_in(text) == []
    assert "Participant" in page.text
    assert "Participant" in sheet.text
    assert not _names_in(sheet.headers["content-disposition"])
    assert re.search(r"participant-\d{6}", sheet.text)


def test_a_teacher_reveals_the_identities_and_it_is_logged(client: TestClient, klass: Class):
    assignment = klass.assignment(anonymous=True)
    make_submission(klass.db, assignment, user=klass.students[0])
    url = f"/api/v1/assignments/{assignment.id}/reveal"

    by_tutor = client.post(url, headers=klass.headers(klass.tutor))
    klass.sign_in(client, klass.teacher)
    confirm = client.get(f"/assignments/{assignment.id}/reveal")
    revealed = client.post(
        f"/assignments/{assignment.id}/reveal",
        data={"csrf_token": page_csrf(client, f"/assignments/{assignment.id}/reveal")},
        follow_redirects=False,
    )
    twice = client.post(url, headers=klass.headers(klass.teacher))
    listed = client.get(f"/api/v1/assignments/{assignment.id}/submissions",
                        headers=klass.headers(klass.teacher))  # fmt: skip

    assert by_tutor.status_code == 403
    assert confirm.status_code == 200
    assert revealed.status_code == 303
    assert twice.status_code == 409
    assert {r["name"] for r in listed.json()["rows"]} == {"Amina", "Boris", "Chloe"}
    entry = klass.db.scalar(
        select(AuditEntry).where(AuditEntry.action == "assignment.reveal_identities")
    )
    assert entry is not None
    assert entry.actor_user_id == klass.teacher.id
    assert entry.subject == f"assignment:{assignment.id}"


def test_grades_released_before_the_reveal_reach_the_gradebook_after_it(
    client: TestClient, klass: Class
):
    assignment = klass.assignment(anonymous=True)
    amina = klass.students[0]
    attempt = make_submission(klass.db, assignment, user=amina)
    teacher = klass.headers(klass.teacher)

    released = client.put(f"/api/v1/submissions/{attempt.id}/marking", headers=teacher,
                          json={"version": 0, "points": "13", "release": True})  # fmt: skip
    before = klass.db.scalar(select(func.count()).select_from(Grade))
    client.post(f"/api/v1/assignments/{assignment.id}/reveal", headers=teacher)

    assert released.json()["state"] == "released"
    assert before == 0
    grade = klass.db.scalar(select(Grade).where(Grade.user_id == amina.id))
    assert grade is not None
    assert grade.released_at is not None

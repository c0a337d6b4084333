"""The jury's pages as its members and the learners meet them: an external examiner invited by
mail and limited to their allocations, independent marks, the chair's release reaching every
group member, the defence slot in the learner's zone, and refused forms writing nothing."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.assignments.jury_models import Defence, JuryMark
from app.assignments.jury_schemas import JuryMarkInput
from app.assignments.models import SubmissionFile
from app.assignments.service import jury_marks
from app.core.db import Base, utcnow
from app.core.storage import storage_for
from app.courses.models import ContentFile
from app.grades.models import Grade, GradeItem
from app.grades.service.record import visible_to_learner
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.assignments.factories import make_assignment, make_submission
from tests.assignments.jury_factories import Jury, make_jury
from tests.courses.factories import enrol_as, module
from tests.smtp import Inbox


@pytest.fixture
def j(db, settings) -> Jury:
    return make_jury(db, settings)


def _as(client: TestClient, email: str) -> str:
    client.cookies.clear()
    sign_in(client, email, PASSWORD)
    return page_csrf(client, "/profile")


def _mark(db, j: Jury, who: str, points: str) -> None:
    data = JuryMarkInput(points=Decimal(points))
    jury_marks.enter_mark(db, j.actor(j.by(who)), j.submission.id, data)


def _snapshot(db) -> dict[str, list[str]]:
    db.expire_all()
    return {
        t.name: sorted(repr(tuple(r)) for r in db.execute(select(t)))
        for t in Base.metadata.sorted_tables
        if t.name != "throttle_events"
    }


def test_a_teacher_invites_an_external_examiner_who_is_told_in_their_language(
    client: TestClient, db, j: Jury, inbox: Inbox
):
    csrf = _as(client, j.teacher.email)
    sent = client.post(
        f"/assignments/{j.assignment.id}/jury",
        data={"csrf_token": csrf, "action": "add", "email": "yuri@example.ru",
              "display_name": "Yuri Petrov", "preferred_language": "ru"},
        follow_redirects=False,
    )  # fmt: skip

    assert sent.status_code == 303
    page = client.get(f"/assignments/{j.assignment.id}/jury")
    assert "Yuri Petrov" in page.text
    assert [m["To"] for m in inbox.messages] == ["yuri@example.ru", "yuri@example.ru"]
    assert len(inbox.welcome_links()) == 1  # the set-password invitation


def test_members_newly_chosen_to_mark_are_told_how_many_submissions_are_theirs(
    client: TestClient, db, j: Jury, inbox: Inbox
):
    csrf = _as(client, j.teacher.email)
    allocate = f"/assignments/{j.assignment.id}/jury"

    def choose(member: str) -> None:
        data = {"csrf_token": csrf, "action": "allocate", "submission_ids": [j.submission.id],
                "member_ids": [j.members[member].id]}  # fmt: skip
        assert client.post(allocate, data=data, follow_redirects=False).status_code == 303

    choose("teacher")  # the whole jury marked it: nobody is new to it
    assert inbox.messages == []
    choose("tutor")

    assert [m["To"] for m in inbox.messages] == [j.tutor.email]
    assert inbox.subjects() == ["Submissions to mark for the jury of Projet de fin d'études"]
    assert "mark 1 submission for the jury" in inbox.bodies()[0]


def _file(db, settings, submission_id: int, name: str) -> int:
    stored = storage_for(settings).save(io.BytesIO(name.encode()), name, 1000)
    content = ContentFile(sha256=stored.sha256, size=stored.size, media_type="text/plain")
    found = SubmissionFile(submission_id=submission_id, content=content, name=name)
    db.add(found)
    db.flush()
    return found.id


def test_an_external_examiner_reaches_only_their_allocations(
    client: TestClient, db, settings, tmp_path, j: Jury
):
    settings.storage_dir = tmp_path
    other = make_submission(db, j.assignment, user=j.learners[0], text="Autre.")
    ours, theirs = (
        _file(db, settings, j.submission.id, "ours.txt"),
        _file(db, settings, other.id, "theirs.txt"),
    )
    other_assignment = make_assignment(db, j.course, "Autre projet", jury=True)
    csrf = _as(client, j.teacher.email)
    members = [j.members["teacher"].id, j.members["tutor"].id]
    client.post(
        f"/assignments/{j.assignment.id}/jury",
        data={"csrf_token": csrf, "action": "allocate", "submission_ids": [other.id],
              "member_ids": members},
        follow_redirects=False,
    )  # fmt: skip

    _as(client, j.examiner.email)
    assert client.get(f"/submissions/{j.submission.id}/jury-mark").status_code == 200
    assert client.get(f"/submissions/{other.id}/jury-mark").status_code == 404
    mine = client.get(f"/submissions/{j.submission.id}/jury-files/{ours}")
    assert mine.status_code == 200
    assert mine.content == b"ours.txt"
    assert client.get(f"/submissions/{other.id}/jury-files/{theirs}").status_code == 404
    assert client.get(f"/submissions/{j.submission.id}/jury-files/{theirs}").status_code == 404
    jury_page = client.get(f"/assignments/{j.assignment.id}/jury")
    assert jury_page.status_code == 200
    assert "Projet A — Souss-Massa" in jury_page.text
    assert f"/submissions/{other.id}/jury-mark" not in jury_page.text
    intro = module(db, j.course, "intro")
    landing = client.get(f"/courses/{j.course.code}")  # what anyone may read of a closed course
    assert f"/courses/{j.course.code}/modules/" not in landing.text
    for path in (
        f"/courses/{j.course.code}/modules/{intro.id}",
        f"/courses/{j.course.code}/modules/{j.assignment.module_id}",
        f"/courses/{j.course.code}/grades",
        f"/assignments/{other_assignment.id}/jury",
    ):
        assert client.get(path).status_code == 404, path
    api = f"/api/v1/courses/{j.course.id}"
    assert client.get(api).status_code in (401, 404)


def test_a_marker_sees_the_others_marks_only_after_entering_their_own(
    client: TestClient, db, j: Jury
):
    _mark(db, j, "tutor", "13.5")
    j.examiner.preferred_language = "en"  # invited in French; reads English now
    db.flush()
    csrf = _as(client, j.examiner.email)

    before = client.get(f"/submissions/{j.submission.id}/jury-mark")
    assert "13.5" not in before.text
    assert "once you have entered yours" in before.text
    saved = client.post(
        f"/submissions/{j.submission.id}/jury-mark",
        data={"csrf_token": csrf, "points": "16", "comment": "Très clair."},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = client.get(f"/submissions/{j.submission.id}/jury-mark")
    assert "13.5" in after.text
    assert "Très clair." in after.text


def test_the_learners_never_see_a_members_mark(client: TestClient, db, j: Jury):
    _mark(db, j, "tutor", "13")
    _as(client, j.learners[0].email)

    assert client.get(f"/submissions/{j.submission.id}/jury-mark").status_code == 404
    assert client.get(f"/submissions/{j.submission.id}/jury-final").status_code == 404
    assert client.get(f"/assignments/{j.assignment.id}/jury").status_code == 404
    assert client.get(f"/api/v1/submissions/{j.submission.id}/jury-marks").status_code == 401


def test_only_the_chair_releases_and_every_group_member_sees_the_grade(
    client: TestClient, db, j: Jury
):
    for who in ("teacher", "tutor", "examiner"):
        _mark(db, j, who, "14")
    form = {"points": "15", "reason": "Soutenance convaincante.", "feedback": "Bravo.",
            "release": "true"}  # fmt: skip
    csrf = _as(client, j.tutor.email)
    refused = client.post(
        f"/submissions/{j.submission.id}/jury-final", data={"csrf_token": csrf, **form},
        follow_redirects=False,
    )  # fmt: skip
    assert refused.status_code == 403

    csrf = _as(client, j.teacher.email)
    released = client.post(
        f"/submissions/{j.submission.id}/jury-final", data={"csrf_token": csrf, **form},
        follow_redirects=False,
    )  # fmt: skip
    assert released.status_code == 303
    item = db.scalar(select(GradeItem).where(GradeItem.source_id == j.assignment.id))
    assert item is not None
    grades = db.scalars(select(Grade).where(Grade.item_id == item.id)).all()
    assert {g.user_id: g.points for g in grades} == {u.id: Decimal(15) for u in j.learners}
    assert all(visible_to_learner(g, item, utcnow()) for g in grades)
    for learner in j.learners:
        _as(client, learner.email)
        mine = client.get(f"/courses/{j.course.code}/my-grades")  # the gradebook slice's page
        assert mine.status_code == 200
        assert "15" in mine.text


@pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
def test_the_defence_shows_on_the_module_page_in_the_learners_zone(client: TestClient, db, j: Jury):
    j.teacher.time_zone = "Africa/Casablanca"  # UTC+1 on 2026-12-15
    j.learners[0].time_zone = "Asia/Almaty"  # UTC+5
    db.flush()
    csrf = _as(client, j.teacher.email)
    set_ = client.post(
        f"/submissions/{j.submission.id}/defence",
        data={"csrf_token": csrf, "starts_at": "2026-12-15T10:00", "duration_minutes": "45",
              "place": "Salle B, Rabat"},
        follow_redirects=False,
    )  # fmt: skip
    assert set_.status_code == 303
    defence = db.scalar(select(Defence).where(Defence.submission_id == j.submission.id))
    assert defence is not None
    assert defence.starts_at == datetime(2026, 12, 15, 9, 0, tzinfo=UTC)

    _as(client, j.learners[0].email)
    page = client.get(f"/courses/{j.course.code}/modules/{j.assignment.module_id}")
    assert page.status_code == 200
    assert "Salle B, Rabat" in page.text
    assert "Dec 15, 2026 2:00\u202fPM (Almaty, UTC+5)" in page.text  # 09:00 UTC


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/assignments/{a}/jury", {"action": "add", "email": "not-an-address"}),
        ("/assignments/{a}/jury", {"action": "add", "email": "new@example.org"}),  # no name
        ("/assignments/{a}/jury", {"action": "allocate", "member_ids": ["999999"]}),
        ("/submissions/{s}/jury-mark", {"points": "21"}),
        ("/submissions/{s}/jury-final", {"points": "12"}),  # no reason
        ("/submissions/{s}/defence", {"starts_at": "tomorrow"}),
    ],
)
def test_a_refused_jury_form_writes_nothing(client: TestClient, db, j: Jury, path, data):
    for who in ("tutor", "examiner"):
        _mark(db, j, who, "12")
    csrf = _as(client, j.teacher.email)
    before = _snapshot(db)

    answer = client.post(
        path.format(a=j.assignment.id, s=j.submission.id), data={"csrf_token": csrf, **data}
    )

    assert answer.status_code == 400, answer.text
    assert 'class="error"' in answer.text
    assert _snapshot(db) == before


def test_the_jury_page_keeps_its_queries_as_submissions_grow(
    client: TestClient, db, settings, j: Jury, queries
):
    def count() -> int:
        with queries:
            assert client.get(f"/assignments/{j.assignment.id}/jury").status_code == 200
        return queries.count

    _as(client, j.teacher.email)
    small = count()
    for n in range(6):
        learner = make_user(db, email=f"extra{n}@example.org")
        enrol_as(db, j.course, learner, CourseRole.STUDENT)
        make_submission(db, j.assignment, user=learner)
    large = count()
    assert large == small
    assert db.scalar(select(func.count()).select_from(JuryMark)) == 0

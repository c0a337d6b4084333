"""The markers' pages: the list keeps its query budget as the class grows, refused forms
write nothing, and the offline worksheet goes out and comes back (preview, then apply; one
refused line and nothing is saved)."""

import csv
import io
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.assignments.models import Marking, MemberGradeOverride, Submission
from app.core.db import Base
from app.enrolment.models import Group, GroupMember
from app.membership.models import CourseRole
from tests.accounts.factories import make_user, page_csrf
from tests.assignments.factories import make_submission
from tests.assignments.marking_setup import Class, klass_fixture  # noqa: F401
from tests.audit_snapshots import count_of
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as

LIST_BUDGET = 40


def _counts(db: Session) -> dict[str, int]:
    return {
        name: count_of(db, table)
        for name, table in Base.metadata.tables.items()
        if name != "throttle_events"
    }


def _grow(klass: Class, assignment, how_many: int) -> None:
    for _ in range(how_many):
        learner = make_user(klass.db)
        enrol_as(klass.db, klass.course, learner, CourseRole.STUDENT)
        attempt = make_submission(klass.db, assignment, user=learner)
        klass.db.add(Marking(assignment_id=assignment.id, submission_id=attempt.id,
                             points=Decimal(12), version=1))  # fmt: skip
    klass.db.flush()


def test_the_list_keeps_its_query_budget_as_the_class_grows(
    client: TestClient, klass: Class, queries: QueryCounter
):
    assignment = klass.assignment(anonymous=True)
    klass.sign_in(client, klass.teacher)
    headers = klass.headers(klass.teacher)
    paths = (f"/assignments/{assignment.id}/submissions",
             f"/api/v1/assignments/{assignment.id}/submissions",
             f"/assignments/{assignment.id}/worksheet.csv")  # fmt: skip

    def counts() -> list[int]:
        result = []
        for path in paths:
            with queries:
                assert client.get(path, headers=headers).status_code == 200, path
            result.append(queries.count)
        return result

    _grow(klass, assignment, 2)
    counts()  # the first visit draws the participants' numbers: measure steady state
    small = counts()
    _grow(klass, assignment, 6)
    counts()
    large = counts()

    assert small == large
    assert max(large) <= LIST_BUDGET


def test_a_refused_marking_form_writes_nothing_and_says_why(client: TestClient, klass: Class):
    assignment = klass.assignment()
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    klass.sign_in(client, klass.teacher)
    page = f"/submissions/{attempt.id}/mark"
    token = page_csrf(client, page)
    before = _counts(klass.db)

    too_many = client.post(page, data={"csrf_token": token, "version": "0", "points": "25",
                                       "feedback": "Kept in the form"},
                           files={"file": ("notes.txt", b"Some notes")})  # fmt: skip
    no_reason = client.post(page, data={"csrf_token": token, "version": "0", "points": "12",
                                        "penalty_points": "3"})  # fmt: skip

    assert too_many.status_code == 400
    assert "Give points between 0 and the maximum." in too_many.text
    assert "Kept in the form" in too_many.text
    assert no_reason.status_code == 400
    assert "Say why the late penalty differs" in no_reason.text
    klass.db.expire_all()
    assert _counts(klass.db) == before


def test_a_stale_marking_form_is_refused_and_the_first_marking_kept(
    client: TestClient, klass: Class
):
    assignment = klass.assignment()
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    klass.sign_in(client, klass.teacher)
    page = f"/submissions/{attempt.id}/mark"
    token = page_csrf(client, page)

    first = client.post(page, data={"csrf_token": token, "version": "0", "points": "12"},
                        follow_redirects=False)  # fmt: skip
    second = client.post(page, data={"csrf_token": token, "version": "0", "points": "5"})

    assert first.status_code == 303
    assert second.status_code == 400
    assert "Someone saved this marking" in second.text
    klass.db.expire_all()
    assert klass.db.scalar(select(Marking.points)) == Decimal(12)


def test_a_refused_member_grade_and_empty_attempt_write_nothing(client: TestClient, klass: Class):
    assignment = klass.assignment(group_submission=True)
    group = Group(course_id=klass.course.id, name="Team B")
    klass.db.add(group)
    klass.db.flush()
    klass.db.add(GroupMember(group_id=group.id, user_id=klass.students[0].id))
    attempt = make_submission(klass.db, assignment, group=group)
    klass.db.add(Marking(assignment_id=assignment.id, submission_id=attempt.id,
                         points=Decimal(12), version=1))  # fmt: skip
    klass.db.flush()
    klass.sign_in(client, klass.teacher)
    token = page_csrf(client, f"/submissions/{attempt.id}/mark")
    before = _counts(klass.db)

    no_reason = client.post(
        f"/submissions/{attempt.id}/members/{klass.students[0].id}/grade",
        data={"csrf_token": token, "points": "9", "reason": ""},
    )
    not_a_group = client.post(
        f"/assignments/{assignment.id}/empty-attempts",
        data={"csrf_token": token, "user_id": str(klass.students[1].id)},
    )

    assert no_reason.status_code == 400
    assert not_a_group.status_code == 400
    klass.db.expire_all()
    assert _counts(klass.db) == before
    assert klass.db.scalar(select(func.count()).select_from(MemberGradeOverride)) == 0


def _sheet(client: TestClient, assignment_id: int) -> list[dict[str, str]]:
    text = client.get(f"/assignments/{assignment_id}/worksheet.csv").text.lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def _upload(lines: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(lines[0]))
    writer.writeheader()
    writer.writerows(lines)
    return buffer.getvalue()


def test_the_worksheet_is_previewed_then_applied(client: TestClient, klass: Class):
    assignment = klass.assignment()
    make_submission(klass.db, assignment, user=klass.students[0])
    klass.sign_in(client, klass.teacher)
    lines = _sheet(client, assignment.id)
    for line in lines:
        line["grade"], line["feedback"] = "14", "=Well done"  # a formula stays text
    token = page_csrf(client, f"/assignments/{assignment.id}/worksheet")

    preview = client.post(f"/assignments/{assignment.id}/worksheet",
                          data={"csrf_token": token},
                          files={"file": ("sheet.csv", _upload(lines).encode())})  # fmt: skip
    after_preview = klass.db.scalar(select(func.count()).select_from(Marking))
    applied = client.post(f"/assignments/{assignment.id}/worksheet/apply",
                          data={"csrf_token": token, "text": _upload(lines)},
                          follow_redirects=False)  # fmt: skip

    assert [line["name"] for line in lines] == ["Amina", "Boris", "Chloe"]
    assert preview.status_code == 200
    assert "Apply these changes" in preview.text
    assert after_preview == 0
    assert applied.status_code == 303
    klass.db.expire_all()
    assert klass.db.scalar(select(func.count()).select_from(Marking)) == 3
    assert klass.db.scalar(select(func.count()).select_from(Submission)) == 3  # empty attempts
    exported = _sheet(client, assignment.id)
    assert {line["grade"] for line in exported} == {"14.00"}
    assert {line["feedback"] for line in exported} == {"'=Well done"}


def test_one_refused_line_and_the_worksheet_writes_nothing(client: TestClient, klass: Class):
    assignment = klass.assignment()
    klass.sign_in(client, klass.teacher)
    lines = _sheet(client, assignment.id)
    lines[0]["grade"], lines[1]["grade"] = "12", "99"
    token = page_csrf(client, f"/assignments/{assignment.id}/worksheet")
    before = _counts(klass.db)

    refused = client.post(f"/assignments/{assignment.id}/worksheet/apply",
                          data={"csrf_token": token, "text": _upload(lines)})  # fmt: skip

    assert refused.status_code == 400
    assert "Line 3" in refused.text
    klass.db.expire_all()
    assert _counts(klass.db) == before


def test_refused_workflow_step_reveal_and_copy_write_nothing(client: TestClient, klass: Class):
    assignment = klass.assignment(marking_workflow=True)
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    klass.db.add(Marking(assignment_id=assignment.id, submission_id=attempt.id,
                         points=Decimal(12), version=1))  # fmt: skip
    klass.db.flush()
    klass.sign_in(client, klass.teacher)
    token = page_csrf(client, f"/submissions/{attempt.id}/mark")
    before = _counts(klass.db)

    step = f"/submissions/{attempt.id}/mark/state"
    skipped = client.post(step, data={"csrf_token": token, "state": "released", "version": "1"})
    stale = client.post(
        step, data={"csrf_token": token, "state": "ready_for_review", "version": "7"}
    )
    not_anonymous = client.post(f"/assignments/{assignment.id}/reveal", data={"csrf_token": token})

    assert skipped.status_code == 403  # not-marked → released is no step of the workflow
    assert stale.status_code == 400
    assert "Someone saved this marking" in stale.text
    assert not_anonymous.status_code == 400
    klass.db.expire_all()
    assert _counts(klass.db) == before
    assert klass.db.scalar(select(Marking.state)).value == "not_marked"

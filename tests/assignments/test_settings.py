"""An assignment's settings: read with defaults the first time, changed by its teachers only,
dates in order and in the editor's zone, the gradebook item kept in step; the refused forms
of the settings page write nothing."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.assignments.models import Assignment, Extension, GroupOverride
from app.courses.models import Module, ModuleKind
from app.grades.models import GradeItem, ItemSource
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.assignments.factories import make_submission
from tests.assignments.submission_factories import Setup, add_group, everything, make_setup
from tests.conftest import csrf_from
from tests.courses.factories import enrol_as

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW)


def _url(setup: Setup) -> str:
    return f"/api/v1/modules/{setup.assignment.module_id}/assignment"


def test_reading_a_module_without_its_row_creates_the_defaults(client, db, settings):
    setup = make_setup(db, settings)
    bare = Module(
        course_id=setup.course.id, section_id=db.get(Module, setup.assignment.module_id).section_id,
        key="bare", kind=ModuleKind.ASSIGNMENT, title="Bare",
    )  # fmt: skip
    db.add(bare)
    db.flush()
    read = client.get(
        f"/api/v1/modules/{bare.id}/assignment", headers=setup.headers(client, setup.teacher)
    )
    assert read.status_code == 200
    assert (Decimal(read.json()["max_points"]), read.json()["resubmission"]) == (20, "none")
    assert db.scalar(select(Assignment).where(Assignment.module_id == bare.id)) is not None


def test_a_teacher_replaces_the_settings_and_the_gradebook_follows(client, db, settings):
    setup = make_setup(db, settings)
    body = {
        "opens_at": "2026-12-01T08:00:00Z", "due_at": "2026-12-10T17:00:00Z",
        "cutoff_at": "2026-12-12T17:00:00Z", "max_points": "40", "pass_points": "20",
        "resubmission": "manual", "max_attempts": 2, "late_penalty_percent_per_day": "5",
        "late_penalty_cap_percent": "20", "accepted_types": ["application/pdf"],
    }  # fmt: skip
    saved = client.put(_url(setup), json=body, headers=setup.headers(client, setup.teacher))
    assert saved.status_code == 200, saved.text
    assert saved.json()["due_at"] == "2026-12-10T17:00:00Z"
    item = db.scalar(
        select(GradeItem).where(
            GradeItem.source == ItemSource.ASSIGNMENT, GradeItem.source_id == setup.assignment.id
        )
    )
    assert (item.max_points, item.pass_points) == (Decimal(40), Decimal(20))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"opens_at": "2026-12-10T00:00:00Z", "due_at": "2026-12-09T00:00:00Z"}, "due_at"),
        ({"due_at": "2026-12-10T00:00:00Z", "cutoff_at": "2026-12-09T00:00:00Z"}, "cutoff_at"),
        ({"online_text": False, "file_submissions": False}, "online_text"),
        ({"max_points": "10", "pass_points": "12"}, "pass_points"),
        ({"grouping_id": 999999}, "grouping_id"),
        ({"scale_id": 999999}, "scale_id"),
    ],
)
def test_settings_that_break_a_rule_are_refused(client, db, settings, body, field):
    setup = make_setup(db, settings)
    headers = setup.headers(client, setup.teacher)
    before = everything(db)
    refused = client.put(_url(setup), json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == field
    assert everything(db) == before


def test_group_submission_is_fixed_once_someone_submitted(client, db, settings):
    setup = make_setup(db, settings)
    make_submission(db, setup.assignment, user=setup.learners[0])
    refused = client.put(
        _url(setup), json={"group_submission": True}, headers=setup.headers(client, setup.teacher)
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "submissions_exist"


def test_learners_and_outsiders_do_not_change_settings(client, db, settings):
    setup = make_setup(db, settings)
    learner = setup.headers(client, setup.learners[0])
    assert client.get(_url(setup), headers=learner).status_code == 403
    assert client.put(_url(setup), json={}, headers=learner).status_code == 403
    assert client.get("/api/v1/modules/999999/assignment", headers=learner).status_code == 404


def test_the_page_reads_and_saves_dates_in_the_editors_zone(client, db, settings):
    setup = make_setup(db, settings)  # the teacher lives in Europe/Paris (UTC+1 in December)
    sign_in(client, setup.teacher.email)
    path = f"/modules/{setup.assignment.module_id}/assignment"
    page = client.get(path)
    form = {
        "csrf_token": csrf_from(page.text), "online_text": "true", "file_submissions": "true",
        "due_at": "2026-12-10T18:00", "cutoff_at": "2026-12-11T18:00", "max_files": "2",
        "max_points": "20", "resubmission": "none", "grading_method": "simple",
        "final_grade_rule": "agreed",
    }  # fmt: skip
    saved = client.post(path, data=form, follow_redirects=False)
    shown = client.get(path)

    assert page.status_code == 200
    assert saved.status_code == 303
    db.refresh(setup.assignment)
    assert setup.assignment.due_at == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    assert 'value="2026-12-10T18:00"' in shown.text


def test_a_refused_settings_form_shows_why_and_writes_nothing(client, db, settings):
    setup = make_setup(db, settings)
    sign_in(client, setup.teacher.email)
    path = f"/modules/{setup.assignment.module_id}/assignment"
    token = csrf_from(client.get(path).text)
    before = everything(db)
    refused = client.post(path, data={
        "csrf_token": token, "online_text": "true", "due_at": "2026-12-10T18:00",
        "cutoff_at": "2026-12-09T18:00", "max_points": "20",
    })  # fmt: skip
    unreadable = client.post(path, data={"csrf_token": token, "due_at": "soon"})
    assert refused.status_code == 400
    assert 'id="cutoff_at-error"' in refused.text  # the teacher reads the message in French
    assert unreadable.status_code == 400
    assert 'id="due_at-error"' in unreadable.text
    assert everything(db) == before


def test_refused_extension_and_override_forms_write_nothing(client, db, settings):
    setup = make_setup(db, settings, due_at=datetime(2026, 12, 10, tzinfo=UTC))
    group = add_group(setup, "Team A", setup.learners)
    sign_in(client, setup.teacher.email)
    aid = setup.assignment.id
    token = csrf_from(client.get(f"/modules/{setup.assignment.module_id}/assignment").text)
    before = everything(db)
    backwards = client.post(f"/assignments/{aid}/extensions", data={
        "csrf_token": token, "user_id": str(setup.learners[0].id), "due_at": "2026-12-12T10:00",
        "cutoff_at": "2026-12-11T10:00",
    })  # fmt: skip
    not_learner = client.post(f"/assignments/{aid}/extensions", data={
        "csrf_token": token, "user_id": str(setup.teacher.id), "due_at": "2026-12-12T10:00",
    })  # fmt: skip
    no_date = client.post(
        f"/assignments/{aid}/group-overrides", data={"csrf_token": token, "group_id": str(group.id)}
    )
    assert [r.status_code for r in (backwards, not_learner, no_date)] == [400, 400, 400]
    assert 'id="extension-cutoff-error"' in backwards.text
    assert 'id="extension-user"' in not_learner.text
    assert 'id="override-due-error"' in no_date.text
    assert everything(db) == before


def test_the_teacher_grants_and_removes_an_extension_on_the_page(client, db, settings):
    setup = make_setup(db, settings, due_at=datetime(2026, 12, 10, tzinfo=UTC))
    learner = setup.learners[0]
    sign_in(client, setup.teacher.email)
    path = f"/modules/{setup.assignment.module_id}/assignment"
    token = csrf_from(client.get(path).text)
    granted = client.post(
        f"/assignments/{setup.assignment.id}/extensions",
        data={"csrf_token": token, "user_id": str(learner.id), "due_at": "2026-12-14T10:00",
              "reason": "Family emergency"},
    )  # fmt: skip
    assert granted.status_code == 200  # followed to the settings page
    assert "Family emergency" in granted.text
    assert learner.display_name in granted.text


def _grow(setup: Setup, n: int) -> None:
    """n more learners, each with an extension and a group with its own dates."""
    due = datetime(2026, 12, 20, tzinfo=UTC)
    for i in range(n):
        learner = make_user(setup.db, password=PASSWORD)
        enrol_as(setup.db, setup.course, learner, CourseRole.STUDENT)
        group = add_group(setup, f"Team {len(setup.groups)}-{i}", [learner])
        setup.db.add(Extension(assignment_id=setup.assignment.id, user_id=learner.id, due_at=due))
        setup.db.add(
            GroupOverride(assignment_id=setup.assignment.id, group_id=group.id, due_at=due)
        )
    setup.db.flush()


def test_the_settings_page_and_date_lists_keep_their_queries_as_they_grow(
    client, db, settings, queries
):
    setup = make_setup(db, settings)
    headers = setup.headers(client, setup.teacher)
    sign_in(client, setup.teacher.email)
    aid = setup.assignment.id
    paths = {
        "page": (f"/modules/{setup.assignment.module_id}/assignment", {}),
        "extensions": (f"/api/v1/assignments/{aid}/extensions", headers),
        "overrides": (f"/api/v1/assignments/{aid}/group-overrides", headers),
    }
    counts: dict[str, list[int]] = {name: [] for name in paths}
    for more in (2, 8):
        _grow(setup, more)
        for name, (path, sent) in paths.items():
            with queries:
                assert client.get(path, headers=sent).status_code == 200
            counts[name].append(queries.count)
    assert all(small == large for small, large in counts.values()), counts

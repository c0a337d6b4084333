"""Group submission: one submission per group that every member sees and edits, confirmed
by every member when the assignment asks for it; a learner with no group (or in two groups of
the grouping) cannot submit."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.assignments.models import Submission, SubmissionConfirmation, SubmissionStatus
from app.courses.models import CompletionRule, Module
from app.courses.service.completion import completed_module_ids
from app.enrolment.models import Grouping, GroupingGroup
from tests.accounts.factories import sign_in
from tests.assignments.submission_factories import Setup, add_group, make_setup
from tests.conftest import csrf_from

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW)


def _group_setup(db, settings, **overrides) -> Setup:
    chosen = {"due_at": NOW + timedelta(days=2), "group_submission": True}
    setup = make_setup(db, settings, learners=3, **(chosen | overrides))
    add_group(setup, "Team Mekong", setup.learners[:2])
    return setup


def _url(setup: Setup, tail: str = "") -> str:
    return f"/api/v1/assignments/{setup.assignment.id}/submission{tail}"


def test_one_submission_per_group_seen_and_edited_by_every_member(client, db, settings):
    setup = _group_setup(db, settings)
    module = db.get(Module, setup.assignment.module_id)
    module.completion_rule = CompletionRule.SUBMITTED
    db.flush()
    ann, bob, _ = setup.learners
    ann_h, bob_h = setup.headers(client, ann), setup.headers(client, bob)

    client.put(_url(setup), json={"text": "Our plan"}, headers=ann_h)
    seen = client.get(_url(setup), headers=bob_h)
    edited = client.put(_url(setup), json={"text": "Our plan, revised"}, headers=bob_h)
    submitted = client.post(_url(setup, "/submit"), json={}, headers=ann_h)

    assert seen.status_code == 200
    assert seen.json()["text_markdown"] == "Our plan"
    assert seen.json()["group_id"] == setup.groups[0].id
    assert edited.json()["text_markdown"] == "Our plan, revised"
    assert submitted.json()["status"] == "submitted"
    assert db.scalar(select(func.count()).select_from(Submission)) == 1
    for member in (ann, bob):
        assert module.id in completed_module_ids(db, member.id, setup.course.id)


def test_a_learner_with_no_group_cannot_submit(client, db, settings):
    setup = _group_setup(db, settings)
    loner = setup.learners[2]
    headers = setup.headers(client, loner)

    read = client.get(_url(setup), headers=headers)
    write = client.put(_url(setup), json={"text": "Alone"}, headers=headers)

    assert read.status_code == 409
    assert write.status_code == 409
    assert write.json()["code"] == "no_group"
    assert db.scalar(select(func.count()).select_from(Submission)) == 0
    sign_in(client, loner.email)
    page = client.get(f"/assignments/{setup.assignment.id}/submission")
    assert page.status_code == 200
    assert "You are in no group for this assignment" in page.text
    assert "Save the draft" not in page.text


def test_a_learner_in_two_groups_of_the_grouping_is_told_so(client, db, settings):
    setup = _group_setup(db, settings)
    ann = setup.learners[0]
    other = add_group(setup, "Team Salween", [ann])
    grouping = Grouping(course_id=setup.course.id, name="Projects")
    db.add(grouping)
    db.flush()
    for group in setup.groups:
        db.add(GroupingGroup(grouping_id=grouping.id, group_id=group.id))
    setup.assignment.grouping_id = grouping.id
    db.flush()

    refused = client.put(_url(setup), json={"text": "?"}, headers=setup.headers(client, ann))

    assert refused.status_code == 409
    assert refused.json()["code"] == "no_group"
    assert "more than one group" in refused.json()["detail"]
    assert other.id != setup.groups[0].id


def test_only_the_groups_of_the_grouping_submit(client, db, settings):
    setup = _group_setup(db, settings)
    grouping = Grouping(course_id=setup.course.id, name="Other projects")
    db.add(grouping)
    db.flush()
    setup.assignment.grouping_id = grouping.id
    db.flush()
    refused = client.put(
        _url(setup), json={"text": "x"}, headers=setup.headers(client, setup.learners[0])
    )
    assert refused.json()["code"] == "no_group"


def test_every_member_confirms_before_it_counts_as_submitted(client, db, settings):
    setup = _group_setup(db, settings, every_member_confirms=True)
    ann, bob, _ = setup.learners
    ann_h, bob_h = setup.headers(client, ann), setup.headers(client, bob)
    client.put(_url(setup), json={"text": "Our plan"}, headers=ann_h)

    first = client.post(_url(setup, "/submit"), json={}, headers=ann_h)
    edited = client.put(_url(setup), json={"text": "Changed after Ann confirmed"}, headers=bob_h)
    again = client.post(_url(setup, "/submit"), json={}, headers=ann_h)
    last = client.post(_url(setup, "/submit"), json={}, headers=bob_h)

    assert first.json()["status"] == "draft"
    assert {c["user_id"]: bool(c["confirmed_at"]) for c in first.json()["confirmations"]} == {
        ann.id: True, bob.id: False,
    }  # fmt: skip
    assert all(c["confirmed_at"] is None for c in edited.json()["confirmations"])
    assert again.json()["counts_as_submitted"] is False
    assert last.json()["status"] == "submitted"
    assert last.json()["counts_as_submitted"] is True
    stored = db.scalar(select(Submission))
    assert stored.status is SubmissionStatus.SUBMITTED
    assert db.scalar(select(func.count()).select_from(SubmissionConfirmation)) == 2


def test_the_page_shows_who_has_confirmed(client, db, settings):
    setup = _group_setup(db, settings, every_member_confirms=True)
    ann, bob, _ = setup.learners
    client.put(_url(setup), json={"text": "Our plan"}, headers=setup.headers(client, ann))
    client.post(_url(setup, "/submit"), json={}, headers=setup.headers(client, ann))
    sign_in(client, bob.email)
    path = f"/assignments/{setup.assignment.id}/submission"

    page = client.get(path)
    confirmed = client.post(f"{path}/submit", data={"csrf_token": csrf_from(page.text)})

    assert "Team Mekong" in page.text
    assert "Not yet" in page.text
    assert "Confirm the submission" in page.text
    assert confirmed.status_code == 200  # followed to the page
    assert "Not yet" not in confirmed.text
    assert "Submitted" in confirmed.text


def test_group_files_reach_every_member_and_no_one_else(client, db, settings):
    setup = _group_setup(db, settings)
    ann, bob, loner = setup.learners
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    uploaded = client.post(
        _url(setup, "/files"), files={"file": ("plan.pdf", pdf)}, headers=setup.headers(client, ann)
    )
    url = uploaded.json()["files"][0]["url"]
    assert client.get(url, headers=setup.headers(client, bob)).status_code == 200
    assert client.get(url, headers=setup.headers(client, loner)).status_code == 404

"""A learner's submission over the API and the page: drafts, the final submit within the
dates that hold for them (late accepted until the cut-off, refused after with nothing
written), the honour statement, files served to the right people only, and reopening."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.assignments.models import (
    Marking,
    Resubmission,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from app.assignments.service import dates, submissions
from app.courses.models import CompletionRule, Module
from app.courses.service.completion import completed_module_ids
from app.notifications.models import Notification, NotificationKind
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.assignments.factories import make_submission
from tests.assignments.submission_factories import Setup, draft_of, everything, make_setup
from tests.conftest import csrf_from

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
pytestmark = pytest.mark.time_machine(NOW)


def _setup(db, settings, **overrides) -> Setup:
    chosen = {"due_at": NOW + timedelta(days=1), "cutoff_at": NOW + timedelta(days=3)}
    return make_setup(db, settings, **(chosen | overrides))


def _url(setup: Setup, tail: str = "") -> str:
    return f"/api/v1/assignments/{setup.assignment.id}/submission{tail}"


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_draft_is_saved_sanitised_then_submitted_and_read_only(client, db, settings, inbox):
    setup = _setup(db, settings)
    module = db.get(Module, setup.assignment.module_id)
    module.completion_rule = CompletionRule.SUBMITTED
    db.flush()
    learner = setup.learners[0]
    headers = setup.headers(client, learner)

    saved = client.put(
        _url(setup), json={"text": "My **essay**<script>x()</script>"}, headers=headers
    )
    submitted = client.post(_url(setup, "/submit"), json={}, headers=headers)
    again = client.put(_url(setup), json={"text": "changed"}, headers=headers)

    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "draft"
    assert "<strong>essay</strong>" in saved.json()["text_html"]
    assert "<script" not in saved.json()["text_html"]
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert (body["status"], body["late"], body["attempt"]) == ("submitted", False, 1)
    assert again.status_code == 409
    assert again.json()["code"] == "submission_read_only"
    assert module.id in completed_module_ids(db, learner.id, setup.course.id)
    sent = {m["To"]: m["Subject"] for m in inbox.messages}
    assert sent == {learner.email: "Submission received: Essay"}  # the receipt, at once
    notices = db.scalars(select(Notification).where(
        Notification.kind == NotificationKind.SUBMISSION_RECEIVED
    )).all()  # fmt: skip
    assert [n.user_id for n in notices] == [setup.teacher.id]  # mailed as the teacher chose
    assert notices[0].subject == "Nouveau rendu\u202f: Essay"


def test_a_late_submission_is_marked_late_and_its_penalty_computed(
    client, db, settings, time_machine
):
    setup = _setup(
        db, settings, late_penalty_percent_per_day=Decimal(5), late_penalty_cap_percent=Decimal(20)
    )
    headers = setup.headers(client, setup.learners[0])
    client.put(_url(setup), json={"text": "Late work"}, headers=headers)
    time_machine.move_to(NOW + timedelta(days=1, hours=20), tick=False)
    headers = setup.headers(client, setup.learners[0])

    submitted = client.post(_url(setup, "/submit"), json={}, headers=headers)

    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["late"] is True
    view = submissions.learner_view(db, setup.actor(setup.learners[0]), setup.assignment.id)
    late_by = dates.lateness(view.dates, view.current.submitted_at)
    assert late_by == timedelta(hours=20)
    assert dates.late_penalty_points(setup.assignment, late_by) == Decimal(1)


def test_after_the_cut_off_the_submit_is_refused_and_nothing_written(
    client, db, settings, time_machine
):
    setup = _setup(db, settings)
    headers = setup.headers(client, setup.learners[0])
    client.put(_url(setup), json={"text": "Too late"}, headers=headers)
    time_machine.move_to(NOW + timedelta(days=3, seconds=1))
    headers = setup.headers(client, setup.learners[0])

    refused = client.post(_url(setup, "/submit"), json={}, headers=headers)
    edit = client.put(_url(setup), json={"text": "more"}, headers=headers)

    assert refused.status_code == 409
    assert refused.json()["code"] == "assignment_closed"
    assert edit.status_code == 409
    stored = db.scalar(select(Submission).where(Submission.assignment_id == setup.assignment.id))
    assert (stored.status, stored.submitted_at, stored.text_markdown) == (
        SubmissionStatus.DRAFT,
        None,
        "Too late",
    )


def test_an_extension_lets_one_learner_submit_after_the_cut_off(client, db, settings, time_machine):
    setup = _setup(db, settings)
    ann, bob = setup.learners
    teacher = setup.headers(client, setup.teacher)
    granted = client.post(
        f"/api/v1/assignments/{setup.assignment.id}/extensions",
        json={"user_id": ann.id, "due_at": (NOW + timedelta(days=5)).isoformat(), "reason": "Ill"},
        headers=teacher,
    )
    time_machine.move_to(NOW + timedelta(days=4))
    ann_h, bob_h = setup.headers(client, ann), setup.headers(client, bob)

    ann_saved = client.put(_url(setup), json={"text": "Mine"}, headers=ann_h)
    ann_done = client.post(_url(setup, "/submit"), json={}, headers=ann_h)
    bob_refused = client.put(_url(setup), json={"text": "Mine"}, headers=bob_h)

    assert granted.status_code == 201, granted.text
    assert ann_saved.json()["dates"]["extended"] is True
    assert (ann_done.status_code, ann_done.json()["late"]) == (200, False)
    assert bob_refused.status_code == 409


def test_before_the_opening_nothing_is_taken(client, db, settings):
    setup = _setup(db, settings, opens_at=NOW + timedelta(hours=1))
    refused = client.put(
        _url(setup), json={"text": "Early"}, headers=setup.headers(client, setup.learners[0])
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "assignment_closed"
    assert _count(db, Submission) == 0


def test_the_honour_statement_and_the_word_limit(client, db, settings):
    setup = _setup(db, settings, honour_statement=True, word_limit=3)
    headers = setup.headers(client, setup.learners[0])

    too_long = client.put(_url(setup), json={"text": "one two three four"}, headers=headers)
    client.put(_url(setup), json={"text": "one two three"}, headers=headers)
    without = client.post(_url(setup, "/submit"), json={}, headers=headers)
    accepted = client.post(_url(setup, "/submit"), json={"honour_statement": True}, headers=headers)

    assert too_long.status_code == 422
    assert without.status_code == 422
    assert without.json()["code"] == "invalid"
    assert accepted.status_code == 200
    stored = db.scalar(select(Submission))
    assert stored.honour_accepted_at is not None


def test_nothing_to_submit_is_refused(client, db, settings):
    setup = _setup(db, settings)
    refused = client.post(
        _url(setup, "/submit"), json={}, headers=setup.headers(client, setup.learners[0])
    )
    assert refused.status_code == 422
    assert _count(db, Submission) == 0


def test_files_are_type_checked_limited_and_removable_while_draft(client, db, settings):
    setup = _setup(db, settings, accepted_types=["application/pdf"], max_files=1)
    headers = setup.headers(client, setup.learners[0])

    text_file = client.post(
        _url(setup, "/files"), files={"file": ("notes.txt", b"plain words")}, headers=headers
    )
    pdf = client.post(_url(setup, "/files"), files={"file": ("essay.pdf", PDF)}, headers=headers)
    second = client.post(
        _url(setup, "/files"), files={"file": ("other.pdf", PDF + b" ")}, headers=headers
    )
    removed = client.delete(_url(setup, "/files/essay.pdf"), headers=headers)

    assert text_file.status_code == 422
    assert pdf.status_code == 200, pdf.text
    assert [f["name"] for f in pdf.json()["files"]] == ["essay.pdf"]
    assert second.status_code == 422
    assert removed.status_code == 200
    assert removed.json()["files"] == []


def test_files_are_served_as_attachments_to_the_learner_and_markers_only(client, db, settings):
    setup = _setup(db, settings)
    ann, bob = setup.learners
    ann_h = setup.headers(client, ann)
    uploaded = client.post(_url(setup, "/files"), files={"file": ("essay.pdf", PDF)}, headers=ann_h)
    url = uploaded.json()["files"][0]["url"]

    own = client.get(url, headers=ann_h)
    marker = client.get(url, headers=setup.headers(client, setup.teacher))
    other = client.get(url, headers=setup.headers(client, bob))

    assert own.status_code == 200
    assert own.content == PDF
    assert own.headers["content-disposition"].startswith("attachment")
    assert marker.status_code == 200
    assert other.status_code == 404


def test_the_portal_serves_the_file_to_its_learner_only(client, db, settings):
    setup = _setup(db, settings)
    ann, bob = setup.learners
    client.post(
        _url(setup, "/files"),
        files={"file": ("essay.pdf", PDF)},
        headers=setup.headers(client, ann),
    )
    submission = db.scalar(select(Submission))
    sign_in(client, bob.email)
    assert client.get(f"/submissions/{submission.id}/files/essay.pdf").status_code == 404
    sign_in(client, ann.email)
    own = client.get(f"/submissions/{submission.id}/files/essay.pdf")
    assert own.status_code == 200
    assert own.headers["content-disposition"].startswith("attachment")


def test_reopening_keeps_every_attempt_within_the_limit(client, db, settings):
    setup = _setup(db, settings, resubmission=Resubmission.MANUAL, max_attempts=2)
    learner = setup.learners[0]
    headers = setup.headers(client, learner)
    teacher = setup.headers(client, setup.teacher)
    client.put(_url(setup), json={"text": "First"}, headers=headers)
    client.post(_url(setup, "/files"), files={"file": ("essay.pdf", PDF)}, headers=headers)
    first = client.post(_url(setup, "/submit"), json={}, headers=headers).json()

    by_learner = client.post(f"/api/v1/submissions/{first['id']}/reopen", headers=headers)
    reopened = client.post(f"/api/v1/submissions/{first['id']}/reopen", headers=teacher)
    client.put(_url(setup), json={"text": "Second"}, headers=headers)
    second = client.post(_url(setup, "/submit"), json={}, headers=headers).json()
    exhausted = client.post(f"/api/v1/submissions/{second['id']}/reopen", headers=teacher)

    assert by_learner.status_code == 404
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["attempt"], reopened.json()["status"]) == (2, "draft")
    assert reopened.json()["text_markdown"] == "First"
    assert [f["name"] for f in reopened.json()["files"]] == ["essay.pdf"]
    assert exhausted.status_code == 409
    assert exhausted.json()["code"] == "attempts_exhausted"
    kept = db.scalars(select(Submission).order_by(Submission.attempt)).all()
    assert [(s.attempt, s.status, s.text_markdown) for s in kept] == [
        (1, SubmissionStatus.REOPENED, "First"),
        (2, SubmissionStatus.SUBMITTED, "Second"),
    ]
    assert _count(db, SubmissionFile) == 2
    page = client.get(f"/assignments/{setup.assignment.id}/submission")
    assert page.status_code in (401, 303, 200)


def test_no_reopening_without_a_resubmission_policy(client, db, settings):
    setup = _setup(db, settings)
    submission = make_submission(db, setup.assignment, user=setup.learners[0])
    refused = client.post(
        f"/api/v1/submissions/{submission.id}/reopen", headers=setup.headers(client, setup.teacher)
    )
    assert refused.status_code == 409
    assert _count(db, Submission) == 1


def test_until_pass_gives_a_next_attempt_within_the_limit(db, settings):
    setup = _setup(db, settings, resubmission=Resubmission.UNTIL_PASS, max_attempts=2)
    first = make_submission(db, setup.assignment, user=setup.learners[0])
    second = submissions.next_attempt(db, first)
    assert second is not None
    assert (second.attempt, first.status) == (2, SubmissionStatus.REOPENED)
    second.status = SubmissionStatus.SUBMITTED
    db.flush()
    assert submissions.next_attempt(db, second) is None


def test_feedback_reaches_the_page_only_once_released(client, db, settings):
    setup = _setup(db, settings)
    learner = setup.learners[0]
    submission = make_submission(db, setup.assignment, user=learner)
    marking = Marking(
        assignment_id=setup.assignment.id, submission_id=submission.id, points=Decimal(15),
        feedback_markdown="Good", feedback_html="<p>Well argued, secret-feedback.</p>",
    )  # fmt: skip
    db.add(marking)
    db.flush()
    actor = setup.actor(learner)
    sign_in(client, learner.email)

    before = client.get(f"/assignments/{setup.assignment.id}/submission")
    assert submissions.learner_view(db, actor, setup.assignment.id).marking is None
    marking.released_at = NOW
    db.flush()
    after = submissions.learner_view(db, actor, setup.assignment.id)

    assert before.status_code == 200
    assert "secret-feedback" not in before.text
    assert after.marking is not None
    assert after.marking.id == marking.id


def test_the_learner_page_shows_dates_status_and_the_forms(client, db, settings):
    setup = _setup(db, settings, honour_statement=True)
    learner = setup.learners[0]
    sign_in(client, learner.email)
    path = f"/assignments/{setup.assignment.id}/submission"

    page = client.get(path)
    token = csrf_from(page.text)
    saved = client.post(
        f"{path}/text", data={"text": "My page text", "csrf_token": token}, follow_redirects=False
    )
    uploaded = client.post(
        f"{path}/files", data={"csrf_token": token}, files={"file": ("essay.pdf", PDF)},
        follow_redirects=False,
    )  # fmt: skip
    refused = client.post(f"{path}/submit", data={"csrf_token": token})
    submitted = client.post(
        f"{path}/submit", data={"csrf_token": token, "honour_statement": "true"},
        follow_redirects=False,
    )  # fmt: skip
    final = client.get(path)

    assert page.status_code == 200
    assert "Nothing drafted yet" in page.text
    assert (saved.status_code, uploaded.status_code) == (303, 303)
    assert refused.status_code == 400
    assert "Accept the statement to submit." in refused.text
    assert submitted.status_code == 303
    assert "Submitted" in final.text
    assert "essay.pdf" in final.text
    assert "Save the draft" not in final.text


def test_staff_have_no_submission_of_their_own_and_outsiders_no_assignment(client, db, settings):
    setup = _setup(db, settings)
    outsider = make_user(db, password=PASSWORD)
    teacher = client.get(_url(setup), headers=setup.headers(client, setup.teacher))
    stranger = client.get(_url(setup), headers=setup.headers(client, outsider))
    assert teacher.status_code == 403
    assert stranger.status_code == 404


def test_refused_learner_forms_show_why_and_write_nothing(client, db, settings):
    setup = _setup(
        db, settings, honour_statement=True, word_limit=2, accepted_types=["application/pdf"]
    )
    learner = setup.learners[0]
    draft_of(db, settings, setup.assignment, learner.id)
    sign_in(client, learner.email)
    path = f"/assignments/{setup.assignment.id}/submission"
    token = csrf_from(client.get(path).text)
    before = everything(db)

    too_long = client.post(f"{path}/text", data={"csrf_token": token, "text": "one two three"})
    wrong_type = client.post(
        f"{path}/files", data={"csrf_token": token}, files={"file": ("notes.txt", b"words")}
    )
    no_honour = client.post(f"{path}/submit", data={"csrf_token": token})

    assert [r.status_code for r in (too_long, wrong_type, no_honour)] == [400, 400, 400]
    assert "The text is longer than the word limit allows." in too_long.text
    assert "one two three" in too_long.text  # the text is given back to fix
    assert "This type of file is not accepted here." in wrong_type.text
    assert "Accept the statement to submit." in no_honour.text
    assert everything(db) == before


def test_the_module_page_shows_the_learner_their_dates_and_staff_their_links(client, db, settings):
    setup = _setup(db, settings)
    module = db.get(Module, setup.assignment.module_id)
    module.completion_rule = CompletionRule.SUBMITTED
    db.flush()
    path = f"/courses/{setup.course.code}/modules/{module.id}"
    sign_in(client, setup.learners[0].email)
    learner = client.get(path)
    sign_in(client, setup.teacher.email)
    teacher = client.get(path)

    assert learner.status_code == 200
    assert f'href="/assignments/{setup.assignment.id}/submission"' in learner.text
    assert "Nothing drafted yet" in learner.text
    assert "Mark as done" not in learner.text
    assert f'href="/modules/{module.id}/assignment"' in teacher.text
    assert f'href="/assignments/{setup.assignment.id}/submissions"' in teacher.text

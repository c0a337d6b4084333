"""Marking over the API: the markers' list of submissions, a marking (with its version, for
concurrent markers), the workflow, releases, anonymous marking's reveal, feedback files,
members' own grades, rubrics and marking guides."""

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.assignments.marking_models import Rubric
from app.assignments.marking_schemas import (
    BulkReleaseRead,
    CriterionMarkRead,
    CriterionRead,
    EmptyAttempt,
    LevelRead,
    MarkingFileRead,
    MarkingRead,
    MarkingUpdate,
    MemberGrade,
    MemberGradeRead,
    RevealRead,
    RubricCopy,
    RubricRead,
    RubricUpdate,
    SubmissionListRead,
    SubmissionRowRead,
    WorkflowMove,
)
from app.assignments.models import Assignment, MarkingFile, MarkingState
from app.assignments.service import (
    anonymity,
    feedback_files,
    marking,
    marking_list,
    rubrics,
    workflow,
)
from app.assignments.service.marking_view import MarkingView, marking_view
from app.core.db import SessionDep
from app.core.downloads import stored_file_response
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.core.storage import storage_for

router = APIRouter(tags=["assignments"], route_class=DeferredRoute)
A = "/assignments/{assignment_id}"
S = "/submissions/{submission_id}"


def file_read(stored: MarkingFile) -> MarkingFileRead:
    return MarkingFileRead(
        id=stored.id, name=stored.name, size=stored.content.size,
        media_type=stored.content.media_type, url=f"/api/v1/marking-files/{stored.id}",
    )  # fmt: skip


def marking_read(view: MarkingView) -> MarkingRead:
    found = view.marking
    return MarkingRead(
        id=found.id if found else None, submission_id=view.submission.id,
        state=found.state if found else MarkingState.NOT_MARKED, version=view.version,
        points=found.points if found else None,
        scale_level_id=found.scale_level_id if found else None,
        declared_penalty_points=view.penalty.points,
        penalty_points=found.penalty_points if found else view.penalty.points,
        penalty_override_reason=found.penalty_override_reason if found else None,
        final_points=found.final_points if found else None,
        feedback_markdown=found.feedback_markdown if found else "",
        feedback_html=found.feedback_html if found else "",
        criteria=[
            CriterionMarkRead(criterion_id=c.criterion_id, level_id=c.level_id, points=c.points,
                              comment=c.comment)
            for c in view.choices.values()
        ],
        files=[file_read(f) for f in view.files],
        member_grades=[
            MemberGradeRead(user_id=None if view.hidden else m.user_id, participant=m.participant,
                            points=m.override.points, reason=m.override.reason)
            for m in view.members if m.override is not None
        ],
        released_at=found.released_at if found else None,
    )  # fmt: skip


def _read(session: Session, actor: SignedInApiActor, submission_id: int) -> MarkingRead:
    return marking_read(marking_view(session, actor, submission_id))


def rubric_read(session: Session, assignment: Assignment, rubric: Rubric | None) -> RubricRead:
    return RubricRead(
        assignment_id=assignment.id, grading_method=assignment.grading_method.value,
        lock_zero_points=rubric.lock_zero_points if rubric else True,
        in_use=rubrics.in_use(session, rubric) if rubric else False,
        criteria=[
            CriterionRead(id=c.id, description=c.description, max_points=c.max_points,
                          levels=[LevelRead.model_validate(lv, from_attributes=True)
                                  for lv in c.levels])
            for c in (rubric.criteria if rubric else [])
        ],
    )  # fmt: skip


def row_read(row: marking_list.Row) -> SubmissionRowRead:
    attempt = row.submission
    return SubmissionRowRead(
        user_id=row.user_id, participant=row.participant, group_id=row.group_id,
        name=row.name or f"Participant {row.participant}",
        submission_id=attempt.id if attempt else None,
        attempt=attempt.attempt if attempt else None, status=row.status,
        submitted_at=attempt.submitted_at if attempt else None,
        late_seconds=row.late_seconds, marking_state=row.marking_state,
        final_points=row.final_points, grade_label=row.grade_label,
        marking_version=row.marking.version if row.marking else 0,
    )  # fmt: skip


@router.get(A + "/submissions", response_model=SubmissionListRead)
def list_submissions(
    assignment_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    group_id: Annotated[Id | None, Query(description="only this group's learners")] = None,
) -> SubmissionListRead:
    """Every learner (or group, for group submission) of the assignment with their latest
    attempt, lateness, marking state and grade, for those who mark it (teachers, tutors,
    managers). While an anonymous assignment hides identities, rows carry a participant
    number and no user id or name."""
    found = marking_list.submission_list(session, actor, assignment_id, group_id=group_id)
    rows = [row_read(r) for r in found.rows]
    return SubmissionListRead(
        assignment_id=assignment_id, anonymous=found.access.assignment.anonymous,
        identities_hidden=found.hidden, rows=rows,
    )  # fmt: skip


@router.post(A + "/reveal", response_model=RevealRead)
def reveal_identities(
    assignment_id: Id, session: SessionDep, actor: SignedInApiActor
) -> RevealRead:
    """Lift anonymous marking (teachers and managers; once, logged with who and when). Grades
    already released reach the gradebook now."""
    assignment = anonymity.reveal_identities(session, actor, assignment_id)
    assert assignment.identities_revealed_at is not None
    return RevealRead(
        assignment_id=assignment.id, identities_revealed_at=assignment.identities_revealed_at
    )


@router.post(A + "/empty-attempts", response_model=MarkingRead, status_code=201)
def start_empty_attempt(
    assignment_id: Id, body: EmptyAttempt, session: SessionDep, actor: SignedInApiActor
) -> MarkingRead:
    """An attempt to grade a learner or group who handed nothing in (their latest attempt if
    they have one); answers its marking, not yet marked."""
    submission = marking.start_empty_attempt(session, actor, assignment_id, body)
    return _read(session, actor, submission.id)


@router.post(A + "/release", response_model=BulkReleaseRead)
def release_ready(
    assignment_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> BulkReleaseRead:
    """Release every marking ready for release (marking workflow) or every graded marking not
    yet released; teachers and managers. Each learner is told by e-mail."""
    return BulkReleaseRead(released=workflow.release_ready(session, actor, settings, assignment_id))


@router.get(S + "/marking", response_model=MarkingRead)
def read_marking(submission_id: Id, session: SessionDep, actor: SignedInApiActor) -> MarkingRead:
    """An attempt's marking for its markers, with the `version` to send back when saving."""
    return _read(session, actor, submission_id)


@router.put(S + "/marking", response_model=MarkingRead)
def save_marking(
    submission_id: Id,
    body: MarkingUpdate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> MarkingRead:
    """Save the whole marking of an attempt. A `version` older than the stored one is 409
    `marking_edited_meanwhile` and changes nothing. Learners see nothing until release."""
    marking.save_marking(session, actor, settings, submission_id, body)
    return _read(session, actor, submission_id)


@router.post(S + "/marking/state", response_model=MarkingRead)
def move_marking(
    submission_id: Id,
    body: WorkflowMove,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> MarkingRead:
    """One step of the marking workflow: markers to `in_marking` and `ready_for_review`;
    teachers and managers also to `ready_for_release` and `released`."""
    workflow.move_marking(session, actor, settings, submission_id, body)
    return _read(session, actor, submission_id)


@router.put(S + "/members/{user_id}/grade", response_model=MarkingRead)
def set_member_grade(
    submission_id: Id, user_id: Id, body: MemberGrade, session: SessionDep, actor: SignedInApiActor
) -> MarkingRead:
    """Give one member of a group other points than the group's, with a reason (teachers and
    managers)."""
    marking.set_member_grade(session, actor, submission_id, user_id, body)
    return _read(session, actor, submission_id)


@router.post(S + "/marking/files", response_model=MarkingFileRead, status_code=201)
def add_feedback_file(
    submission_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
) -> MarkingFileRead:
    """Attach a feedback file (multipart; size-limited, type read from its content); a file
    of the same name is replaced. Learners get it once the marking is released."""
    stored = feedback_files.add_feedback_file(
        session, actor, settings, submission_id, file.file, file.filename or "feedback"
    )
    return file_read(stored)


@router.get("/marking-files/{file_id}", response_class=StreamingResponse)
def download_feedback_file(
    file_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> StreamingResponse:
    """A feedback file, as an attachment: for markers, and for the learners once released."""
    stored = feedback_files.feedback_file(session, actor, file_id)
    content = stored.content
    return stored_file_response(
        storage_for(settings), content.sha256, stored.name, content.media_type, content.size
    )


@router.delete("/marking-files/{file_id}", status_code=204)
def remove_feedback_file(file_id: Id, session: SessionDep, actor: SignedInApiActor) -> Response:
    """Remove a feedback file (markers)."""
    feedback_files.remove_feedback_file(session, actor, file_id)
    return Response(status_code=204)


@router.get(A + "/rubric", response_model=RubricRead)
def read_rubric(assignment_id: Id, session: SessionDep, actor: SignedInApiActor) -> RubricRead:
    """The assignment's rubric or marking guide (its staff and managers)."""
    assignment, rubric = rubrics.read_rubric(session, actor, assignment_id)
    return rubric_read(session, assignment, rubric)


@router.put(A + "/rubric", response_model=RubricRead)
def define_rubric(
    assignment_id: Id, body: RubricUpdate, session: SessionDep, actor: SignedInApiActor
) -> RubricRead:
    """Replace the rubric's criteria and levels (or the guide's criteria and maxima): teachers
    and managers, until a marking uses them (then 409 `rubric_in_use`)."""
    rubrics.define_rubric(session, actor, assignment_id, body)
    assignment, rubric = rubrics.read_rubric(session, actor, assignment_id)
    return rubric_read(session, assignment, rubric)


@router.post(A + "/rubric/copy", response_model=RubricRead)
def copy_rubric(
    assignment_id: Id, body: RubricCopy, session: SessionDep, actor: SignedInApiActor
) -> RubricRead:
    """Take the criteria of another assignment of the same course, graded the same way."""
    rubrics.copy_rubric(session, actor, assignment_id, body.from_assignment_id)
    assignment, rubric = rubrics.read_rubric(session, actor, assignment_id)
    return rubric_read(session, assignment, rubric)

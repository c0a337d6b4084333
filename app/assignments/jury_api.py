"""An assignment's jury over the API: members and chair, who marks which submission, each
member's independent mark, the final grade and its release, and the defence slot."""

from fastapi import APIRouter, Response, status

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.assignments.jury_models import JuryMark, JuryMember
from app.assignments.jury_schemas import (
    AllocationRead,
    AllocationUpdate,
    DefenceInput,
    DefenceRead,
    JuryFinalInput,
    JuryFinalRead,
    JuryMarkInput,
    JuryMarkRead,
    JuryMarksRead,
    JuryMemberCreate,
    JuryMemberRead,
)
from app.assignments.service import defences, examiners, jury, jury_final, jury_marks
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.routes import DeferredRoute

router = APIRouter(tags=["assignments"], route_class=DeferredRoute)
A = "/assignments/{assignment_id}"
S = "/submissions/{submission_id}"


def member_read(member: JuryMember) -> JuryMemberRead:
    return JuryMemberRead(
        id=member.id,
        user_id=member.user_id,
        display_name=member.user.display_name,
        is_chair=member.is_chair,
        external=member.external,
    )


def marks_read(view: jury_marks.MarksView) -> JuryMarksRead:
    names = {m.id: m.user.display_name for m in view.jury.jury}

    def one(mark: JuryMark) -> JuryMarkRead:
        return JuryMarkRead(
            member_id=mark.member_id, display_name=names.get(mark.member_id, ""),
            points=mark.points, scale_level_id=mark.scale_level_id,
            comment_html=mark.comment_html, updated_at=mark.updated_at,
        )  # fmt: skip

    others = None
    if view.marks is not None:
        others = [one(m) for m in view.marks.values() if view.mine is None or m.id != view.mine.id]
    return JuryMarksRead(
        mine=one(view.mine) if view.mine else None,
        others=others,
        markers=len(view.jury.markers),
        marked=view.marked,
    )


@router.get(A + "/jury-members", response_model=list[JuryMemberRead])
def list_members(
    assignment_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[JuryMemberRead]:
    """The jury of an assignment, chair first: for the course's teachers, tutors and managers,
    and for the jury's own members."""
    return [member_read(m) for m in jury.list_members(session, actor, assignment_id)]


@router.post(A + "/jury-members", response_model=JuryMemberRead, status_code=201)
def add_member(
    assignment_id: Id,
    body: JuryMemberCreate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> JuryMemberRead:
    """Add a member (teachers and managers): a teacher or tutor of the course by `user_id`, or
    an external examiner by `email` (an account is made and invited when none has it). The
    member is told by mail; `chair: true` makes them the chair."""
    return member_read(examiners.add_member(session, actor, settings, assignment_id, body))


@router.delete(A + "/jury-members/{member_id}", status_code=204)
def remove_member(
    assignment_id: Id, member_id: Id, session: SessionDep, actor: SignedInApiActor
) -> Response:
    """Remove a member who has marked nothing (`jury_member_has_marked` otherwise)."""
    jury.remove_member(session, actor, assignment_id, member_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(A + "/allocations", response_model=list[AllocationRead])
def allocate(
    assignment_id: Id,
    body: AllocationUpdate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> list[AllocationRead]:
    """Choose who marks the given submissions: the listed members, or the whole jury when
    `member_ids` is empty. Members newly chosen are told by mail."""
    allocation = examiners.allocate(
        session, actor, settings, assignment_id, body.submission_ids, body.member_ids
    )
    return [
        AllocationRead(submission_id=sid, member_ids=[m.id for m in markers])
        for sid, markers in allocation.markers.items()
    ]


@router.get(S + "/jury-marks", response_model=JuryMarksRead)
def read_marks(submission_id: Id, session: SessionDep, actor: SignedInApiActor) -> JuryMarksRead:
    """Your own mark, and the other members' once yours is entered (the chair and the course's
    markers who do not mark it see them all). Learners never see a member's mark."""
    return marks_read(jury_marks.marks_of(session, actor, submission_id))


@router.put(S + "/jury-marks/mine", response_model=JuryMarksRead)
def enter_mark(
    submission_id: Id, body: JuryMarkInput, session: SessionDep, actor: SignedInApiActor
) -> JuryMarksRead:
    """Enter or change your own mark of a submission allocated to you: `points` (out of the
    assignment's maximum) or `scale_level_id`, and a comment. Refused once released."""
    return marks_read(jury_marks.enter_mark(session, actor, submission_id, body))


@router.post(S + "/jury-final", response_model=JuryFinalRead)
def decide(
    submission_id: Id, body: JuryFinalInput, session: SessionDep, actor: SignedInApiActor
) -> JuryFinalRead:
    """The jury's final grade (the chair, or a manager), once every marker has marked: the
    mean of the marks, or the agreed `points` with its `reason`. With `release: true` the
    grade and `feedback` reach every learner of the submission (every group member)."""
    view = jury_final.decide(session, actor, submission_id, body)
    decision = view.decision
    assert decision is not None
    return JuryFinalRead(
        submission_id=decision.submission_id, points=decision.points,
        scale_level_id=decision.scale_level_id, reason=decision.reason,
        decided_at=decision.decided_at, released_at=decision.released_at,
    )  # fmt: skip


@router.get(S + "/defence", response_model=DefenceRead)
def read_defence(submission_id: Id, session: SessionDep, actor: SignedInApiActor) -> DefenceRead:
    """The defence slot, for the submission's learners, its jury and the course's staff."""
    slot = defences.get_defence(session, actor, submission_id)
    if slot is None:
        raise NotFound(N_("No defence is planned for this submission."))
    return DefenceRead.model_validate(slot.defence)


@router.put(S + "/defence", response_model=DefenceRead)
def set_defence(
    submission_id: Id, body: DefenceInput, session: SessionDep, actor: SignedInApiActor
) -> DefenceRead:
    """Set or move the defence (teachers and managers): `starts_at` (without an offset: the
    wall-clock time in `time_zone`), `duration_minutes` and `place`, or `webinar_session_id`
    (a session of the course, whose start and length apply unless given)."""
    return DefenceRead.model_validate(
        defences.set_defence(session, actor, submission_id, body).defence
    )

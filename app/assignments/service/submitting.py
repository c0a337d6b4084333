"""The final submit: the draft becomes read only, counts as late after the due date, completes
the module for every learner it belongs to and sends the receipts. Groups whose members must
all confirm submit with the last member's confirmation."""

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments.models import SubmissionConfirmation, SubmissionStatus
from app.assignments.service.receipts import send_receipts
from app.assignments.service.submissions import SubmissionView, draft_of, view_of
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.i18n import N_
from app.courses.models import CompletionRule
from app.courses.service.completion import record_outcome


def submit(
    session: Session, actor: Actor, settings: Settings, assignment_id: int, *, honour: bool
) -> SubmissionView:
    """Hand the draft in, with the honour statement when the assignment asks for it, between
    its opening and its cut-off (late after the due date), as they hold for the learner. With
    "every member confirms", each member's submit is their confirmation of the group's draft
    and the draft is submitted with the last one."""
    view, draft = draft_of(session, actor, assignment_id)
    assignment = view.access.assignment
    owner = view.owner
    assert owner is not None
    assert actor.user_id is not None
    if not draft.text_markdown.strip() and not draft.files:
        raise Invalid(
            N_("There is nothing to submit yet: write a text or add a file."), field="text"
        )
    if assignment.honour_statement and not honour:
        raise Invalid(N_("Accept the statement to submit."), field="honour_statement")
    now = utcnow()
    if owner.group is not None and assignment.every_member_confirms:
        if actor.user_id not in view.confirmed:
            session.add(
                SubmissionConfirmation(
                    submission_id=draft.id, user_id=actor.user_id, confirmed_at=now
                )
            )
            session.flush()
        confirmed = {*view.confirmed, actor.user_id}
        if any(member.id not in confirmed for member in owner.members):
            return view_of(session, view.access, owner, actor.user_id)
    draft.status = SubmissionStatus.SUBMITTED
    draft.submitted_at = now
    draft.submitted_by_id = actor.user_id
    draft.honour_accepted_at = now if honour else None
    draft.updated_at = now
    session.flush()
    learners = owner.members if owner.group else [session.get_one(User, actor.user_id)]
    for learner in learners:
        record_outcome(session, learner.id, view.access.module, CompletionRule.SUBMITTED)
    who = owner.group.name if owner.group else learners[0].display_name
    send_receipts(session, settings, draft, view.access.module, learners, who)
    return view_of(session, view.access, owner, actor.user_id)

"""Anonymous marking: until a teacher reveals the identities, markers know each learner of the
assignment only as "Participant N", a number drawn at random once per learner and assignment.
The reveal is one-way, logged (who, when), and lets the released grades into the gradebook."""

import secrets
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.service import audit
from app.assignments import policy
from app.assignments.marking_models import AnonymousParticipant
from app.assignments.models import Assignment, Marking, MarkingState
from app.assignments.service.release import release_marking
from app.assignments.service.settings import assignment_by_id
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.i18n import N_

LOWEST, HIGHEST = 100000, 999999  # six digits, as Moodle's: nothing to count from


class NotAnonymous(Conflict):
    code = "not_anonymous"
    title = N_("This assignment is not marked anonymously.")


class AlreadyRevealed(Conflict):
    code = "identities_already_revealed"
    title = N_("The identities have already been revealed.")


def hides_identities(assignment: Assignment) -> bool:
    """Markers see numbers, not names, while an anonymous assignment's identities are hidden."""
    return assignment.anonymous and assignment.identities_revealed_at is None


def participant_numbers(
    session: Session, assignment: Assignment, user_ids: Collection[int]
) -> dict[int, int]:
    """Each learner's number for the assignment, drawn for those who have none yet (two
    queries whatever the number of learners)."""
    if not user_ids:
        return {}
    known = dict(
        session.execute(
            select(AnonymousParticipant.user_id, AnonymousParticipant.number).where(
                AnonymousParticipant.assignment_id == assignment.id
            )
        ).all()
    )
    taken = set(known.values())
    for user_id in sorted(set(user_ids) - known.keys()):
        number = secrets.randbelow(HIGHEST - LOWEST + 1) + LOWEST
        while number in taken:
            number = secrets.randbelow(HIGHEST - LOWEST + 1) + LOWEST
        taken.add(number)
        known[user_id] = number
        session.add(
            AnonymousParticipant(assignment_id=assignment.id, user_id=user_id, number=number)
        )
    session.flush()
    return {user_id: known[user_id] for user_id in user_ids}


def user_of_participant(session: Session, assignment: Assignment, number: int) -> int | None:
    return session.scalar(
        select(AnonymousParticipant.user_id).where(
            AnonymousParticipant.assignment_id == assignment.id,
            AnonymousParticipant.number == number,
        )
    )


def reveal_identities(session: Session, actor: Actor, assignment_id: int) -> Assignment:
    """Teachers and managers lift anonymity once; the grades already released reach the
    gradebook now (they were held back so that no name could be matched to a grade)."""
    access = assignment_by_id(session, actor, assignment_id)
    require(policy.can_reveal_identities(actor, access.roles))
    assignment = access.assignment
    if not assignment.anonymous:
        raise NotAnonymous()
    if assignment.identities_revealed_at is not None:
        raise AlreadyRevealed()
    assignment.identities_revealed_at = utcnow()
    audit(session, actor, "assignment.reveal_identities", f"assignment:{assignment.id}")
    released = session.scalars(
        select(Marking)
        .where(Marking.assignment_id == assignment.id, Marking.state == MarkingState.RELEASED)
        .order_by(Marking.id)
    )
    for marking in released:
        when, by = marking.released_at, marking.released_by_id
        release_marking(session, assignment, marking, by_user_id=by)
        marking.released_at = when  # the learner has read it since then
    session.flush()
    return assignment

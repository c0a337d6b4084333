"""Who writes to whom. People write to those they share a course with when one teaches (or
tutors) it and the other studies in it, and to the members of their own groups (collective
projects); managers to the people they reach; anyone answers who wrote to them. Nobody
writes to someone who blocked them, nor to anyone they share no course with. Partner systems
take no part. Reports of messages are read by the managers who reach the sender."""

from dataclasses import dataclass

from app.core.actors import Actor
from app.membership.models import CourseRole
from app.membership.policy import reaches_person

TEACHING = frozenset({CourseRole.TEACHER, CourseRole.TUTOR})


@dataclass(frozen=True)
class Ties:
    """What links the writer to the person written to, as the service found it."""

    roles_in_shared_courses: list[tuple[frozenset[CourseRole], frozenset[CourseRole]]]
    same_group: bool
    recipient_institution_id: int | None
    blocked_by_recipient: bool
    wrote_to_me: bool = False  # the recipient already wrote to the writer


def takes_part(actor: Actor) -> bool:
    return actor.user_id is not None and not actor.is_partner_client


def _teaching_tie(mine: frozenset[CourseRole], theirs: frozenset[CourseRole]) -> bool:
    learner = CourseRole.STUDENT
    teaches_them = bool(mine & TEACHING) and learner in theirs
    taught_by_them = bool(theirs & TEACHING) and learner in mine
    return teaches_them or taught_by_them


def may_write(actor: Actor, recipient_id: int, ties: Ties) -> bool:
    if not takes_part(actor) or recipient_id == actor.user_id or ties.blocked_by_recipient:
        return False
    if actor.is_manager and reaches_person(actor, ties.recipient_institution_id):
        return True
    return (
        ties.same_group
        or ties.wrote_to_me
        or any(_teaching_tie(mine, theirs) for mine, theirs in ties.roles_in_shared_courses)
    )


def can_read_reports(actor: Actor) -> bool:
    return takes_part(actor) and actor.is_manager

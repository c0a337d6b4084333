"""Who may read and write credits. The only place these rules live; every credits service asks
them. Registrars are managers: coordinators everywhere, institution managers within their
institution's learners. A learner reads their own. A partner system reads (`credits:read`) and
posts (`credits:write`) for its own institution's learners only; everyone else outside that
reach is told the learner does not exist (404)."""

from app.core.actors import Actor, Scope
from app.membership.policy import reaches_institution, reaches_person


def _person_with(actor: Actor, scope: Scope) -> bool:
    """A signed-in person (or the platform itself) whose token carries the scope."""
    return actor.has_scope(scope) and actor.api_client_id is None and not actor.is_anonymous


def knows_learner(actor: Actor, learner_id: int, learner_institution_id: int | None) -> bool:
    """Whether a learner's credits exist for the actor at all (404 otherwise): the learner,
    managers and partner systems within reach."""
    if actor.is_anonymous:
        return False
    if actor.user_id == learner_id:
        return True
    return (actor.is_manager or actor.is_partner_client) and reaches_person(
        actor, learner_institution_id
    )


def can_read_credits(actor: Actor, learner_id: int, learner_institution_id: int | None) -> bool:
    """The learner, registrars within reach and partner systems within reach with
    `credits:read` read the ledger, progress and transcripts."""
    if not actor.has_scope(Scope.CREDITS_READ):
        return False
    return knows_learner(actor, learner_id, learner_institution_id)


def is_registrar(actor: Actor, institution_id: int | None) -> bool:
    """Managers within reach of an institution keep its records (ledger corrections, tables,
    recognition, agreements); a token needs `credits:write`."""
    return (
        _person_with(actor, Scope.CREDITS_WRITE)
        and actor.is_manager
        and reaches_institution(actor, institution_id)
    )


def is_registrar_of_learner(actor: Actor, learner_institution_id: int | None) -> bool:
    """A registrar who reaches the learner writes their ledger."""
    return (
        _person_with(actor, Scope.CREDITS_WRITE)
        and actor.is_manager
        and reaches_person(actor, learner_institution_id)
    )


def partner_writes_for(actor: Actor, learner_institution_id: int | None) -> bool:
    """A partner system posts (transfer results) for its own institution's learners with
    `credits:write`."""
    return (
        actor.is_partner_client
        and actor.has_scope(Scope.CREDITS_WRITE)
        and reaches_person(actor, learner_institution_id)
    )

"""Who may read and write credits. The only place these rules live; every credits service asks
them. Registrars are managers: coordinators everywhere, institution managers within their
institution's learners. A learner reads their own. A partner system reads (`credits:read`) and
posts (`credits:write`) for its own institution's learners only; everyone else outside that
reach is told the learner does not exist (404)."""

from collections.abc import Collection

from app.core.actors import Actor, Scope
from app.membership.policy import reaches_any, reaches_institution, reaches_person


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


# --- transfer ---


def can_write_agreement(actor: Actor, learner_id: int, learner_institution_id: int | None) -> bool:
    """The learner (signed in, `credits:write`) and the home registrar write and propose a
    learning agreement while it is a draft."""
    if _person_with(actor, Scope.CREDITS_WRITE) and actor.user_id == learner_id:
        return True
    return is_registrar_of_learner(actor, learner_institution_id)


def approves_for_host(actor: Actor, host_institution_id: int) -> bool:
    """The host approves through a registrar of its own or its partner system with
    `credits:write`."""
    if actor.is_partner_client:
        return actor.has_scope(Scope.CREDITS_WRITE) and actor.institution_id == host_institution_id
    return is_registrar(actor, host_institution_id)


def is_host_of(actor: Actor, host_institution_id: int) -> bool:
    """A partner system or an institution manager of the host institution: it sees the
    agreements and results that involve it, nothing else of the learner."""
    return (
        actor.is_confined
        and actor.institution_id is not None
        and actor.institution_id == host_institution_id
    )


def posts_host_results(actor: Actor, host_institution_id: int) -> bool:
    """The host's partner system (`credits:write`) posts the results of its own courses."""
    return (
        actor.is_partner_client
        and actor.has_scope(Scope.CREDITS_WRITE)
        and actor.institution_id == host_institution_id
    )


def decides_transfers(actor: Actor, learner_institution_id: int | None) -> bool:
    """The home registrar records (with or without conversion) or refuses a transfer result,
    and may also post results received by other means (as may the home partner system, see
    `partner_writes_for`)."""
    return is_registrar_of_learner(actor, learner_institution_id)


# --- ledger ---


def keeps_credit_records(actor: Actor) -> bool:
    """The registrars' desk (the credits landing page and its learner search) is for managers
    whose token carries `credits:write`; each learner's ledger still needs them to reach the
    learner (`is_registrar_of_learner`)."""
    return _person_with(actor, Scope.CREDITS_WRITE) and actor.is_manager


# --- recognition ---


def _recognition_registrar_reach(
    actor: Actor, awarding_institution_ids: Collection[int], learner_institution_id: int | None
) -> bool:
    return (
        actor.is_manager
        and actor.api_client_id is None
        and (
            reaches_any(actor, awarding_institution_ids)
            or reaches_person(actor, learner_institution_id)
        )
    )


def reads_recognition(actor: Actor) -> bool:
    """Recognition applications are read by people with `credits:read`; partner systems read
    none (403): an application is a person's file, not a record of the ledger."""
    return _person_with(actor, Scope.CREDITS_READ)


def files_recognition(actor: Actor, learner_id: int) -> bool:
    """Only the learner files, edits, submits and withdraws their application (`credits:write`)."""
    return _person_with(actor, Scope.CREDITS_WRITE) and actor.user_id == learner_id


def sees_recognition_application(
    actor: Actor,
    *,
    learner_id: int,
    submitted: bool,
    jury_ids: Collection[int],
    awarding_institution_ids: Collection[int],
    learner_institution_id: int | None,
) -> bool:
    """The learner sees their application (and its evidence); once submitted, so do its jury's
    members and the registrars of the programme's awarding institutions or of the learner.
    Everyone else is told it does not exist (404)."""
    if not reads_recognition(actor):
        return False
    if actor.user_id == learner_id:
        return True
    return submitted and (
        actor.user_id in jury_ids
        or _recognition_registrar_reach(actor, awarding_institution_ids, learner_institution_id)
    )


def names_recognition_jury(
    actor: Actor, awarding_institution_ids: Collection[int], learner_institution_id: int | None
) -> bool:
    """A registrar of one of the programme's awarding institutions, or one who reaches the
    learner, names the jury (`credits:write`)."""
    return any(is_registrar(actor, i) for i in awarding_institution_ids) or (
        is_registrar_of_learner(actor, learner_institution_id)
    )


def records_recognition_decision(
    actor: Actor,
    chair_id: int | None,
    awarding_institution_ids: Collection[int],
    learner_institution_id: int | None,
) -> bool:
    """The jury's chair, or a registrar who may name the jury, records its decision."""
    if not _person_with(actor, Scope.CREDITS_WRITE):
        return False
    return (chair_id is not None and actor.user_id == chair_id) or names_recognition_jury(
        actor, awarding_institution_ids, learner_institution_id
    )


def lists_recognition_as_registrar(actor: Actor) -> bool:
    """Managers (within their reach) list the submitted applications; a list, so 403 for the
    rest rather than an empty page."""
    return reads_recognition(actor) and actor.is_manager


# --- documents ---


def can_issue_document(actor: Actor, learner_id: int, learner_institution_id: int | None) -> bool:
    """A learner issues their own transcripts and certificates; a registrar who reaches the
    learner issues them too. Partner systems read documents, they do not issue them."""
    if actor.user_id == learner_id and _person_with(actor, Scope.CREDITS_WRITE):
        return True
    return is_registrar_of_learner(actor, learner_institution_id)


def can_revoke_document(actor: Actor, learner_institution_id: int | None) -> bool:
    """Only a registrar who reaches the learner revokes one of their documents."""
    return is_registrar_of_learner(actor, learner_institution_id)


# --- elmo ---


def sees_own_citizenship(actor: Actor, learner_id: int) -> bool:
    """Citizenship is sensitive: an ELMO export carries it only when learners export their
    own results."""
    return actor.user_id is not None and actor.user_id == learner_id


def imports_elmo(actor: Actor) -> bool:
    """Host results arrive as ELMO from a partner system (`credits:write`) or a registrar of
    the home institution (a manager with `credits:write`); nobody else sends them."""
    if actor.is_partner_client:
        return actor.has_scope(Scope.CREDITS_WRITE)
    return _person_with(actor, Scope.CREDITS_WRITE) and actor.is_manager


def sends_elmo_report(actor: Actor, issuer_institution_id: int) -> bool:
    """A partner system sends only the ELMO reports its own institution issued; a registrar
    forwards a report of any institution."""
    if actor.is_partner_client:
        return actor.institution_id == issuer_institution_id
    return imports_elmo(actor)


# --- plans ---


def knows_plan(
    actor: Actor, learner_id: int, learner_institution_id: int | None, *, advises: bool
) -> bool:
    """A learner's plan exists for those who know the learner and for their advisors in the
    programme (404 for anyone else)."""
    return advises or knows_learner(actor, learner_id, learner_institution_id)


def can_read_plan(
    actor: Actor, learner_id: int, learner_institution_id: int | None, *, advises: bool
) -> bool:
    """Whoever reads the learner's credits reads their plan and advisors; so does an advisor
    of the learner in that programme (`credits:read`)."""
    if advises:
        return actor.has_scope(Scope.CREDITS_READ) and actor.api_client_id is None
    return can_read_credits(actor, learner_id, learner_institution_id)


def can_change_plan(
    actor: Actor, learner_id: int, learner_institution_id: int | None, *, advises: bool
) -> bool:
    """The learner, their advisor in the programme and registrars who reach the learner
    change the plan (`credits:write`); partner systems never do."""
    if not _person_with(actor, Scope.CREDITS_WRITE):
        return False
    return (
        actor.user_id == learner_id
        or advises
        or is_registrar_of_learner(actor, learner_institution_id)
    )


def can_name_advisors(actor: Actor, learner_institution_id: int | None) -> bool:
    """A registrar who reaches the learner names and removes their advisors."""
    return is_registrar_of_learner(actor, learner_institution_id)


# --- degrees ---


def can_list_double_degrees(actor: Actor) -> bool:
    """Managers and partner systems with `credits:read` list the double-degree agreements
    (each sees those its institution is a party to, coordinators see all)."""
    return actor.has_scope(Scope.CREDITS_READ) and (actor.is_manager or actor.is_partner_client)


def knows_double_degree(actor: Actor, party_institution_ids: list[int]) -> bool:
    """An agreement exists for managers and partner systems who reach one of its parties."""
    return (actor.is_manager or actor.is_partner_client) and reaches_any(
        actor, party_institution_ids
    )


def can_read_double_degree(actor: Actor, party_institution_ids: list[int]) -> bool:
    """Those who know of an agreement read it with `credits:read`."""
    return actor.has_scope(Scope.CREDITS_READ) and knows_double_degree(actor, party_institution_ids)


def registers_double_degrees(actor: Actor) -> bool:
    """Registrars (managers with `credits:write`) keep double-degree agreements at all."""
    return _person_with(actor, Scope.CREDITS_WRITE) and actor.is_manager


def can_manage_double_degree(actor: Actor, party_institution_ids: list[int]) -> bool:
    """Registrars of a party institution create, edit and delete an agreement."""
    return registers_double_degrees(actor) and reaches_any(actor, party_institution_ids)


# --- tables ---
def can_read_grading_tables(actor: Actor) -> bool:
    """Everybody signed in reads the ECTS grading tables, and partner systems with
    `credits:read`: they are published so that partners can convert grades."""
    if actor.is_anonymous:
        return False
    return not actor.is_partner_client or actor.has_scope(Scope.CREDITS_READ)


def can_keep_grading_tables(actor: Actor, owner_institution_id: int | None) -> bool:
    """Registrars of the owner institution compute and import its grading tables (a table
    owned by no institution, the platform's, is the coordinators')."""
    return is_registrar(actor, owner_institution_id)


# --- progress ---
def can_read_programme_rules(actor: Actor) -> bool:
    """Anyone signed in (people and partner systems) whose token carries `credits:read` reads
    a programme's credit rules."""
    return not actor.is_anonymous and actor.has_scope(Scope.CREDITS_READ)


def can_edit_programme_rules(actor: Actor, awarding_institution_ids: list[int]) -> bool:
    """A registrar of one of the programme's awarding institutions edits its credit rules (a
    programme that no institution awards is the coordinators')."""
    if not awarding_institution_ids:
        return is_registrar(actor, None)
    return any(is_registrar(actor, i) for i in awarding_institution_ids)


def keeps_transfer_desk(actor: Actor) -> bool:
    """Registrars (home or host) use the agreements and transfers desk pages; what each of
    them lists is still limited to what they reach."""
    return actor.is_manager and not actor.is_partner_client

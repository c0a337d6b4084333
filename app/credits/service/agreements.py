"""Learning agreements (Erasmus+): written as a draft by the learner or the home registrar,
proposed, then approved by both sides — the home registrar and the host (its registrar or its
partner system) — with who and when recorded. An approved agreement never changes: a change is
a new revision (the previous one is cancelled)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Institution, User
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course, ProgrammeCourse
from app.credits import policy
from app.credits.service import transfer
from app.credits.transfer_models import AgreementLine, AgreementStatus, LearningAgreement


class AgreementNotEditable(Conflict):
    code = "agreement_not_editable"
    title = N_("Only a draft agreement can change; cancel it and write a new revision.")


class AgreementWrongStatus(Conflict):
    code = "agreement_wrong_status"
    title = N_("The agreement is not in a state that allows this.")


class HostCourseListed(Conflict):
    code = "host_course_listed"
    title = N_("This host course is already on the agreement.")


@dataclass(frozen=True)
class AgreementDraft:
    """What a new agreement states."""

    learner_id: int
    host_institution_id: int
    programme_id: int
    period_from: date
    period_to: date


@dataclass(frozen=True)
class LineDraft:
    """A host course and the home course it counts for."""

    host_course_code: str
    host_course_title: str
    host_credits: Decimal
    home_course_id: int
    host_scale_code: str | None = None
    isced_code: str | None = None
    eqf_level: int | None = None


def _loaded(session: Session, agreement_id: int) -> LearningAgreement | None:
    return session.scalar(
        select(LearningAgreement)
        .where(LearningAgreement.id == agreement_id)
        .options(selectinload(LearningAgreement.lines))
    )


def _readable(actor: Actor, agreement: LearningAgreement) -> bool:
    if policy.can_read_credits(actor, agreement.learner_id, agreement.home_institution_id):
        return True
    return agreement.status is not AgreementStatus.DRAFT and policy.is_host_of(
        actor, agreement.host_institution_id
    )


def get_agreement(session: Session, actor: Actor, agreement_id: int) -> LearningAgreement:
    """An agreement with its lines, for the learner, home registrars and partner systems
    reaching the learner, and the host once it is proposed; 404 for anyone else."""
    agreement = _loaded(session, agreement_id)
    if agreement is None:
        raise NotFound()
    if not _readable(actor, agreement):
        # A partner system of the learner's institution without `credits:read` knows them.
        known = policy.knows_learner(actor, agreement.learner_id, agreement.home_institution_id)
        raise Forbidden() if known else NotFound()
    return agreement


def _learner(session: Session, actor: Actor, learner_id: int) -> User:
    learner = session.get(User, learner_id)
    if learner is None or not policy.knows_learner(actor, learner.id, learner.institution_id):
        raise NotFound(field="learner_id")
    return learner


def create(session: Session, actor: Actor, draft: AgreementDraft) -> LearningAgreement:
    """A draft agreement between the learner's institution (home) and another institution
    (host), for a home programme with courses and a mobility period."""
    learner = _learner(session, actor, draft.learner_id)
    require(policy.can_write_agreement(actor, learner.id, learner.institution_id))
    home_id = learner.institution_id
    if home_id is None:
        raise Invalid(N_("The learner belongs to no institution."), field="learner_id")
    if (
        draft.host_institution_id == home_id
        or session.get(Institution, draft.host_institution_id) is None
    ):
        raise Invalid(N_("Choose another institution as host."), field="host_institution_id")
    if (
        session.scalar(
            select(ProgrammeCourse.programme_id).where(
                ProgrammeCourse.programme_id == draft.programme_id
            )
        )
        is None
    ):
        raise Invalid(N_("Choose a programme with courses."), field="programme_id")
    if draft.period_to < draft.period_from:
        raise Invalid(N_("The mobility ends before it starts."), field="period_to")
    agreement = LearningAgreement(
        learner_id=learner.id,
        home_institution_id=home_id,
        host_institution_id=draft.host_institution_id,
        programme_id=draft.programme_id,
        period_from=draft.period_from,
        period_to=draft.period_to,
        created_by_id=actor.user_id,
        lines=[],
    )
    session.add(agreement)
    session.flush()
    return agreement


def _editable(session: Session, actor: Actor, agreement_id: int) -> LearningAgreement:
    agreement = get_agreement(session, actor, agreement_id)
    require(policy.can_write_agreement(actor, agreement.learner_id, agreement.home_institution_id))
    if agreement.status is not AgreementStatus.DRAFT:
        raise AgreementNotEditable()
    return agreement


def add_line(session: Session, actor: Actor, agreement_id: int, draft: LineDraft) -> AgreementLine:
    """A host course counting for a course of the agreement's programme; several host courses
    may count for one home course, a host course appears once."""
    agreement = _editable(session, actor, agreement_id)
    in_programme = session.scalar(
        select(ProgrammeCourse.course_id).where(
            ProgrammeCourse.programme_id == agreement.programme_id,
            ProgrammeCourse.course_id == draft.home_course_id,
        )
    )
    if in_programme is None or session.get(Course, draft.home_course_id) is None:
        raise Invalid(N_("Choose a course of the programme."), field="home_course_id")
    code = draft.host_course_code.strip()
    if not code:
        raise Invalid(N_("Give the host course's code."), field="host_course_code")
    if any(line.host_course_code == code for line in agreement.lines):
        raise HostCourseListed(field="host_course_code")
    line = AgreementLine(
        host_course_code=code,
        host_course_title=draft.host_course_title.strip(),
        host_credits=draft.host_credits,
        host_scale_code=draft.host_scale_code or None,
        isced_code=draft.isced_code or None,
        eqf_level=draft.eqf_level,
        home_course_id=draft.home_course_id,
    )
    agreement.lines.append(line)
    session.flush()
    return line


def remove_line(session: Session, actor: Actor, agreement_id: int, line_id: int) -> None:
    """Take a line off a draft agreement."""
    agreement = _editable(session, actor, agreement_id)
    line = next((line for line in agreement.lines if line.id == line_id), None)
    if line is None:
        raise NotFound()
    agreement.lines.remove(line)
    session.flush()


def propose(session: Session, actor: Actor, agreement_id: int) -> LearningAgreement:
    """Submit a draft with at least one line to both sides for approval."""
    agreement = _editable(session, actor, agreement_id)
    if not agreement.lines:
        raise Invalid(N_("Add at least one course before proposing."), field="lines")
    agreement.status = AgreementStatus.PROPOSED
    agreement.proposed_by_id = actor.user_id
    agreement.proposed_at = utcnow()
    session.flush()
    return agreement


def _proposed(session: Session, actor: Actor, agreement_id: int) -> LearningAgreement:
    agreement = get_agreement(session, actor, agreement_id)
    if agreement.status is not AgreementStatus.PROPOSED:
        raise AgreementWrongStatus()
    return agreement


def _approved_by_both(session: Session, actor: Actor, agreement: LearningAgreement) -> None:
    """Once both sides approved, results that arrived before the approval are recognised."""
    if agreement.home_approved_at is not None and agreement.host_approved_at is not None:
        agreement.status = AgreementStatus.APPROVED
        session.flush()
        transfer.recognise_waiting(session, actor, agreement)


def approve_as_home(session: Session, actor: Actor, agreement_id: int) -> LearningAgreement:
    """The home registrar's approval of a proposed agreement."""
    agreement = _proposed(session, actor, agreement_id)
    require(policy.is_registrar(actor, agreement.home_institution_id))
    if agreement.home_approved_at is None:
        agreement.home_approved_by_id = actor.user_id
        agreement.home_approved_at = utcnow()
    _approved_by_both(session, actor, agreement)
    session.flush()
    return agreement


def approve_as_host(session: Session, actor: Actor, agreement_id: int) -> LearningAgreement:
    """The host's approval of a proposed agreement: its registrar or its partner system."""
    agreement = _proposed(session, actor, agreement_id)
    require(policy.approves_for_host(actor, agreement.host_institution_id))
    if agreement.host_approved_at is None:
        agreement.host_approved_by_id = None if actor.is_partner_client else actor.user_id
        agreement.host_approved_by_client_id = actor.api_client_id
        agreement.host_approved_at = utcnow()
    _approved_by_both(session, actor, agreement)
    session.flush()
    return agreement


def cancel(session: Session, actor: Actor, agreement_id: int, reason: str) -> LearningAgreement:
    """Cancel an agreement. The learner cancels theirs until it is approved; the home
    registrar at any time. What was recognised under it stays on the ledger."""
    agreement = get_agreement(session, actor, agreement_id)
    registrar = policy.is_registrar(actor, agreement.home_institution_id)
    learner_may = (
        policy.can_write_agreement(actor, agreement.learner_id, agreement.home_institution_id)
        and agreement.status is not AgreementStatus.APPROVED
    )
    require(registrar or learner_may)
    if agreement.status is AgreementStatus.CANCELLED:
        raise AgreementWrongStatus()
    agreement.status = AgreementStatus.CANCELLED
    agreement.cancelled_by_id = actor.user_id
    agreement.cancelled_at = utcnow()
    agreement.cancel_reason = reason
    session.flush()
    return agreement


def revise(session: Session, actor: Actor, agreement_id: int, reason: str) -> LearningAgreement:
    """A change after proposal or approval: the agreement is cancelled and a new draft with the
    next revision number and the same lines replaces it, to be proposed and approved again."""
    old = get_agreement(session, actor, agreement_id)
    require(policy.can_write_agreement(actor, old.learner_id, old.home_institution_id))
    if old.status not in (AgreementStatus.PROPOSED, AgreementStatus.APPROVED):
        raise AgreementWrongStatus()
    new = LearningAgreement(
        learner_id=old.learner_id,
        home_institution_id=old.home_institution_id,
        host_institution_id=old.host_institution_id,
        programme_id=old.programme_id,
        period_from=old.period_from,
        period_to=old.period_to,
        revision=old.revision + 1,
        replaces_id=old.id,
        created_by_id=actor.user_id,
        lines=[
            AgreementLine(
                host_course_code=line.host_course_code,
                host_course_title=line.host_course_title,
                host_credits=line.host_credits,
                host_scale_code=line.host_scale_code,
                isced_code=line.isced_code,
                eqf_level=line.eqf_level,
                home_course_id=line.home_course_id,
            )
            for line in old.lines
        ],
    )
    old.status = AgreementStatus.CANCELLED
    old.cancelled_by_id = actor.user_id
    old.cancelled_at = utcnow()
    old.cancel_reason = reason
    session.add(new)
    session.flush()
    return new

"""What the agreement and transfer pages show: an agreement with the names of the people who
acted on it, the courses its lines may count for and what the reader may do next; the desk's
choices (institutions, programmes)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import Actor, require
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course, Programme, ProgrammeCourse
from app.credits import policy
from app.credits.service import agreements
from app.credits.transfer_models import AgreementStatus, LearningAgreement


@dataclass(frozen=True)
class AgreementView:
    agreement: LearningAgreement
    names: dict[int, str]  # user id → display name, for the learner and who acted
    institutions: dict[int, str]
    programme: Programme
    courses: dict[int, Course]  # the programme's courses, by id
    may_edit: bool
    may_approve_home: bool
    may_approve_host: bool
    may_cancel: bool
    may_revise: bool


def names_of(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of a few users, in one query."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return dict(rows.all())


def institution_names(session: Session) -> dict[int, str]:
    """Every institution's code and name, for choosing a host and naming both sides."""
    rows = session.execute(select(Institution.id, Institution.code, Institution.name))
    return {i: f"{code} — {name}" for i, code, name in rows}


def programmes(session: Session) -> Sequence[Programme]:
    """Programmes that have courses, for a new agreement."""
    with_courses = select(ProgrammeCourse.programme_id)
    return session.scalars(
        select(Programme).where(Programme.id.in_(with_courses)).order_by(Programme.code)
    ).all()


def agreement_view(session: Session, actor: Actor, agreement_id: int) -> AgreementView:
    """An agreement for its page, with what the reader may do next."""
    a = agreements.get_agreement(session, actor, agreement_id)
    writer = policy.can_write_agreement(actor, a.learner_id, a.home_institution_id)
    proposed = a.status is AgreementStatus.PROPOSED
    home_registrar = policy.is_registrar(actor, a.home_institution_id)
    courses = session.scalars(
        select(Course)
        .join(ProgrammeCourse, ProgrammeCourse.course_id == Course.id)
        .where(ProgrammeCourse.programme_id == a.programme_id)
        .order_by(ProgrammeCourse.semester, ProgrammeCourse.position)
    ).all()
    return AgreementView(
        agreement=a,
        names=names_of(
            session,
            (
                a.learner_id,
                a.proposed_by_id,
                a.home_approved_by_id,
                a.host_approved_by_id,
                a.cancelled_by_id,
            ),
        ),
        institutions=institution_names(session),
        programme=session.get_one(Programme, a.programme_id),
        courses={c.id: c for c in courses},
        may_edit=writer and a.status is AgreementStatus.DRAFT,
        may_approve_home=proposed and home_registrar and a.home_approved_at is None,
        may_approve_host=proposed
        and policy.approves_for_host(actor, a.host_institution_id)
        and a.host_approved_at is None,
        may_cancel=a.status is not AgreementStatus.CANCELLED
        and (home_registrar or (writer and a.status is not AgreementStatus.APPROVED)),
        may_revise=writer and a.status in (AgreementStatus.PROPOSED, AgreementStatus.APPROVED),
    )


def require_desk(actor: Actor) -> None:
    """The registrars' desk pages: managers only (403 for anyone else)."""
    require(policy.keeps_transfer_desk(actor))


def my_agreement(session: Session, actor: Actor, agreement_id: int) -> AgreementView:
    """One of the reader's own agreements; anyone else's is 404 on the learner's pages."""
    view = agreement_view(session, actor, agreement_id)
    if view.agreement.learner_id != actor.user_id:
        raise NotFound()
    return view


def learner_by_email(session: Session, actor: Actor, email: str) -> int:
    """The learner a registrar names by email on the desk; one out of reach reads as unknown."""
    learner = session.scalar(select(User).where(User.email == email.strip().lower()))
    if learner is None or not policy.knows_learner(actor, learner.id, learner.institution_id):
        raise Invalid(N_("No learner with this email within your reach."), field="learner_email")
    return learner.id

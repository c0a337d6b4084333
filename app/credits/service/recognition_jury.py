"""Naming an application's jury: a registrar names at least two members, one of them its
chair. Naming it puts the application under review; it may be named again until the decision."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid
from app.core.i18n import N_
from app.credits.recognition_models import ApplicationStatus, RecognitionJuryMember
from app.credits.service.recognition import ApplicationView, application_view
from app.membership.policy import reaches_person

MIN_MEMBERS = 2


class NotAwaitingJury(Conflict):
    code = "application_not_in_review"
    title = N_("A jury is named only for a submitted application not yet decided.")


@dataclass(frozen=True)
class Member:
    user_id: int
    chair: bool = False


def members_by_email(session: Session, emails: Sequence[str], chair: int) -> list[Member]:
    """The members a form names by e-mail address (blanks skipped); `chair` is the position of
    the chair among the addresses as given. An unknown address is refused."""
    named = [(i, e.strip().lower()) for i, e in enumerate(emails) if e.strip()]
    rows = session.execute(select(User.email, User.id).where(User.email.in_([e for _, e in named])))
    users: dict[str, int] = dict(rows.all())
    if any(e not in users for _, e in named):
        raise Invalid(N_("No such person."), field="members")
    return [Member(user_id=users[e], chair=i == chair) for i, e in named]


def _check_members(
    session: Session, actor: Actor, view: ApplicationView, members: Sequence[Member]
) -> None:
    ids = [m.user_id for m in members]
    if len(set(ids)) != len(ids):
        raise Invalid(N_("Name each member once."), field="members")
    if len(ids) < MIN_MEMBERS:
        raise Invalid(N_("A jury has at least two members."), field="members")
    if sum(1 for m in members if m.chair) != 1:
        raise Invalid(N_("Exactly one member chairs the jury."), field="members")
    if view.learner.id in ids:
        raise Invalid(N_("The applicant cannot sit on their own jury."), field="members")
    people = session.scalars(select(User).where(User.id.in_(ids))).all()
    reached = [u for u in people if u.is_active and reaches_person(actor, u.institution_id)]
    if len(reached) != len(ids):
        raise Invalid(N_("No such person."), field="members")


def _replace_members(jury: list[RecognitionJuryMember], members: Sequence[Member]) -> None:
    """Keep the rows of members named again (their seat is unique), drop the others."""
    wanted = {m.user_id: m.chair for m in members}
    for seat in list(jury):
        if seat.user_id not in wanted:
            jury.remove(seat)
        else:
            seat.is_chair = wanted.pop(seat.user_id)
    jury.extend(RecognitionJuryMember(user_id=u, is_chair=c) for u, c in wanted.items())


def name_jury(
    session: Session, actor: Actor, application_id: int, members: Sequence[Member]
) -> ApplicationView:
    """Replace the jury of a submitted (or under review) application. The awarding institution
    is the programme's the registrar acts for (their own when they are confined to one)."""
    view = application_view(session, actor, application_id)
    require(view.names_jury, Forbidden)
    application = view.application
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW):
        raise NotAwaitingJury()
    _check_members(session, actor, view, members)
    own = actor.institution_id if actor.institution_id in view.awarding_ids else None
    application.institution_id = own or next(iter(view.awarding_ids), None)
    _replace_members(application.jury, members)
    application.status = ApplicationStatus.UNDER_REVIEW
    application.updated_at = utcnow()
    session.flush()
    return application_view(session, actor, application_id)

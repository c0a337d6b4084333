"""The jury's decision: per requested course full (the course's ECTS credits), partial (fewer
credits and the outcomes still to take) or refused, each with its reason. Recorded once by the
chair or a registrar, dated, with the jury's members on it; granted credits enter the ledger
with the recognition as their source, and the learner is told by mail in their language."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.audit import audit, plain
from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid
from app.core.i18n import N_, translations_for
from app.core.mail import send_after_commit
from app.courses.models import Course
from app.credits.models import CreditEntry, EntrySource
from app.credits.recognition_models import (
    ApplicationStatus,
    Outcome,
    RecognitionDecision,
    RecognitionDecisionItem,
)
from app.credits.service import ledger
from app.credits.service.recognition import ApplicationView, application_view, refuse_credited

SUBJECT = N_("Recognition decision: %(programme)s")
BODY = N_(
    "Hello %(name)s,\n\n"
    "The jury decided on your recognition application for %(programme)s on %(day)s.\n"
    "Credits granted: %(credits)s ECTS.\n"
    "Read the decision and its reasons on your page:\n%(url)s\n\n"
    "Agora"
)


class NotUnderReview(Conflict):
    code = "application_not_in_review"
    title = N_("Only an application under review, with its jury named, can be decided.")


@dataclass(frozen=True)
class ItemDecision:
    """The decision on one requested course; `credits` only for a partial grant."""

    course_id: int
    outcome: Outcome
    reason: str
    credits: Decimal | None = None
    remaining_outcomes: str = ""


def _granted(course: Course, item: ItemDecision) -> Decimal:
    if item.outcome is Outcome.FULL:
        return course.ects
    if item.outcome is Outcome.REFUSED:
        return Decimal(0)
    if item.credits is None or not Decimal(0) < item.credits < course.ects:
        raise Invalid(
            N_("A partial grant gives more than 0 and fewer credits than the course's."),
            field="items",
        )
    if not item.remaining_outcomes.strip():
        raise Invalid(N_("Say which outcomes remain to be taken."), field="items")
    return item.credits


def _checked(view: ApplicationView, items: Sequence[ItemDecision]) -> dict[int, ItemDecision]:
    requested = {r.course_id for r in view.application.requests}
    by_course = {item.course_id: item for item in items}
    if len(by_course) != len(items) or set(by_course) != requested:
        raise Invalid(N_("Decide on each requested course once."), field="items")
    if any(not item.reason.strip() for item in items):
        raise Invalid(N_("Give a reason for each decision."), field="items")
    return by_course


def _write_entry(
    session: Session, actor: Actor, view: ApplicationView, course: Course,
    item: RecognitionDecisionItem,
) -> CreditEntry:  # fmt: skip
    unit = ledger.Unit(
        code=course.code, title=course.title, credits=item.credits, course_id=course.id,
        institution_id=view.application.institution_id,
        isced_code=course.isced_code, eqf_level=course.eqf_level,
    )  # fmt: skip
    return ledger.append(
        session, actor, unit, ledger.AwardedGrade(), user_id=view.learner.id,
        source=EntrySource.RECOGNITION, source_id=item.id, on=utcnow().date(),
        reason=item.reason,
    )  # fmt: skip


def decide(
    session: Session, actor: Actor, settings: Settings, application_id: int,
    items: Sequence[ItemDecision],
) -> ApplicationView:  # fmt: skip
    """Record the jury's final decision on every requested course, write the granted credits
    to the ledger and mail the learner. A course credited meanwhile is refused (409)."""
    view = application_view(session, actor, application_id)
    require(view.records_decision, Forbidden)
    application = view.application
    if application.status is not ApplicationStatus.UNDER_REVIEW or not application.jury:
        raise NotUnderReview()
    by_course = _checked(view, items)
    courses = {r.course_id: r.course for r in application.requests}
    granted = {cid: _granted(courses[cid], item) for cid, item in by_course.items()}
    refuse_credited(session, view.learner.id, [cid for cid, c in granted.items() if c > 0])
    now = utcnow()
    decision = RecognitionDecision(
        decided_on=now.date(), decided_at=now,
        recorded_by_id=actor.user_id, jury_members=_jury_record(session, view),
    )  # fmt: skip
    application.decision = decision
    for course_id, item in by_course.items():
        course = courses[course_id]
        decision.items.append(
            RecognitionDecisionItem(
                course_id=course.id, course_code=course.code, course_title=course.title,
                outcome=item.outcome, credits=granted[course_id],
                remaining_outcomes=item.remaining_outcomes.strip()
                if item.outcome is Outcome.PARTIAL else "",
                reason=item.reason.strip(),
            )
        )  # fmt: skip
    session.flush()
    for row, course_id in zip(decision.items, by_course, strict=True):
        if row.credits > 0:
            row.credit_entry_id = _write_entry(session, actor, view, courses[course_id], row).id
        _audit_item(session, actor, view, row)
    application.status = ApplicationStatus.DECIDED
    application.updated_at = now
    session.flush()
    _notify(session, settings, view, decision)
    return application_view(session, actor, application_id)


def _audit_item(
    session: Session, actor: Actor, view: ApplicationView, row: RecognitionDecisionItem
) -> None:
    """The decision on one course: from the application under review to its outcome."""
    audit(
        session, actor, "recognition.decide", f"recognition_application:{view.application.id}",
        f"{row.course_code}: {row.reason}", person_id=view.learner.id,
        from_value=ApplicationStatus.UNDER_REVIEW,
        to_value=f"{row.course_code} {row.outcome.value} ({plain(row.credits)} ECTS)",
    )  # fmt: skip


def _jury_record(session: Session, view: ApplicationView) -> list[dict[str, object]]:
    """The members who sat, as the decision keeps them."""
    ids = [m.user_id for m in view.application.jury]
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    names: dict[int, str] = dict(rows.all())
    return [
        {"user_id": m.user_id, "name": names.get(m.user_id, ""), "chair": m.is_chair}
        for m in view.application.jury
    ]


def _notify(
    session: Session, settings: Settings, view: ApplicationView, decision: RecognitionDecision
) -> None:
    learner = view.learner
    locale = learner.preferred_language or "en"
    gettext = translations_for(locale).gettext
    total = sum((item.credits for item in decision.items), Decimal(0))
    values = {
        "name": learner.display_name,
        "programme": view.programme.title,
        "day": format_date(decision.decided_on, format="long", locale=locale),
        "credits": str(total),
        "url": f"{settings.base_url.rstrip('/')}/me/credits/recognition/{view.application.id}",
    }
    send_after_commit(
        session, settings, learner.email, gettext(SUBJECT) % values, gettext(BODY) % values
    )

"""Kept intakes: each list sent into a course or a cohort, its per-row report (refusals as
codes, said in the reader's language when read), its CSV download, and invitations sent
again to people who have not yet chosen a password."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import User
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.core.i18n import N_, translations_for
from app.core.spreadsheets import csv_text
from app.courses.models import Course
from app.courses.service.courses import find_course, get_course
from app.enrolment import cohorts, policy
from app.enrolment.models import Cohort, IntakeRow, IntakeRun

if TYPE_CHECKING:
    from app.enrolment.bulk import IntakeList, RowReport

DUPLICATE = "conflicts_with_record"
OUTCOMES = {
    "created": N_("created"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
    "rejected": N_("rejected"),
}
# A refusal of a row's values, by code; `%(column)s` names the column at fault.
REASONS = {
    "missing_value": N_("The column %(column)s is empty or missing."),
    "too_long": N_("The value in the column %(column)s is too long."),
    "unknown_column": N_("Unknown column %(column)s."),
    "invalid_value": N_("The value in the column %(column)s is not valid."),
    "invalid_email": N_("Not a valid e-mail address."),
    "invalid_language": N_("Unknown language: use en, fr, ru or ar."),
    "unknown_time_zone": N_("Unknown time zone."),
    "invalid_country": N_("Not a two-letter country code (ISO 3166)."),
    "invalid_role": N_("Unknown role: use student, teacher, tutor or observer."),
    "invalid_funding": N_("Unknown funding: use self, employer or scholarship."),
    DUPLICATE: N_("This row conflicts with an existing record."),
}
_BY_COLUMN = {
    "email": "invalid_email",
    "language": "invalid_language",
    "time_zone": "unknown_time_zone",
    "country": "invalid_country",
    "role": "invalid_role",
    "funding": "invalid_funding",
}
ROW_REFUSED = N_("This row was refused.")


class AlreadyAccepted(Conflict):
    code = "invitation_accepted"
    title = N_("This person has already chosen a password.")


def reason_of_validation(error: ValidationError) -> tuple[str, str]:
    """Our own code for the first problem of a row (never pydantic's English), and its
    column."""
    first = error.errors()[0]
    column = str(first["loc"][0]) if first["loc"] else "row"
    kind = first["type"]
    if kind in ("missing", "string_too_short"):
        return "missing_value", column
    if kind == "extra_forbidden":
        return "unknown_column", column
    if kind == "string_too_long":
        return "too_long", column
    return _BY_COLUMN.get(column, "invalid_value"), column


@lru_cache
def _domain_titles() -> dict[str, str]:
    titles: dict[str, str] = {}
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        kind = pending.pop()
        titles.setdefault(kind.code, kind.title)
        pending.extend(kind.__subclasses__())
    return titles


def reason_text(locale: str, code: str | None, column: str | None) -> str:
    """A refusal's code said in the reader's language."""
    if code is None:
        return ""
    message = REASONS.get(code) or _domain_titles().get(code) or ROW_REFUSED
    text = translations_for(locale).gettext(message)
    return text % {"column": column or ""} if "%(column)s" in text else text


def outcome_text(locale: str, outcome: str) -> str:
    return translations_for(locale).gettext(OUTCOMES.get(outcome, outcome))


def record_run(
    session: Session,
    actor: Actor,
    run: IntakeRun,
    intake: "IntakeList",
    reports: "list[RowReport]",
) -> IntakeRun:
    """Keep an intake and its report (the run's course or cohort set by the caller)."""
    run.actor_user_id = actor.user_id
    run.actor_client_id = actor.api_client_id
    run.source = intake.source
    run.file_name = intake.file_name
    for outcome in OUTCOMES:
        setattr(run, outcome, sum(1 for r in reports if r.outcome == outcome))
    session.add(run)
    session.flush()
    now = utcnow()
    session.add_all(
        IntakeRow(
            run_id=run.id,
            line=report.row,
            external_id=report.external_id[:64],
            email=report.email[:320],
            outcome=report.outcome,
            reason_code=report.reason,
            reason_field=report.field[:64] if report.field else None,
            user_id=report.user_id,
            invited_at=now if report.new_account else None,
        )
        for report in reports
    )
    session.flush()
    return run


@dataclass(frozen=True)
class RunSummary:
    run: IntakeRun
    by: str  # who sent it: a person's name, or "API"


@dataclass(frozen=True)
class Report:
    run: IntakeRun
    by: str
    course: Course | None
    cohort: Cohort | None
    rows: Sequence[IntakeRow]
    # People of the report still without a password (an invitation may be sent again).
    awaiting: frozenset[int]


def runs_of_course(session: Session, actor: Actor, code: str) -> tuple[Course, list[RunSummary]]:
    """Past intakes of a course, newest first (for those who may enrol others in it)."""
    course = _course_for_intakes(session, actor, find_course(session, actor, code).course.id)
    return course, _summaries(session, IntakeRun.course_id == course.id)


def runs_of_cohort(
    session: Session, actor: Actor, cohort_id: int
) -> tuple[Cohort, list[RunSummary]]:
    """Past intake lists of a cohort, newest first (its managers)."""
    cohort = cohorts.get_cohort(session, actor, cohort_id)
    return cohort, _summaries(session, IntakeRun.cohort_id == cohort.id)


def _summaries(session: Session, where: ColumnElement[bool]) -> list[RunSummary]:
    found = session.execute(
        select(IntakeRun, User.display_name)
        .outerjoin(User, User.id == IntakeRun.actor_user_id)
        .where(where)
        .order_by(IntakeRun.at.desc(), IntakeRun.id.desc())
    ).all()
    return [RunSummary(run, name or "API") for run, name in found]


def _course_for_intakes(session: Session, actor: Actor, course_id: int) -> Course:
    access = get_course(session, actor, course_id)
    if not policy.can_enrol_others(actor, access.roles):
        raise Forbidden()
    return access.course


def _readable_run(
    session: Session, actor: Actor, run_id: int
) -> tuple[IntakeRun, Course | None, Cohort | None]:
    """The run if the actor may read its course's or cohort's intakes; otherwise it is not
    found (its existence is not leaked)."""
    run = session.get(IntakeRun, run_id)
    if run is None:
        raise NotFound(N_("No such intake."))
    try:
        if run.course_id is not None:
            return run, _course_for_intakes(session, actor, run.course_id), None
        if run.cohort_id is not None:
            return run, None, cohorts.get_cohort(session, actor, run.cohort_id)
    except (Forbidden, NotFound):
        pass
    raise NotFound(N_("No such intake."))


def get_report(session: Session, actor: Actor, run_id: int) -> Report:
    """An intake's report: every row by its line."""
    run, course, cohort = _readable_run(session, actor, run_id)
    rows = session.scalars(
        select(IntakeRow).where(IntakeRow.run_id == run.id).order_by(IntakeRow.line, IntakeRow.id)
    ).all()
    user_ids = [r.user_id for r in rows if r.invited_at is not None and r.user_id is not None]
    awaiting = session.scalars(
        select(User.id).where(User.id.in_(user_ids), User.password_hash.is_(None))
    ).all()
    by = session.get(User, run.actor_user_id) if run.actor_user_id else None
    return Report(run, by.display_name if by else "API", course, cohort, rows, frozenset(awaiting))


def report_csv(session: Session, actor: Actor, run_id: int, locale: str) -> tuple[str, str]:
    """The report as CSV text (reasons in the reader's language) and its file name."""
    report = get_report(session, actor, run_id)
    rows = (
        (row.line, row.external_id, row.email, row.outcome,
         reason_text(locale, row.reason_code, row.reason_field))
        for row in report.rows
    )  # fmt: skip
    header = ["line", "external_id", "email", "outcome", "reason"]
    return csv_text(header, rows), f"intake-{report.run.id}.csv"


def resend_invitation(
    session: Session, actor: Actor, settings: Settings, run_id: int, row_id: int
) -> User:
    """Send the person of a report's row a fresh invitation (the earlier link stops working),
    while they have not chosen a password; only for people the intake created."""
    run, _, _ = _readable_run(session, actor, run_id)
    row = session.get(IntakeRow, row_id)
    if row is None or row.run_id != run.id or row.invited_at is None or row.user_id is None:
        raise NotFound(N_("No such row."))
    user = session.get(User, row.user_id)
    if user is None or not policy.can_enrol_person(actor, user.institution_id):
        raise NotFound(N_("No such row."))
    if user.password_hash is not None:
        raise AlreadyAccepted()
    auth.invite(session, settings, user)
    row.invited_at = utcnow()
    return user


def reader(locale: str) -> Callable[[IntakeRow], str]:
    """For templates: a row's refusal in the reader's language."""
    return lambda row: reason_text(locale, row.reason_code, row.reason_field)

"""The monthly report: at the start of each month (UTC) a worker queues, once per project
and month whichever worker gets there first, one outbox message per reader the project mails;
each is written at delivery, as that reader reads the dashboard (a funder's aggregates only),
in their language."""

from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core import outbox
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.i18n import translations_for
from app.core.mail import deliver_mail
from app.reporting.export import Words, report_rows
from app.reporting.models import ReportingProject, ReportMailing, ReportReader
from app.reporting.service.dashboard import dashboard

MONTHLY_KIND = "report_monthly"


def _due(session: Session, month: date) -> list[int]:
    """Projects mailing someone, begun before this month and not ended before the last."""
    last_month = (month - timedelta(days=1)).replace(day=1)
    mailed = exists().where(
        ReportMailing.project_id == ReportingProject.id, ReportMailing.month == month
    )
    readers = exists().where(ReportReader.project_id == ReportingProject.id, ReportReader.monthly)
    return list(
        session.scalars(
            select(ReportingProject.id).where(
                readers, ~mailed, ReportingProject.starts_on < month,
                ReportingProject.ends_on.is_(None) | (ReportingProject.ends_on >= last_month),
            )
        )
    )  # fmt: skip


def _queue(session: Session, project_id: int, month: date) -> bool:
    session.add(ReportMailing(project_id=project_id, month=month))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()  # another worker queued this month's report
        return False
    readers = session.scalars(
        select(ReportReader.user_id).where(
            ReportReader.project_id == project_id, ReportReader.monthly
        )
    )
    for user_id in readers:
        payload = {"project_id": project_id, "user_id": user_id, "month": month.isoformat()}
        outbox.enqueue(session, MONTHLY_KIND, payload)
    session.commit()
    return True


def queue_monthly_reports(new_session: outbox.NewSession, now: datetime | None = None) -> int:
    """Queue this month's reports not yet queued; returns how many projects this run queued."""
    moment = now or utcnow()
    month = date(moment.year, moment.month, 1)
    with new_session() as session:
        due = _due(session, month)
    queued = 0
    for project_id in due:
        with new_session() as session:
            queued += _queue(session, project_id, month)
    return queued


def monthly_text(session: Session, settings: Settings, reader: User, code: str) -> tuple[str, str]:
    """The subject and body of one reader's report, as that reader may read it."""
    found = dashboard(session, settings, actor_for_user(reader), code, utcnow())
    locale = reader.preferred_language
    words = Words(found, locale)
    gettext = translations_for(locale).gettext
    project = found.opened.project
    subject = gettext("Monthly report: %(project)s") % {"project": project.name}
    lines = [
        gettext("Figures on %(day)s, counted from %(start)s.")
        % {"day": words.day(found.as_of), "start": words.day(project.starts_on)},
        words.hidden(), "",
    ]  # fmt: skip
    for row in report_rows(found, locale):
        if row.section == gettext("Definitions"):
            continue
        figure = row.value or row.note
        goal = f" / {row.target} ({row.progress})" if row.target else ""
        group = f" — {row.group}" if row.group else ""
        lines.append(f"{row.indicator}{group}: {figure}{goal}")
    base = settings.base_url.rstrip("/")
    lines += ["", gettext("The dashboard and its downloads:"), f"{base}/reports/{project.code}"]
    return subject, "\n".join(lines)


def deliver_monthly(
    new_session: outbox.NewSession, settings: Settings, delivery: outbox.Delivery
) -> None:
    """A reader who left the project, or the platform, is not mailed."""
    payload = delivery.payload
    with new_session() as session:
        reader = session.get(User, payload["user_id"])
        project = session.get(ReportingProject, payload["project_id"])
        if reader is None or not reader.is_active or project is None:
            return
        try:
            subject, body = monthly_text(session, settings, reader, project.code)
        except NotFound:
            return  # no longer one of the project's readers
    deliver_mail(settings, reader.email, subject, body)


outbox.register(MONTHLY_KIND, deliver_monthly)

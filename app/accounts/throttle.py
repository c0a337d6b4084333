"""Rate limits on every way in: failed sign-ins, wrong client secrets, reset links asked for and
reset links tried. Each attempt that counts is a row; a way in closes for an account or an
address once its window holds as many of their rows as the limit allows, and reopens as soon
as enough of them have aged out of the window."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from app.accounts.models import ThrottledAttempt, ThrottleEvent
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import TooManyRequests


@dataclass(frozen=True)
class Limit:
    per_account: int
    per_address: int
    window: timedelta


def limit_for(settings: Settings, kind: ThrottledAttempt) -> Limit:
    failures = timedelta(minutes=settings.login_failure_window_minutes)
    reset_requests = timedelta(minutes=settings.password_reset_request_window_minutes)
    limits = {
        ThrottledAttempt.FAILED_SIGN_IN: Limit(
            settings.login_max_failures_per_account, settings.login_max_failures_per_ip, failures
        ),
        ThrottledAttempt.FAILED_CLIENT_SECRET: Limit(
            settings.client_max_failures_per_client, settings.client_max_failures_per_ip, failures
        ),
        ThrottledAttempt.RESET_REQUEST: Limit(
            settings.password_reset_max_requests_per_account,
            settings.password_reset_max_requests_per_ip,
            reset_requests,
        ),
        ThrottledAttempt.FAILED_RESET_CONFIRM: Limit(
            settings.password_reset_max_failures_per_account,
            settings.password_reset_max_failures_per_ip,
            failures,
        ),
    }
    return limits[kind]


def _key(account: str) -> str:
    """What is stored and compared for an account: as long as the column holds."""
    return account[:320]


def refuse_if_throttled(
    session: Session,
    settings: Settings,
    kind: ThrottledAttempt,
    *,
    account: str | None,
    ip: str,
    error: type[TooManyRequests],
) -> None:
    """Raise `error`, saying when to try again, if the account or the address has used up
    its attempts of this kind."""
    limit = limit_for(settings, kind)
    full: list[tuple[ColumnElement[bool], int]] = [
        (ThrottleEvent.ip_address == ip[:45], limit.per_address)
    ]
    if account is not None:
        full.append((ThrottleEvent.account == _key(account), limit.per_account))
    lifts_at = [_lifts_at(session, kind, whose, allowed, limit.window) for whose, allowed in full]
    latest = max((at for at in lifts_at if at is not None), default=None)
    if latest is not None:
        raise error(retry_after_seconds=math.ceil((latest - utcnow()).total_seconds()))


def _lifts_at(
    session: Session,
    kind: ThrottledAttempt,
    whose: ColumnElement[bool],
    allowed: int,
    window: timedelta,
) -> datetime | None:
    """If the window holds `allowed` attempts or more, the moment it will hold fewer: when
    the `allowed`-th newest leaves it."""
    oldest_that_counts = session.scalar(
        select(ThrottleEvent.at)
        .where(ThrottleEvent.kind == kind, whose, ThrottleEvent.at > utcnow() - window)
        .order_by(ThrottleEvent.at.desc())
        .offset(max(allowed, 1) - 1)
        .limit(1)
    )
    return None if oldest_that_counts is None else oldest_that_counts + window


def record(
    session: Session, settings: Settings, kind: ThrottledAttempt, *, account: str | None, ip: str
) -> None:
    """Count one attempt, and drop this kind's attempts that no longer count."""
    cutoff = utcnow() - limit_for(settings, kind).window
    session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.kind == kind, ThrottleEvent.at <= cutoff)
    )
    stored = _key(account) if account is not None else None
    session.add(ThrottleEvent(kind=kind, account=stored, ip_address=ip[:45]))


def forget(session: Session, kind: ThrottledAttempt, account: str) -> None:
    """After a success, the account's earlier failures stop counting."""
    session.execute(
        delete(ThrottleEvent).where(
            ThrottleEvent.kind == kind, ThrottleEvent.account == _key(account)
        )
    )

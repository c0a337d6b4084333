"""The credit ledger: entries are only ever added. An entry is in force while no later entry
supersedes it (a correction replaces it, a revocation withdraws it); what a learner has earned
is the entries in force, each course or unit counted once (capitalisation: earned credits stay
earned whatever happens to the course afterwards)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, aliased

from app.accounts.audit import audit, plain
from app.core.actors import Actor
from app.core.events import publish
from app.credits.events import CreditsChanged
from app.credits.models import CreditEntry, EntryKind, EntrySource


class LedgerIsAppendOnly(RuntimeError):
    """Raised at flush time when code tries to change or delete a ledger entry."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context: Any, _instances: Any) -> None:
    touched = [o for o in (*session.dirty, *session.deleted) if isinstance(o, CreditEntry)]
    if any(o in session.deleted or session.is_modified(o) for o in touched):
        raise LedgerIsAppendOnly("credit entries are never changed or deleted; append one")


def academic_term(day: date) -> str:
    """The academic year a day falls in, September to August: 2026-12-01 → "2026-27"."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class Unit:
    """What the credits are for: one of our courses, or a unit recognised from elsewhere."""

    code: str
    title: str
    credits: Decimal
    course_id: int | None = None
    institution_id: int | None = None
    isced_code: str | None = None
    eqf_level: int | None = None


@dataclass(frozen=True)
class AwardedGrade:
    """A grade as awarded on its national scale, and where it sits in its grading table."""

    grade: str | None = None
    value: Decimal | None = None
    scale_code: str | None = None
    percent: Decimal | None = None
    grading_table_id: int | None = None
    band_from: Decimal | None = None
    band_to: Decimal | None = None


def append(
    session: Session,
    actor: Actor,
    unit: Unit,
    grade: AwardedGrade,
    *,
    user_id: int,
    source: EntrySource,
    source_id: int | None,
    on: date,
    kind: EntryKind = EntryKind.AWARD,
    supersedes: CreditEntry | None = None,
    reason: str = "",
) -> CreditEntry:
    """Write one entry (the caller's service has asked its policy first) and tell the other
    domains. A revocation carries no credits and no grade."""
    revoked = kind is EntryKind.REVOCATION
    entry = CreditEntry(
        user_id=user_id,
        course_id=unit.course_id,
        unit_code=unit.code,
        unit_title=unit.title,
        credits=Decimal(0) if revoked else unit.credits,
        grade=None if revoked else grade.grade,
        grade_value=None if revoked else grade.value,
        scale_code=None if revoked else grade.scale_code,
        percent=None if revoked else grade.percent,
        isced_code=unit.isced_code,
        eqf_level=unit.eqf_level,
        grading_table_id=None if revoked else grade.grading_table_id,
        band_from=None if revoked else grade.band_from,
        band_to=None if revoked else grade.band_to,
        institution_id=unit.institution_id,
        term=academic_term(on),
        awarded_on=on,
        source=source,
        source_id=source_id,
        kind=kind,
        supersedes_id=None if supersedes is None else supersedes.id,
        reason=reason,
        by_user_id=actor.user_id,
        by_client_id=actor.api_client_id,
    )
    session.add(entry)
    session.flush()
    audit(
        session, actor, f"credit.{kind.value}", f"credit_entry:{entry.id}", _audited(entry),
        person_id=user_id, from_value=None if supersedes is None else credited(supersedes),
        to_value="revoked" if revoked else credited(entry),
    )  # fmt: skip
    publish(session, CreditsChanged(entry_id=entry.id, user_id=user_id, kind=kind.value))
    return entry


def credited(entry: CreditEntry) -> str:
    """An entry as the audit trail shows it: "5 ECTS, B, 14.5"."""
    grade = ", ".join(part for part in (entry.grade, plain(entry.grade_value)) if part)
    return f"{plain(entry.credits)} ECTS" + (f", {grade}" if grade else "")


def _audited(entry: CreditEntry) -> str:
    """What the entry is for and why, beside its values."""
    why = f"; {entry.reason}" if entry.reason else ""
    superseded = f"; supersedes credit_entry:{entry.supersedes_id}" if entry.supersedes_id else ""
    return f"{entry.unit_code}{superseded}{why}"


def unit_key(entry: CreditEntry) -> str:
    """What is counted once: the course, or for a unit from elsewhere its code."""
    return f"course:{entry.course_id}" if entry.course_id is not None else f"unit:{entry.unit_code}"


def in_force(session: Session, user_ids: Collection[int]) -> dict[int, list[CreditEntry]]:
    """Each learner's entries in force (not superseded, not revocations), each course or unit
    once — the earliest award wins, so credits are never counted twice. One query."""
    result: dict[int, list[CreditEntry]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return result
    later = aliased(CreditEntry)
    rows = session.scalars(
        select(CreditEntry)
        .outerjoin(later, later.supersedes_id == CreditEntry.id)
        .where(
            CreditEntry.user_id.in_(user_ids),
            later.id.is_(None),
            CreditEntry.kind != EntryKind.REVOCATION,
        )
        .order_by(CreditEntry.awarded_on, CreditEntry.id)
    )
    seen: set[tuple[int, str]] = set()
    for entry in rows:
        key = (entry.user_id, unit_key(entry))
        if key not in seen:
            seen.add(key)
            result[entry.user_id].append(entry)
    return result


def history(session: Session, user_id: int) -> list[CreditEntry]:
    """Every entry of a learner's ledger, oldest first: awards, corrections and revocations."""
    return list(
        session.scalars(
            select(CreditEntry)
            .where(CreditEntry.user_id == user_id)
            .order_by(CreditEntry.created_at, CreditEntry.id)
        )
    )

"""Corrections and revocations by a registrar who reaches the learner. Both are new entries
that supersede the one in force, with who, when and why on them; nothing is changed in place.
An entry already corrected or revoked (or a revocation itself) is not in force any more and
cannot be corrected or revoked again (409 `entry_superseded`)."""

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.credits import policy
from app.credits.ledger_schemas import CorrectionCreate, RevocationCreate
from app.credits.models import CreditEntry, EntryKind
from app.credits.service import ledger
from app.credits.service.awards import PERCENT_SCHEME, with_table_position
from app.credits.service.ledger import AwardedGrade, Unit
from app.grades.models import Scale
from app.grades.service.scales import scale_by_code

HUNDRED = Decimal(100)


class EntrySuperseded(Conflict):
    code = "entry_superseded"
    title = N_("This entry has already been corrected or revoked; change the entry in force.")


class GradeNotOnScale(Invalid):
    code = "grade_not_on_scale"
    title = N_("This grade is not on the entry's scale.")


def entry_for_registrar(session: Session, actor: Actor, entry_id: int) -> CreditEntry:
    """The entry, if the actor knows its learner (404) and keeps their records (403)."""
    entry = session.get(CreditEntry, entry_id)
    learner = None if entry is None else session.get(User, entry.user_id)
    if (
        entry is None
        or learner is None
        or not policy.knows_learner(actor, learner.id, learner.institution_id)
    ):
        raise NotFound(N_("No such ledger entry."))
    require(policy.is_registrar_of_learner(actor, learner.institution_id))
    return entry


def _in_force_or_refuse(session: Session, entry: CreditEntry) -> None:
    later = session.scalar(select(CreditEntry.id).where(CreditEntry.supersedes_id == entry.id))
    if later is not None or entry.kind is EntryKind.REVOCATION:
        raise EntrySuperseded()


def unit_of(entry: CreditEntry, credits: Decimal | None = None) -> Unit:
    return Unit(
        code=entry.unit_code,
        title=entry.unit_title,
        credits=entry.credits if credits is None else credits,
        course_id=entry.course_id,
        institution_id=entry.institution_id,
        isced_code=entry.isced_code,
        eqf_level=entry.eqf_level,
    )


def grade_of(entry: CreditEntry) -> AwardedGrade:
    return AwardedGrade(
        grade=entry.grade,
        value=entry.grade_value,
        scale_code=entry.scale_code,
        percent=entry.percent,
        grading_table_id=entry.grading_table_id,
        band_from=entry.band_from,
        band_to=entry.band_to,
    )


def _number(text: str, highest: Decimal) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as error:
        raise GradeNotOnScale(field="grade") from error
    if not value.is_finite() or not Decimal(0) <= value <= highest:
        raise GradeNotOnScale(field="grade")
    return value.quantize(Decimal("0.01"))


def read_grade(scale: Scale | None, scale_code: str | None, text: str) -> AwardedGrade:
    """A grade typed by a registrar, on the entry's scale: points within a numeric scale's
    maximum, a label of a scale of labels, or a percentage."""
    if scale is None:
        value = _number(text, HUNDRED)
        return AwardedGrade(f"{value.normalize():f}", value, scale_code or PERCENT_SCHEME)
    if scale.out_of is not None:
        value = _number(text, scale.out_of)
        return AwardedGrade(f"{value.normalize():f}", value, scale.code)
    level = next((lv for lv in scale.levels if lv.label.casefold() == text.casefold()), None)
    if level is None:
        raise GradeNotOnScale(field="grade")
    return AwardedGrade(level.label, level.value, scale.code)


def _corrected_grade(session: Session, entry: CreditEntry, unit: Unit, text: str) -> AwardedGrade:
    scale = scale_by_code(session, entry.scale_code) if entry.scale_code else None
    if entry.scale_code and entry.scale_code != PERCENT_SCHEME and scale is None:
        # A partner's scheme we hold no scale for: the grade is kept as the registrar wrote it.
        return AwardedGrade(text, None, entry.scale_code)
    grade = read_grade(scale, entry.scale_code, text)
    return with_table_position(session, unit, scale, replace(grade, percent=None))


def correct(session: Session, actor: Actor, entry_id: int, data: CorrectionCreate) -> CreditEntry:
    """Replace an entry in force with new credits and/or a new grade; the rest (unit, source,
    award date) is carried over and the reason is kept."""
    entry = entry_for_registrar(session, actor, entry_id)
    _in_force_or_refuse(session, entry)
    unit = unit_of(entry, data.credits)
    grade = (
        grade_of(entry)
        if data.grade is None
        else _corrected_grade(session, entry, unit, data.grade)
    )
    return ledger.append(
        session,
        actor,
        unit,
        grade,
        user_id=entry.user_id,
        source=entry.source,
        source_id=entry.source_id,
        on=entry.awarded_on,
        kind=EntryKind.CORRECTION,
        supersedes=entry,
        reason=data.reason,
    )


def revoke(session: Session, actor: Actor, entry_id: int, data: RevocationCreate) -> CreditEntry:
    """Withdraw an entry in force: its credits stop counting, it stays in the history."""
    entry = entry_for_registrar(session, actor, entry_id)
    _in_force_or_refuse(session, entry)
    return ledger.append(
        session,
        actor,
        unit_of(entry),
        AwardedGrade(),
        user_id=entry.user_id,
        source=entry.source,
        source_id=entry.source_id,
        on=entry.awarded_on,
        kind=EntryKind.REVOCATION,
        supersedes=entry,
        reason=data.reason,
    )

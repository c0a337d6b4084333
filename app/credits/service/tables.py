"""ECTS grading tables (ECTS Users' Guide 2015): per reference group (ISCED-F field and EQF
cycle), grading scale and owner institution, how the passing grades were distributed, best
grade first, with percentages and cumulative percentages. Ours are computed from the ledger
over at least two academic years; a partner's are imported as it sent them. The newest table
of an owner, group and scale is the one in force; grades convert by the tables in force."""

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased, selectinload

from app.accounts.models import Institution
from app.core.actors import Actor, require
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.core.pagination import paginate
from app.credits import policy
from app.credits.models import (
    CreditEntry,
    EntryKind,
    EntrySource,
    GradingTable,
    GradingTableRow,
    TableSource,
)
from app.credits.service.awards import table_key
from app.credits.service.conversion import Band, Conversion, NotConvertible, convert
from app.credits.service.ledger import AwardedGrade, unit_key
from app.credits.tables_schemas import TableCompute, TableScope
from app.grades.models import Scale
from app.grades.service.scales import scale_by_code

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_TABLE_ROWS = 120


class TableRefused(Invalid):
    """A table that cannot be computed or imported as asked."""

    code = "grading_table_refused"


def _points(scale: Scale, grade: str) -> Decimal | None:
    """The points a grade stands for on a numeric scale: a level's label or a number."""
    for level in scale.levels:
        if level.label == grade:
            return level.value
    try:
        points = Decimal(grade.replace(",", "."))
    except InvalidOperation:
        return None
    return points if points.is_finite() else None


def typed_key(scale: Scale, grade: str) -> str | None:
    """The row a grade typed as text falls in, by the ledger's rule (`awards.table_key`): on a
    numeric scale (one with `out_of`) its whole points, floored ("14.5" on fr-20 → "14", a
    level's label reads as its points: "хорошо" on ru-5 → "4"); on a label scale the label."""
    if scale.out_of is None:
        return grade
    points = _points(scale, grade)
    if points is None:
        return None
    return table_key(scale, AwardedGrade(grade=grade, value=points, scale_code=scale.code))


def passing_keys(scale: Scale) -> list[str]:
    """The rows of a table on this scale, best first: the passing levels, or on a numeric
    scale every whole point from the lowest passing level to the top."""
    passing = [level for level in scale.levels if level.passing]
    if scale.out_of is None:
        ordered = sorted(passing, key=lambda level: level.min_percent, reverse=True)
        return [level.label for level in ordered]
    if not passing:
        return []
    low = min(level.value for level in passing).to_integral_value(ROUND_FLOOR)
    high = scale.out_of.to_integral_value(ROUND_FLOOR)
    return [str(points) for points in range(int(high), int(low) - 1, -1)]


def table_scale(session: Session, code: str) -> Scale:
    scale = scale_by_code(session, code)
    if scale is None:
        raise TableRefused(N_("No such grading scale."), field="scale_code")
    keys = passing_keys(scale)
    if not keys or len(keys) > MAX_TABLE_ROWS:
        raise TableRefused(N_("This scale cannot have a grading table."), field="scale_code")
    return scale


def check_owner(session: Session, actor: Actor, scope: TableScope) -> None:
    require(policy.can_keep_grading_tables(actor, scope.owner_institution_id))
    owner = scope.owner_institution_id
    if owner is not None and session.get(Institution, owner) is None:
        raise NotFound(N_("No such institution."))


def _two_years_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28) + timedelta(days=1)


def _percent(part: int, total: int) -> Decimal:
    return (Decimal(part) * HUNDRED / total).quantize(CENT)


def rows_from_counts(keys: Sequence[str], counts: Counter[str]) -> list[GradingTableRow]:
    """Cumulative percentages from the running counts; each percentage is its cumulative
    minus the one above, so they add up to exactly 100.00."""
    total = sum(counts.values())
    rows: list[GradingTableRow] = []
    running, above = 0, Decimal(0)
    for position, key in enumerate(keys):
        running += counts[key]
        cumulative = _percent(running, total)
        rows.append(
            GradingTableRow(
                position=position,
                grade=key,
                count=counts[key],
                percent=cumulative - above,
                cumulative=cumulative,
            )
        )
        above = cumulative
    return rows


def _passing_in_force(session: Session, scope: TableScope) -> list[CreditEntry]:
    """Course results in force in the reference group, scale, institution and period, each
    learner's course once (its earliest award)."""
    later = aliased(CreditEntry)
    owner = scope.owner_institution_id
    stmt = (
        select(CreditEntry)
        .outerjoin(later, later.supersedes_id == CreditEntry.id)
        .where(
            later.id.is_(None),
            CreditEntry.kind != EntryKind.REVOCATION,
            CreditEntry.source == EntrySource.COURSE_RESULT,
            CreditEntry.isced_code == scope.isced_code,
            CreditEntry.eqf_level == scope.eqf_level,
            CreditEntry.scale_code == scope.scale_code,
            CreditEntry.awarded_on.between(scope.period_from, scope.period_to),
            CreditEntry.institution_id.is_(None)
            if owner is None
            else CreditEntry.institution_id == owner,
        )
        .order_by(CreditEntry.awarded_on, CreditEntry.id)
    )
    seen: set[tuple[int, str]] = set()
    entries: list[CreditEntry] = []
    for entry in session.scalars(stmt):
        key = (entry.user_id, unit_key(entry))
        if key not in seen:
            seen.add(key)
            entries.append(entry)
    return entries


def save_table(
    session: Session,
    actor: Actor,
    scope: TableScope,
    source: TableSource,
    rows: list[GradingTableRow],
) -> GradingTable:
    table = GradingTable(
        owner_institution_id=scope.owner_institution_id,
        isced_code=scope.isced_code,
        eqf_level=scope.eqf_level,
        scale_code=scope.scale_code,
        source=source,
        period_from=scope.period_from,
        period_to=scope.period_to,
        total=sum(row.count for row in rows),
        created_by_id=actor.user_id,
    )
    table.rows = rows
    session.add(table)
    session.flush()
    return table


def compute(session: Session, actor: Actor, data: TableCompute) -> GradingTable:
    """A table of the passing grades awarded in the period, which spans two academic years at
    least; failing grades are left out. Registrars of the owner institution."""
    check_owner(session, actor, data)
    if data.period_to < _two_years_later(data.period_from) - timedelta(days=1):
        raise TableRefused(
            N_("A grading table covers at least two academic years."), field="period_to"
        )
    scale = table_scale(session, data.scale_code)
    keys = passing_keys(scale)
    counts: Counter[str] = Counter()
    for entry in _passing_in_force(session, data):
        awarded = AwardedGrade(grade=entry.grade, value=entry.grade_value, scale_code=scale.code)
        key = table_key(scale, awarded)
        if key in keys:
            counts[key] += 1
    if not counts:
        raise TableRefused(N_("No passing grade was awarded in this group and period."))
    return save_table(session, actor, data, TableSource.COMPUTED, rows_from_counts(keys, counts))


def _with_rows(stmt: Select[GradingTable]) -> Select[GradingTable]:
    return stmt.options(selectinload(GradingTable.rows))


def list_tables(
    session: Session,
    actor: Actor,
    filters: dict[str, object],
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[GradingTable], str | None]:
    """The grading tables (published: everyone signed in and partner systems read them),
    oldest first, filtered by any of owner, reference group, scale and source."""
    require(policy.can_read_grading_tables(actor))
    stmt = _with_rows(select(GradingTable))
    for name, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(GradingTable, name) == value)
    return paginate(session, stmt, GradingTable.id, cursor, limit)


def get_table(session: Session, actor: Actor, table_id: int) -> GradingTable:
    """One grading table with its rows, best grade first."""
    require(policy.can_read_grading_tables(actor))
    table = session.scalar(_with_rows(select(GradingTable).where(GradingTable.id == table_id)))
    if table is None:
        raise NotFound(N_("No such grading table."))
    return table


def in_force(
    session: Session,
    owner_institution_id: int | None,
    isced_code: str,
    eqf_level: int,
    scale_code: str,
) -> GradingTable | None:
    """The table in force for an owner, reference group and scale: the newest one."""
    owner = GradingTable.owner_institution_id
    stmt = select(GradingTable).where(
        owner.is_(None) if owner_institution_id is None else owner == owner_institution_id,
        GradingTable.isced_code == isced_code,
        GradingTable.eqf_level == eqf_level,
        GradingTable.scale_code == scale_code,
    )
    stmt = stmt.order_by(GradingTable.created_at.desc(), GradingTable.id.desc()).limit(1)
    return session.scalar(_with_rows(stmt))


def bands(table: GradingTable) -> list[Band]:
    """A table's rows as conversion bands, best first."""
    return [Band(row.grade, row.percent, row.cumulative) for row in table.rows]


def source_key(session: Session, table: GradingTable, grade: str) -> str:
    """The row of `table` a grade reads as ("14.5" → "14", "хорошо" → "4" on ru-5); a failing
    grade of the table's scale is never converted."""
    scale = scale_by_code(session, table.scale_code)
    if scale is None:
        return grade.strip()
    for level in scale.levels:
        if level.label == grade.strip() and not level.passing:
            raise NotConvertible(N_("A failing grade is never converted."))
    return typed_key(scale, grade.strip()) or grade.strip()


def convert_grade(
    session: Session, source_table: GradingTable, target_table: GradingTable, grade: str
) -> Conversion:
    """Convert a grade of the source table to the target table by the midpoint rule
    (`conversion.convert`); the tables' rows must be loaded."""
    return convert(
        bands(source_table), bands(target_table), source_key(session, source_table, grade)
    )


def convert_between(
    session: Session, actor: Actor, source_table_id: int, target_table_id: int, grade: str
) -> tuple[GradingTable, GradingTable, str, Conversion]:
    """Convert a grade from one table to another (anyone who reads the tables): the two
    tables, the source row the grade reads as, and the conversion."""
    source = get_table(session, actor, source_table_id)
    target = get_table(session, actor, target_table_id)
    key = source_key(session, source, grade)
    return source, target, key, convert(bands(source), bands(target), key)

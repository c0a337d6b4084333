"""A transferred grade converted by the ECTS grading tables: the host's table in force for the
host course's reference group and scale, ours for the home course's group and scale."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.courses.models import Course
from app.credits.models import GradingTable
from app.credits.service.awards import course_scale, table_key
from app.credits.service.conversion import Band, Conversion, NotConvertible, convert
from app.credits.service.ledger import AwardedGrade
from app.credits.transfer_models import AgreementLine, TransferResult, WaitingReason
from app.grades.models import Scale, ScaleLevel
from app.grades.service.scales import scale_by_code


def table_in_force(
    session: Session,
    owner_institution_id: int | None,
    isced: str | None,
    eqf: int | None,
    scale: str | None,
) -> GradingTable | None:
    """The newest table of an owner for a reference group and scale, with its rows."""
    if owner_institution_id is None or isced is None or eqf is None or scale is None:
        return None
    return session.scalar(
        select(GradingTable)
        .where(
            GradingTable.owner_institution_id == owner_institution_id,
            GradingTable.isced_code == isced,
            GradingTable.eqf_level == eqf,
            GradingTable.scale_code == scale,
        )
        .options(selectinload(GradingTable.rows))
        .order_by(GradingTable.created_at.desc(), GradingTable.id.desc())
        .limit(1)
    )


def _bands(table: GradingTable) -> list[Band]:
    return [Band(row.grade, row.percent, row.cumulative) for row in table.rows]


def _level(scale: Scale | None, grade: str) -> ScaleLevel | None:
    """The scale's level a grade names, by its label or by its value ("хорошо" or "4")."""
    if scale is None:
        return None
    wanted = grade.strip().casefold()
    for level in scale.levels:
        if level.label.casefold() == wanted:
            return level
    try:
        value = Decimal(wanted.replace(",", "."))
    except ArithmeticError:
        return None
    return next((level for level in scale.levels if level.value == value), None)


@dataclass(frozen=True)
class Converted:
    """The conversion and what the ledger entry records: the home grade on our scale, its
    band in our table."""

    conversion: Conversion
    source_table: GradingTable
    target_table: GradingTable
    target_scale_code: str
    target_label: str
    target_value: Decimal | None

    def target_band(self) -> tuple[Decimal, Decimal] | None:
        better = Decimal(0)
        for row in self.target_table.rows:
            if row.grade == self.conversion.grade:
                return better, row.cumulative
            better = row.cumulative
        return None

    def apply_to(self, row: TransferResult) -> None:
        """Keep the conversion on the transfer result."""
        row.converted_grade = self.target_label
        row.converted_scale_code = self.target_scale_code
        row.overlapping = ", ".join(self.conversion.overlapping)
        row.band_from, row.band_to = self.conversion.source_band
        row.midpoint = self.conversion.midpoint
        row.rule = self.conversion.rule
        row.source_table_id = self.source_table.id
        row.target_table_id = self.target_table.id

    def entry_grade(self) -> AwardedGrade:
        band = self.target_band()
        return AwardedGrade(
            grade=self.target_label,
            value=self.target_value,
            scale_code=self.target_scale_code,
            grading_table_id=self.target_table.id,
            band_from=None if band is None else band[0],
            band_to=None if band is None else band[1],
        )


def convert_for_line(
    session: Session,
    row: TransferResult,
    line: AgreementLine,
    course: Course,
    home_institution_id: int | None,
) -> Converted | WaitingReason:
    """Convert a host result for the home course of its agreement line, or say why not: a
    failing grade or one missing from the host's table is not convertible; a missing table
    leaves the result waiting too."""
    source_scale_code = row.scale_code or line.host_scale_code
    source_scale = scale_by_code(session, source_scale_code) if source_scale_code else None
    level = _level(source_scale, row.grade)
    if level is not None and not level.passing:
        return WaitingReason.NOT_CONVERTIBLE
    target_scale = course_scale(session, course)
    target_scale_code = target_scale.code if target_scale is not None else source_scale_code
    source_table = table_in_force(
        session,
        row.host_institution_id,
        row.isced_code or line.isced_code,
        row.eqf_level or line.eqf_level,
        source_scale_code,
    )
    target_table = table_in_force(
        session, home_institution_id, course.isced_code, course.eqf_level, target_scale_code
    )
    if source_table is None or target_table is None or target_scale_code is None:
        return WaitingReason.NO_GRADING_TABLE
    source_key = row.grade.strip()
    if level is not None:
        awarded = AwardedGrade(grade=level.label, value=level.value, scale_code=source_scale_code)
        source_key = table_key(source_scale, awarded) or source_key
    try:
        conversion = convert(_bands(source_table), _bands(target_table), source_key)
    except NotConvertible:
        return WaitingReason.NOT_CONVERTIBLE
    target_level = _level(target_scale, conversion.grade)
    return Converted(
        conversion=conversion,
        source_table=source_table,
        target_table=target_table,
        target_scale_code=target_scale_code,
        target_label=conversion.grade if target_level is None else target_level.label,
        target_value=None if target_level is None else target_level.value,
    )

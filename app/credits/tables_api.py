"""ECTS grading tables over the API: read (everyone signed in, partner systems with
`credits:read`), compute and import (registrars of the owner institution, `credits:write`),
and convert a grade from one table to another by the midpoint rule."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.credits.models import TableSource
from app.credits.service import table_import, tables
from app.credits.tables_schemas import (
    ConversionRead,
    ConversionRequest,
    EqfLevel,
    GradingTableRead,
    IscedCode,
    ScaleCode,
    TableCompute,
    TableImport,
)

router = APIRouter(tags=["credits"], route_class=DeferredRoute)


@router.get("/grading-tables", response_model=Page[GradingTableRead])
def list_grading_tables(
    session: SessionDep,
    actor: SignedInApiActor,
    owner_institution_id: Annotated[Id | None, Query()] = None,
    isced_code: Annotated[IscedCode | None, Query()] = None,
    eqf_level: Annotated[EqfLevel | None, Query()] = None,
    scale_code: Annotated[ScaleCode | None, Query()] = None,
    source: Annotated[TableSource | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[GradingTableRead]:
    """The ECTS grading tables, oldest first, 50 a page (follow `next_cursor`), filtered by
    owner institution, reference group (`isced_code`, `eqf_level`), scale and source
    (`computed` or `imported`). Each row is a passing grade, best first, with its count,
    percentage and cumulative percentage. Of an owner, group and scale, the newest table is
    the one in force."""
    filters: dict[str, object] = {
        "owner_institution_id": owner_institution_id,
        "isced_code": isced_code,
        "eqf_level": eqf_level,
        "scale_code": scale_code,
        "source": source,
    }
    found, next_cursor = tables.list_tables(session, actor, filters, cursor, limit)
    return Page[GradingTableRead](
        items=[GradingTableRead.model_validate(t) for t in found], next_cursor=next_cursor
    )


@router.get("/grading-tables/{table_id:int}", response_model=GradingTableRead)
def read_grading_table(
    table_id: Id, session: SessionDep, actor: SignedInApiActor
) -> GradingTableRead:
    """One grading table with its rows, best grade first."""
    return GradingTableRead.model_validate(tables.get_table(session, actor, table_id))


@router.post("/grading-tables/compute", response_model=GradingTableRead, status_code=201)
def compute_grading_table(
    data: TableCompute, session: SessionDep, actor: SignedInApiActor
) -> GradingTableRead:
    """Compute the table of a reference group and scale from the passing grades the owner
    institution awarded in the period (course results in force on the ledger; each learner's
    course once). The period spans at least two academic years, or the answer is 422
    `grading_table_refused`. Numeric scales count whole points (14.5 on fr-20 counts as 14),
    label scales their levels. Registrars of the owner institution only."""
    return GradingTableRead.model_validate(tables.compute(session, actor, data))


@router.post("/grading-tables", response_model=GradingTableRead, status_code=201)
def import_grading_table(
    data: TableImport, session: SessionDep, actor: SignedInApiActor
) -> GradingTableRead:
    """Import a partner's table as it sent it: its rows are passing grades of the scale, each
    with a `count` (percentages are then computed) or a `percent` (they must add up to
    100 ± 0.1); they are stored best first. Registrars of the owner institution only."""
    return GradingTableRead.model_validate(table_import.import_table(session, actor, data))


@router.post("/grading-tables/convert", response_model=ConversionRead)
def convert_grade(
    data: ConversionRequest, session: SessionDep, actor: SignedInApiActor
) -> ConversionRead:
    """Convert a grade of the source table to the target table (ECTS Users' Guide 2015): the
    source grade's band runs from the cumulative percentage of the better grades to its own;
    the result is the target grade whose band contains the band's midpoint, the better one
    on a tie; `overlapping` lists every target grade whose band overlaps, best first; `rule`
    names the method (`ects-grading-table-midpoint`). A failing grade, or one not in the
    source table, answers 422 `grade_not_convertible`."""
    source, target, key, result = tables.convert_between(
        session, actor, data.source_table_id, data.target_table_id, data.grade
    )
    return ConversionRead(
        source_table_id=source.id,
        target_table_id=target.id,
        source_grade=key,
        grade=result.grade,
        overlapping=list(result.overlapping),
        rule=result.rule,
        source_band_from=result.source_band[0],
        source_band_to=result.source_band[1],
        midpoint=result.midpoint,
    )

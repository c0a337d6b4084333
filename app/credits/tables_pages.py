"""The registrars' pages for grading scales (`/admin/credits/scales`: list, add one) and ECTS
grading tables (`/admin/credits/tables`: the tables per reference group, compute, import a
partner's CSV, convert a grade). A refused form is shown again with its message and writes
nothing."""

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.forms import attempt_form
from app.core.i18n import N_
from app.core.inputs import MAX_INT
from app.core.web import render, request_locale, see_other
from app.credits.service import table_import, tables, tables_view
from app.credits.service.conversion import Conversion
from app.credits.tables_schemas import TableCompute, TableImport
from app.grades.service import scales
from app.grades.setup_schemas import ScaleCreate

router = page_router()
Text = Annotated[str, Form(max_length=300)]
LevelsText = Annotated[str, Form(max_length=4000)]
TABLES = "/admin/credits/tables"
SCALES = "/admin/credits/scales"
SCOPE_FIELDS = ("owner_institution_id", "isced_code", "eqf_level", "scale_code")
PERIOD_FIELDS = ("period_from", "period_to")
BAD_LEVEL = N_("Write each level as: label, value, lowest percentage, pass")


def _tables_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    forms: dict[str, dict[str, Any]] | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    conversion: tuple[str, Conversion] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "view": tables_view.tables_page(session, actor),
        "forms": forms or {},
        "errors": errors or {},
        "conversion": conversion,
        "saved": request.query_params.get("saved"),
        "percent": _percent_in(request_locale(request)),
    }
    return render(request, "credits/tables.html", context, status=status)


def _percent_in(locale: str) -> Callable[[Decimal], str]:
    """Percentages with their two decimals, as the tables state them (33.33, ru 33,33)."""
    return lambda value: format_decimal(value, format="#,##0.00", locale=locale)


@router.get(TABLES)
def tables_index(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _tables_page(request, session, actor)


def _scope_form(*values: str) -> dict[str, Any]:
    """The filled-in scope fields of a table form, by name in the order of their inputs."""
    named = zip((*SCOPE_FIELDS, *PERIOD_FIELDS), values, strict=True)
    return {name: value for name, value in named if value}


@router.post(TABLES + "/compute")
def compute_table(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    owner_institution_id: Text = "",
    isced_code: Text = "",
    eqf_level: Text = "",
    scale_code: Text = "",
    period_from: Text = "",
    period_to: Text = "",
) -> Response:
    form = _scope_form(
        owner_institution_id, isced_code, eqf_level, scale_code, period_from, period_to
    )
    with attempt_form(request, session) as attempt:
        table = tables.compute(session, actor, TableCompute.model_validate(form))
    if attempt.refused:
        forms, errors = {"compute": form}, {"compute": attempt.errors}
        return _tables_page(request, session, actor, forms=forms, errors=errors, status=400)
    return see_other(f"{TABLES}?saved={table.id}#table-{table.id}")


@router.post(TABLES + "/import")
async def import_table(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    file: Annotated[UploadFile, File()],
    owner_institution_id: Text = "",
    isced_code: Text = "",
    eqf_level: Text = "",
    scale_code: Text = "",
    period_from: Text = "",
    period_to: Text = "",
) -> Response:
    """A partner's table from a CSV file: `grade` and `count` or `percent` columns."""
    form = _scope_form(
        owner_institution_id, isced_code, eqf_level, scale_code, period_from, period_to
    )
    data = await file.read(table_import.MAX_CSV_BYTES + 1)
    with attempt_form(request, session) as attempt:
        rows = [row.model_dump() for row in table_import.parse_rows_csv(data)]
        body = TableImport.model_validate({**form, "rows": rows})
        table = table_import.import_table(session, actor, body)
    if attempt.refused:
        forms, errors = {"import": form}, {"import": attempt.errors}
        return _tables_page(request, session, actor, forms=forms, errors=errors, status=400)
    return see_other(f"{TABLES}?saved={table.id}#table-{table.id}")


@router.post(TABLES + "/convert")
def convert_grade(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    source_table_id: Text = "",
    target_table_id: Text = "",
    grade: Text = "",
) -> Response:
    """A conversion writes nothing: the result is shown on the page."""
    form = {"source_table_id": source_table_id, "target_table_id": target_table_id, "grade": grade}
    tables_view.check_registrar_desk(actor)
    with attempt_form(request, session) as attempt:
        source, target = _table_ids(source_table_id, target_table_id)
        _, _, key, result = tables.convert_between(session, actor, source, target, grade)
    if attempt.refused:
        forms, errors = {"convert": form}, {"convert": attempt.errors}
        return _tables_page(request, session, actor, forms=forms, errors=errors, status=400)
    return _tables_page(request, session, actor, forms={"convert": form}, conversion=(key, result))


def _table_ids(source: str, target: str) -> tuple[int, int]:
    """Two table ids within the range of an id column (a larger one is no table)."""
    try:
        ids = int(source), int(target)
    except ValueError as error:
        raise Invalid(N_("Choose the two tables."), field="source_table_id") from error
    if not all(1 <= table_id <= MAX_INT for table_id in ids):
        raise Invalid(N_("Choose the two tables."), field="source_table_id")
    return ids


def _scales_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "scales": tables_view.scales_page(session, actor),
        "form": form or {},
        "errors": errors or {},
        "saved": request.query_params.get("saved"),
    }
    return render(request, "credits/scales.html", context, status=status)


@router.get(SCALES)
def scales_index(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _scales_page(request, session, actor)


def parse_levels(text: str) -> list[dict[str, object]]:
    """Levels typed one a line: label, value, lowest percentage, and "pass" when passing."""
    levels: list[dict[str, object]] = []
    for cells in csv.reader(io.StringIO(text)):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) not in (3, 4):
            raise Invalid(BAD_LEVEL, field="levels")
        label, value, min_percent = (cell.strip() for cell in cells[:3])
        passing = len(cells) == 4 and cells[3].strip().lower() == "pass"
        levels.append(
            {"label": label, "value": value, "min_percent": min_percent, "passing": passing}
        )
    return levels


@router.post(SCALES)
def create_scale(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: Text = "",
    name: Text = "",
    out_of: Text = "",
    levels: LevelsText = "",
) -> Response:
    form: dict[str, Any] = {"code": code, "name": name, "out_of": out_of, "levels": levels}
    tables_view.check_registrar_desk(actor)
    with attempt_form(request, session) as attempt:
        data = {"code": code, "name": name, "levels": parse_levels(levels)}
        scale = scales.create_scale(
            session, actor, ScaleCreate.model_validate({**data, "out_of": out_of or None})
        )
    if attempt.refused:
        return _scales_page(request, session, actor, form, attempt.errors, status=400)
    return see_other(f"{SCALES}?saved={scale.id}#scale-{scale.id}")

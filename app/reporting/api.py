"""Reports to funders over the API: projects, their targets and readers (coordinators), the
dashboard as JSON and its CSV and XLSX exports (whoever reads the project). A figure built on
fewer people than the threshold is `null` with `hidden: true`: never sent."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep, utcnow
from app.core.downloads import attachment_headers
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.reporting.export import report_csv, report_xlsx
from app.reporting.models import Indicator, ReportingProject, ReportTarget
from app.reporting.schemas import (
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
    ReaderCreate,
    ReaderRead,
    TargetCreate,
    TargetRead,
)
from app.reporting.service import projects
from app.reporting.service.cells import Cell
from app.reporting.service.dashboard import Dashboard, DrillRow, Progress, dashboard

router = APIRouter(tags=["reporting"], route_class=DeferredRoute)
Code = Annotated[str, Path(max_length=32)]
Language = Annotated[str, Query(pattern="^(en|fr|ru|ar)$", description="language of the export")]
Narrowed = Annotated[
    str | None, Query(max_length=32, description="an institution's code: its learners only")
]
P = "/reports/projects"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Figure(BaseModel):
    group: str | int | None
    value: Decimal | None
    hidden: bool


class TargetFigure(BaseModel):
    target: TargetRead
    value: Decimal | None
    hidden: bool
    progress: Progress
    expected_by_now: Decimal


class IndicatorFigures(BaseModel):
    indicator: Indicator
    total: Figure
    by_term: list[Figure]
    by_country: list[Figure]
    by_institution: list[Figure]


class DrillFigures(BaseModel):
    name: str
    enrolled: Figure
    completed: Figure


class DashboardRead(BaseModel):
    project: ProjectRead
    as_of: date
    threshold: int
    institution: int | None
    targets: list[TargetFigure]
    indicators: list[IndicatorFigures]
    courses: list[DrillFigures] | None
    cohorts: list[DrillFigures] | None


def _figure(cell: Cell, group: str | int | None = None) -> Figure:
    return Figure(group=group, value=cell.value, hidden=cell.value is None)


def _project(session: Session, project: ReportingProject) -> ProjectRead:
    codes = [p.code for p in projects.programmes_of(session, project.id)]
    return ProjectRead(
        code=project.code, name=project.name, funder=project.funder,
        starts_on=project.starts_on, ends_on=project.ends_on, programmes=codes,
    )  # fmt: skip


def _target(session: Session, target: ReportTarget) -> TargetRead:
    return projects.target_read(session, target)


def _dashboard(session: Session, found: Dashboard) -> DashboardRead:
    def keyed(cells: list[Cell]) -> list[Figure]:
        return [_figure(c, c.key if isinstance(c.key, str | int) else None) for c in cells]

    def drill(rows: list[DrillRow] | None) -> list[DrillFigures] | None:
        if rows is None:
            return None
        return [
            DrillFigures(name=r.name, enrolled=_figure(r.enrolled), completed=_figure(r.completed))
            for r in rows
        ]

    return DashboardRead(
        project=_project(session, found.opened.project), as_of=found.as_of,
        threshold=found.threshold, institution=found.institution_id,
        targets=[
            TargetFigure(
                target=_target(session, t.target), value=t.figure.value,
                hidden=t.figure.value is None, progress=t.progress, expected_by_now=t.expected,
            )
            for t in found.targets
        ],
        indicators=[
            IndicatorFigures(
                indicator=i.indicator, total=_figure(i.total), by_term=keyed(i.by_term),
                by_country=keyed(i.by_country), by_institution=keyed(i.by_institution),
            )
            for i in found.indicators
        ],
        courses=drill(found.courses), cohorts=drill(found.cohorts),
    )  # fmt: skip


@router.get(P, response_model=list[ProjectRead])
def list_projects(session: SessionDep, actor: SignedInApiActor) -> list[ProjectRead]:
    """The projects the caller reads: all for coordinators; those naming the caller as a
    programme manager or funder; those whose programmes an institution manager's
    institution awards."""
    return [_project(session, p) for p in projects.visible_projects(session, actor)]


@router.post(P, response_model=ProjectRead, status_code=201)
def create_project(
    data: ProjectCreate, session: SessionDep, actor: SignedInApiActor
) -> ProjectRead:
    """A project reporting on the programmes given (coordinators)."""
    return _project(session, projects.create_project(session, actor, data))


@router.get(P + "/{code}", response_model=ProjectRead)
def read_project(code: Code, session: SessionDep, actor: SignedInApiActor) -> ProjectRead:
    """The project, its funder, dates and programmes (whoever reads it; 404 for others)."""
    return _project(session, projects.open_project(session, actor, code).project)


@router.patch(P + "/{code}", response_model=ProjectRead)
def update_project(
    code: Code, data: ProjectUpdate, session: SessionDep, actor: SignedInApiActor
) -> ProjectRead:
    """Name, funder, dates and programmes (coordinators)."""
    return _project(session, projects.update_project(session, actor, code, data))


@router.delete(P + "/{code}", status_code=204)
def delete_project(code: Code, session: SessionDep, actor: SignedInApiActor) -> None:
    """Delete the project with its targets and readers (coordinators); what it counted stays."""
    projects.delete_project(session, actor, code)


@router.get(P + "/{code}/dashboard", response_model=DashboardRead)
def read_dashboard(
    code: Code, session: SessionDep, settings: SettingsDep, actor: SignedInApiActor,
    institution: Narrowed = None,
) -> DashboardRead:  # fmt: skip
    """Each target against its figure, each indicator per term, country and institution since
    the project began, and (not for funders) per course and cohort. An institution manager
    reads their institution's learners only; others may narrow to one with `institution`
    (422 `unknown_institution` for an unknown code)."""
    found = dashboard(session, settings, actor, code, utcnow(), institution)
    return _dashboard(session, found)


def _export(
    session: SessionDep, settings: SettingsDep, actor: SignedInApiActor, code: str,
    language: str, kind: str, institution: str | None,
) -> Response:  # fmt: skip
    now = utcnow()
    found = dashboard(session, settings, actor, code, now, institution)
    name = f"{found.opened.project.code}-{now:%Y-%m-%d}.{kind}"
    if kind == "csv":
        body: str | bytes = report_csv(found, language, now)
        media = "text/csv; charset=utf-8"
    else:
        body, media = report_xlsx(found, language, now), XLSX
    return Response(body, media_type=media, headers=attachment_headers(name))


@router.get(P + "/{code}/export.csv", response_class=Response)
def export_csv(
    code: Code, session: SessionDep, settings: SettingsDep, actor: SignedInApiActor,
    language: Language = "en", institution: Narrowed = None,
) -> Response:  # fmt: skip
    """The dashboard as one CSV table, with the date of the extract and each definition."""
    return _export(session, settings, actor, code, language, "csv", institution)


@router.get(P + "/{code}/export.xlsx", response_class=Response)
def export_xlsx(
    code: Code, session: SessionDep, settings: SettingsDep, actor: SignedInApiActor,
    language: Language = "en", institution: Narrowed = None,
) -> Response:  # fmt: skip
    """The dashboard as an XLSX workbook: the date of the extract, then the table."""
    return _export(session, settings, actor, code, language, "xlsx", institution)


@router.get(P + "/{code}/targets", response_model=list[TargetRead])
def list_targets(code: Code, session: SessionDep, actor: SignedInApiActor) -> list[TargetRead]:
    """The project's targets, by due date (whoever reads the project)."""
    opened = projects.open_project(session, actor, code)
    return [_target(session, t) for t in projects.targets(session, opened.project.id)]


@router.post(P + "/{code}/targets", response_model=TargetRead, status_code=201)
def add_target(
    code: Code, data: TargetCreate, session: SessionDep, actor: SignedInApiActor
) -> TargetRead:
    """A target narrowed, if given, to a programme of the project, a country, an institution
    (coordinators). Contact hours count sessions: they cannot be narrowed to learners."""
    return _target(session, projects.add_target(session, actor, code, data))


@router.delete(P + "/{code}/targets/{target_id}", status_code=204)
def remove_target(code: Code, target_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Remove a target (coordinators)."""
    projects.remove_target(session, actor, code, target_id)


@router.get(P + "/{code}/readers", response_model=list[ReaderRead])
def list_readers(code: Code, session: SessionDep, actor: SignedInApiActor) -> list[ReaderRead]:
    """The programme managers and funders the project names (coordinators)."""
    opened = projects.managed(session, actor, code)
    return [projects.reader_read(r, u) for r, u in projects.readers(session, opened.project.id)]


@router.post(P + "/{code}/readers", response_model=ReaderRead, status_code=201)
def add_reader(
    code: Code, data: ReaderCreate, session: SessionDep, actor: SignedInApiActor
) -> ReaderRead:
    """Name an account as a programme manager or a funder (aggregates only); `monthly`
    ones are mailed the report at the start of each month. Naming them again changes the
    role."""
    return projects.reader_read(*projects.add_reader(session, actor, code, data))


@router.delete(P + "/{code}/readers/{reader_id}", status_code=204)
def remove_reader(code: Code, reader_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Stop naming an account among the project's readers (coordinators)."""
    projects.remove_reader(session, actor, code, reader_id)


routers = [router]

"""The reporting pages: the projects one reads, a project's dashboard (tables, and charts
drawn on the server), its CSV and XLSX downloads, and for coordinators a new project and
the page that runs one (its programmes, targets and readers). Every rule is the service's;
everything works without JavaScript."""

from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Form, Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.actors import require
from app.core.charts import Bar, bar_chart
from app.core.db import SessionDep, utcnow
from app.core.downloads import attachment_headers
from app.core.forms import FormAttempt, attempt_form
from app.core.i18n import is_rtl
from app.core.inputs import Id
from app.core.web import render, request_locale, see_other
from app.reporting import policy
from app.reporting.export import BREAKDOWNS, PROGRESS_NAMES, Words, report_csv, report_xlsx
from app.reporting.models import Indicator, ReaderRole
from app.reporting.schemas import ProjectCreate, ProjectUpdate, ReaderCreate, TargetCreate
from app.reporting.service import projects
from app.reporting.service.cells import Cell
from app.reporting.service.dashboard import Dashboard, IndicatorReport, dashboard
from app.reporting.service.indicators import DEFINITIONS, NAMES

router = page_router()
FormField = Annotated[str, Form()]
Code = Annotated[str, Path(max_length=32)]
Narrowed = Annotated[str, Query(max_length=32)]  # an institution's code; empty: all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/reports")
def reports_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    context = {
        "found": projects.visible_projects(session, actor),
        "can_create": policy.can_manage_projects(actor),
    }
    return render(request, "reporting/list.html", context)


def _charts(found: Dashboard, words: Words, locale: str) -> dict[str, Any]:
    rtl = is_rtl(locale)

    def targets_chart() -> Markup:
        bars = [
            Bar(
                item.target.label or words.gettext(NAMES[item.target.indicator]),
                _share(item.figure.value, item.target.value),
                f"{words.number(item.figure.value) or '–'} / {words.number(item.target.value)}",
            )
            for item in found.targets
        ]
        return bar_chart(words.gettext("Targets"), bars, rtl=rtl)

    def terms_chart(report: IndicatorReport) -> Markup:
        top = max((c.value for c in report.by_term if c.value is not None), default=Decimal(0))
        bars = [
            Bar(words.group("term", c.key), _share(c.value, top), words.number(c.value) or "–")
            for c in report.by_term
        ]
        title = f"{words.gettext(NAMES[report.indicator])}: {words.gettext(BREAKDOWNS['term'])}"
        return bar_chart(title, bars, rtl=rtl)

    return {"targets_chart": targets_chart, "terms_chart": terms_chart}


def _share(value: Decimal | None, of: Decimal) -> Decimal:
    if value is None or not of:
        return Decimal(0)
    return min(value * 100 / of, Decimal(100))


def _new_page(
    request: Request, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    context = {"form": form or {}, "errors": errors or {}}
    return render(request, "reporting/new.html", context, status)


# Before /reports/{code}, which would take "new" for a project's code (none may have it).
@router.get("/reports/new")
def new_project_page(request: Request, actor: PortalActor, _user: CurrentUser) -> Response:
    require(policy.can_manage_projects(actor))
    return _new_page(request)


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", " ").split() if part.strip()]


@router.post("/reports/new")
def create_project(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    code: FormField = "", name: FormField = "", funder: FormField = "", starts_on: FormField = "",
    ends_on: FormField = "", programmes: FormField = "",
) -> Response:  # fmt: skip
    typed = {
        "code": code, "name": name, "funder": funder, "starts_on": starts_on or None,
        "ends_on": ends_on or None, "programmes": _codes(programmes),
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        project = projects.create_project(session, actor, ProjectCreate.model_validate(typed))
    if attempt.refused:
        return _new_page(request, {**typed, "programmes": programmes}, attempt.errors, 400)
    return see_other(f"/reports/{project.code}/manage")


@router.get("/reports/{code}")
def dashboard_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: PortalActor,
    _user: CurrentUser, code: Code, institution: Narrowed = "",
) -> Response:  # fmt: skip
    found = dashboard(session, settings, actor, code, utcnow(), institution or None)
    locale = request_locale(request)
    words = Words(found, locale)

    def shown(cell: Cell) -> str:
        return words.number(cell.value) if cell.value is not None else words.hidden()

    context = {
        "d": found, "words": words, "shown": shown, "names": NAMES,
        "definitions": DEFINITIONS, "progress_names": PROGRESS_NAMES,
        "breakdowns": BREAKDOWNS, "share": Indicator.REFUGEE_SHARE,
        "narrowed": f"?institution={quote(institution)}" if found.institution_id else "",
        "codes": projects.institution_codes(session), "chosen": institution,
        **_charts(found, words, locale),
    }  # fmt: skip
    return render(request, "reporting/dashboard.html", context)


def _download(
    request: Request, session: SessionDep, settings: SettingsDep, actor: PortalActor, code: str,
    kind: str, institution: str,
) -> Response:  # fmt: skip
    now = utcnow()
    found = dashboard(session, settings, actor, code, now, institution or None)
    locale = request_locale(request)
    name = f"{found.opened.project.code}-{now:%Y-%m-%d}.{kind}"
    if kind == "csv":
        body: str | bytes = report_csv(found, locale, now)
        media = "text/csv; charset=utf-8"
    else:
        body, media = report_xlsx(found, locale, now), XLSX
    return Response(body, media_type=media, headers=attachment_headers(name))


@router.get("/reports/{code}/export.csv")
def download_csv(
    request: Request, session: SessionDep, settings: SettingsDep, actor: PortalActor,
    _user: CurrentUser, code: Code, institution: Narrowed = "",
) -> Response:  # fmt: skip
    return _download(request, session, settings, actor, code, "csv", institution)


@router.get("/reports/{code}/export.xlsx")
def download_xlsx(
    request: Request, session: SessionDep, settings: SettingsDep, actor: PortalActor,
    _user: CurrentUser, code: Code, institution: Narrowed = "",
) -> Response:  # fmt: skip
    return _download(request, session, settings, actor, code, "xlsx", institution)


# --- running a project (coordinators) ------------------------------------------------------


def _manage_page(
    request: Request, session: SessionDep, actor: PortalActor, code: str, *,
    failed: str = "", form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    opened = projects.managed(session, actor, code)
    context = {
        "opened": opened, "project": opened.project,
        "targets": [
            projects.target_read(session, t) for t in projects.targets(session, opened.project.id)
        ],
        "readers": projects.readers(session, opened.project.id), "indicators": list(Indicator),
        "names": NAMES, "roles": list(ReaderRole), "failed": failed, "form": form or {},
        "errors": errors or {},
    }  # fmt: skip
    return render(request, "reporting/manage.html", context, status)


def _managed_after(
    request: Request, session: SessionDep, actor: PortalActor, code: str, attempt: FormAttempt,
    failed: str, form: dict[str, Any],
) -> Response:  # fmt: skip
    """Back to the page that runs the project; with the form and its errors if refused."""
    if attempt.refused:
        return _manage_page(
            request, session, actor, code, failed=failed, form=form, errors=attempt.errors,
            status=400,
        )  # fmt: skip
    return see_other(f"/reports/{code}/manage")


@router.get("/reports/{code}/manage")
def manage_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: Code
) -> Response:
    return _manage_page(request, session, actor, code)


@router.post("/reports/{code}/manage")
def update_project(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: Code,
    name: FormField = "", funder: FormField = "", starts_on: FormField = "",
    ends_on: FormField = "", programmes: FormField = "",
) -> Response:  # fmt: skip
    typed = {
        "name": name, "funder": funder, "starts_on": starts_on or None,
        "ends_on": ends_on or None, "programmes": _codes(programmes),
    }  # fmt: skip
    if not typed["starts_on"]:
        typed.pop("starts_on")
    with attempt_form(request, session) as attempt:
        projects.update_project(session, actor, code, ProjectUpdate.model_validate(typed))
    return _managed_after(
        request, session, actor, code, attempt, "project", {**typed, "programmes": programmes}
    )


@router.post("/reports/{code}/targets")
def add_target(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: Code,
    indicator: FormField = "", value: FormField = "", counts_from: FormField = "",
    due_on: FormField = "", label: FormField = "", programme: FormField = "",
    country: FormField = "", institution: FormField = "",
) -> Response:  # fmt: skip
    typed = {
        "indicator": indicator, "value": value, "counts_from": counts_from or None,
        "due_on": due_on or None, "label": label, "programme": programme or None,
        "country": country or None, "institution": institution or None,
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        projects.add_target(session, actor, code, TargetCreate.model_validate(typed))
    return _managed_after(request, session, actor, code, attempt, "target", typed)


@router.post("/reports/{code}/targets/{target_id}/delete")
def remove_target(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, code: Code,
    target_id: Id,
) -> Response:  # fmt: skip
    projects.remove_target(session, actor, code, target_id)
    return see_other(f"/reports/{code}/manage")


@router.post("/reports/{code}/readers")
def add_reader(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: Code,
    email: FormField = "", role: FormField = "", monthly: FormField = "",
) -> Response:  # fmt: skip
    typed = {"email": email, "role": role, "monthly": monthly == "1"}
    with attempt_form(request, session) as attempt:
        projects.add_reader(session, actor, code, ReaderCreate.model_validate(typed))
    return _managed_after(request, session, actor, code, attempt, "reader", typed)


@router.post("/reports/{code}/readers/{reader_id}/delete")
def remove_reader(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, code: Code,
    reader_id: Id,
) -> Response:  # fmt: skip
    projects.remove_reader(session, actor, code, reader_id)
    return see_other(f"/reports/{code}/manage")


routers = [router]

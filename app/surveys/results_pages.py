"""A survey's results page and its CSV download, for those who may manage the survey: a
chart per question drawn on the server (SVG, no JavaScript), the figures in a table beneath
it, a breakdown chosen with a plain GET form. Suppression is the service's: what it
withholds, these pages cannot show."""

from decimal import Decimal
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.charts import Bar, bar_chart
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.forms import attempt_form
from app.core.i18n import format_number, is_rtl
from app.core.inputs import Id
from app.core.web import render, request_locale
from app.surveys.results_export import BREAKDOWN_NAMES, MULTIPLE_NOTE, fewer_than, group_label
from app.surveys.results_export import results_csv as csv_of
from app.surveys.service.results import (
    Breakdown,
    BreakdownNotOffered,
    QuestionResults,
    SurveyResults,
    survey_results,
)

router = page_router()
ByField = Annotated[str, Query(max_length=24)]


def _breakdown(by: str) -> Breakdown | None:
    """The breakdown the form chose (none: the empty choice); an unknown one is refused."""
    if not by:
        return None
    try:
        return Breakdown(by)
    except ValueError:
        raise BreakdownNotOffered(field="by") from None


def _percent(value: Decimal, locale: str) -> str:
    return f"{format_number(value, locale)}%"


def _charts(locale: str) -> dict[str, object]:
    """What the template needs to draw a question's chart and write its percentages."""

    def chart(question: QuestionResults) -> Markup:
        bars = [
            Bar(f.label, f.percent, f"{format_number(f.count, locale)} "
                f"({_percent(f.percent, locale)})")
            for f in question.figures
        ]  # fmt: skip
        return bar_chart(question.text, bars, rtl=is_rtl(locale))

    return {"chart": chart, "percent": lambda value: _percent(value, locale)}


@router.get("/surveys/{survey_id}/results")
def results_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: PortalActor,
    _user: CurrentUser, survey_id: Id, by: ByField = "",
) -> Response:  # fmt: skip
    """A breakdown that is not offered shows the results without one, and says why."""
    with attempt_form(request, session) as attempt:
        results = survey_results(session, settings, actor, survey_id, _breakdown(by))
    if attempt.refused:
        results = survey_results(session, settings, actor, survey_id, None)
    locale = request_locale(request)
    context = {
        "results": results, "errors": attempt.errors, "by": by,
        "fewer": fewer_than(results.threshold, locale), "multiple_note": MULTIPLE_NOTE,
        "breakdown_names": BREAKDOWN_NAMES, "labels": _labels(results, locale),
        "csv_url": f"/surveys/{survey_id}/results.csv"
        + (f"?by={results.by.value}" if results.by else ""),
        **_charts(locale),
    }  # fmt: skip
    return render(request, "surveys/results.html", context, 400 if attempt.refused else 200)


def _labels(results: SurveyResults, locale: str) -> list[str]:
    if results.by is None:
        return []
    return [group_label(results.by, group, locale) for group in results.groups]


@router.get("/surveys/{survey_id}/results.csv")
def results_csv(
    request: Request, session: SessionDep, settings: SettingsDep, actor: PortalActor,
    _user: CurrentUser, survey_id: Id, by: ByField = "",
) -> Response:  # fmt: skip
    results = survey_results(session, settings, actor, survey_id, _breakdown(by))
    text, name = csv_of(results, request_locale(request))
    return Response(text, media_type="text/csv; charset=utf-8", headers=attachment_headers(name))


routers = [router]

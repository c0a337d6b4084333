"""A survey's results over the API, as JSON or CSV, for those who may manage the survey (its
owner, its course's teachers, the managers who reach it). Figures of fewer responses than
the threshold are never sent."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.i18n import negotiate
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.surveys.results_export import group_label, results_csv
from app.surveys.results_schemas import SurveyResultsRead, results_read
from app.surveys.service.results import Breakdown, survey_results

router = APIRouter(tags=["surveys"], route_class=DeferredRoute)
By = Annotated[
    Breakdown | None,
    Query(description="break the results down by this attribute of the responses"),
]
Language = Annotated[
    str, Query(max_length=8, description="language of the group names and of the CSV's words")
]


@router.get(
    "/surveys/{survey_id}/results",
    response_model=SurveyResultsRead,
    response_model_exclude_none=True,
)
def read_results(
    survey_id: Id, session: SessionDep, settings: SettingsDep, actor: SignedInApiActor,
    by: By = None, language: Language = "en",
) -> SurveyResultsRead:  # fmt: skip
    """The number of responses and, per question in order, the count and percentage of each
    option (of the respondents who answered it), a scale's mean, median and distribution,
    and the free-text answers. A survey, question or group of fewer responses than
    `threshold` is `"suppressed": true` with no figure. `by` breaks the results down by
    country, institution or profession where `breakdowns` offers it (else 422
    `breakdown_not_offered`): small groups are pooled as "other groups", and the smallest
    shown groups join the pool when it would be small, so no hidden group can be computed."""
    results = survey_results(session, settings, actor, survey_id, by)
    locale = negotiate(language, None)
    labels = [group_label(results.by, g, locale) for g in results.groups] if results.by else []
    return results_read(results, labels)


@router.get(
    "/surveys/{survey_id}/results.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the results as CSV"}},
)
def export_results(
    survey_id: Id, session: SessionDep, settings: SettingsDep, actor: SignedInApiActor,
    by: By = None, language: Language = "en",
) -> Response:  # fmt: skip
    """The results as CSV (UTF-8 with a byte-order mark): a row per option or point, a row of
    the respondents with the mean and median, each free-text answer in a row of its own. A
    suppressed survey or question is one row saying so; a cell a spreadsheet would run as a
    formula starts with an apostrophe."""
    results = survey_results(session, settings, actor, survey_id, by)
    text, name = results_csv(results, language)
    return Response(text, media_type="text/csv; charset=utf-8", headers=attachment_headers(name))


routers: list[APIRouter] = [router]

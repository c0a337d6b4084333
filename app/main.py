"""The application factory: settings, middleware, routers, static files and error handlers."""

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app import subscribers  # noqa: F401  (registers every domain's event subscribers)
from app.accounts import admin_pages, audit_api, audit_pages
from app.accounts import api as accounts_api
from app.accounts import pages as accounts_pages
from app.accounts.usage import ErrorCountingMiddleware
from app.assignments import api as assignments_api
from app.assignments import pages as assignments_pages
from app.core.config import Settings, get_settings, settings_of
from app.core.db import SessionDep
from app.core.idempotency import IdempotencyMiddleware
from app.core.logging import configure_logging
from app.core.middleware import (
    BodySizeLimitMiddleware,
    CompressionExceptDownloads,
    HeadAsGetMiddleware,
    NoStoreMiddleware,
    RefuseNulMiddleware,
    RequestIdMiddleware,
)
from app.core.openapi import PROBLEM_RESPONSES, describe_problems
from app.core.routes import DeferredRoute, skip_unmatchable_routers
from app.core.security import token_subject
from app.core.web import STATIC_DIR, install_error_handlers, listen_for_refusals
from app.courses import admin_pages as programme_pages
from app.courses import api as courses_api
from app.courses import authoring_pages, editing_pages, translation_pages, visibility_pages
from app.courses import pages as courses_pages
from app.credits import api as credits_api
from app.credits import pages as credits_pages
from app.enrolment import admin_pages as cohort_pages
from app.enrolment import api as enrolment_api
from app.enrolment import pages as enrolment_pages
from app.forums import api as forums_api
from app.forums import pages as forums_pages
from app.grades import api as grades_api
from app.grades import pages as grades_pages
from app.lti import routes as lti_routes
from app.messaging import api as messaging_api
from app.messaging import pages as messaging_pages
from app.notifications import api as notifications_api
from app.notifications import pages as notifications_pages
from app.portal import pages as portal_pages
from app.privacy import api as privacy_api
from app.privacy import pages as privacy_pages
from app.quizzes import api as quizzes_api
from app.quizzes import pages as quizzes_pages
from app.reporting import api as reporting_api
from app.reporting import pages as reporting_pages
from app.surveys import api as surveys_api
from app.surveys import pages as surveys_pages
from app.surveys import results_api as surveys_results_api
from app.surveys import results_pages as surveys_results_pages
from app.webhooks import api as webhooks_api
from app.webhooks import pages as webhook_pages
from app.webinars import api as webinars_api
from app.webinars import pages as webinar_pages

API_DESCRIPTION = """
The Agora API for partner universities and ministries: courses, enrolments, credits and
webinars. Authenticate with `POST /api/v1/auth/token` (OAuth 2 password grant for people,
client-credentials grant for partner systems) and send `Authorization: Bearer <token>`.
Errors are RFC 9457 `application/problem+json` documents with a stable `code`.
"""


class CachedStaticFiles(StaticFiles):
    """Fingerprinted URLs (`?v=`) never change content, so they may be cached for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Agora API",
        version="1.0",
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    # Innermost: it stores and replays the answers the routes give, before compression.
    app.state.settings = settings
    app.add_middleware(IdempotencyMiddleware, prefix="/api/v1/", identify=_caller)
    app.add_middleware(ErrorCountingMiddleware)  # partner clients' answers of 400 or more
    app.add_middleware(CompressionExceptDownloads, minimum_size=800)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(RefuseNulMiddleware)
    app.add_middleware(NoStoreMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(HeadAsGetMiddleware)  # outermost: everything inside sees a GET
    install_error_handlers(app)
    listen_for_refusals(app, audit_api.record_refusal)  # every 403 goes into the audit trail

    api = APIRouter(responses=PROBLEM_RESPONSES)
    for router in [
        *accounts_api.routers,
        *audit_api.routers,
        *courses_api.routers,
        *enrolment_api.routers,
        *webinars_api.routers,
        *grades_api.routers,
        *assignments_api.routers,
        *quizzes_api.routers,
        *credits_api.routers,
        *forums_api.routers,
        *messaging_api.routers,
        *notifications_api.routers,
        *surveys_api.routers,
        *surveys_results_api.routers,
        *reporting_api.routers,
        *privacy_api.routers,
        *webhooks_api.routers,
        *lti_routes.api_routers,
    ]:
        api.include_router(router)
    # The prefix is given here, not to APIRouter: included without one, FastAPI resolves every
    # route of the nested routers to check that no path is empty, then throws that work away.
    app.include_router(api, prefix="/api/v1")
    describe_problems(app)
    app.include_router(operations)
    app.include_router(accounts_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(courses_pages.router)
    app.include_router(authoring_pages.router)
    app.include_router(editing_pages.router)
    app.include_router(translation_pages.router)
    app.include_router(visibility_pages.router)
    app.include_router(enrolment_pages.router)
    app.include_router(cohort_pages.router)
    app.include_router(programme_pages.router)
    app.include_router(portal_pages.router)
    app.include_router(webinar_pages.router)
    for router in [
        *grades_pages.routers,
        *assignments_pages.routers,
        *quizzes_pages.routers,
        *credits_pages.routers,
        *forums_pages.routers,
        *messaging_pages.routers,
        *notifications_pages.routers,
        *surveys_pages.routers,
        *surveys_results_pages.routers,
        *reporting_pages.routers,
        *privacy_pages.routers,
        *webhook_pages.routers,
        *lti_routes.page_routers,
    ]:
        app.include_router(router)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    skip_unmatchable_routers(app)
    return app


def _caller(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    return token_subject(settings_of(scope["app"]), headers)


operations = APIRouter(tags=["operations"], route_class=DeferredRoute)


@operations.get("/healthz")
def healthz() -> JSONResponse:
    """The process is alive."""
    return JSONResponse({"status": "ok"})


@operations.get("/readyz")
def readyz(session: SessionDep) -> JSONResponse:
    """The database answers (if not: 503 with `Retry-After`, as for every request)."""
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ready"})

"""What every page and API route shares: templates per language, static URLs, safe redirects,
and the one mapping from errors to problem+json responses and error pages."""

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import anyio
from babel.dates import format_date
from babel.support import NullTranslations
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from app.core.config import PROJECT_DIR, get_settings
from app.core.db import refuse_request
from app.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
    TooManyRequests,
    Unauthenticated,
)
from app.core.i18n import (
    LANGUAGE_NAMES,
    N_,
    SUPPORTED_LOCALES,
    direction_of,
    format_number,
    format_when,
    is_rtl,
    negotiate,
    pickable_zones,
    plural_count,
    translations_for,
    zone_groups,
    zone_label,
)
from app.core.inputs import NulRefused
from app.core.markdown import render_markdown, without_title
from app.core.typography import typography

log = logging.getLogger("agora.errors")

TEMPLATES_DIR = PROJECT_DIR / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (Conflict, 409),
    (PreconditionFailed, 412),
    (Invalid, 422),
    (TooManyRequests, 429),
    (ServiceUnavailable, 503),
]
CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "validation_error",
}
# Seconds a client should wait before trying again while the database is unreachable
# (a PostgreSQL restart or fail-over takes a second or two).
DATABASE_RETRY_AFTER = 2


# --- templates -----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def static_url(name: str) -> str:
    """A fingerprinted URL, so the file can be cached for a year and still change."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def templates_for(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a new release outside development; checking each file's
        # time on every render cost 5% of a page.
        auto_reload=get_settings().agora_env == "development",
    )
    # The i18n extension adds this method at run time, so type checkers cannot see it.
    i18n_env: Any = env
    translations = translations_for(locale)
    i18n_env.install_gettext_translations(translations, newstyle=True)
    env.globals.update(
        _=_template_gettext(translations),
        ngettext=_template_ngettext(translations),
        static_url=static_url,
        locale=locale,
        rtl=is_rtl(locale),
        language_names=LANGUAGE_NAMES,
        content_attrs=content_attributes(locale),
        zone_groups=zone_groups(locale),
        pickable_zones=pickable_zones(),
        # `ngettext(…, plural_count(hours), …)` for a count that may be a decimal.
        plural_count=lambda value: plural_count(value, locale),
    )
    env.filters["typography"] = typography
    env.filters["without_title"] = without_title
    env.filters["markdown"] = render_markdown  # people's Markdown, sanitised: `|markdown|safe`
    return env


# `_()` and `ngettext()` as the i18n extension's new-style ones behave (the translation is
# markup and the variables are escaped into it; `%` always applies), called directly rather
# than through its two context look-ups a call: half the cost of the most frequent call.
def _template_gettext(translations: NullTranslations) -> Callable[..., str]:
    @pass_eval_context
    def gettext(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
        translated = translations.gettext(message)
        return (Markup(translated) if eval_ctx.autoescape else translated) % variables

    return gettext


def _template_ngettext(translations: NullTranslations) -> Callable[..., str]:
    @pass_eval_context
    def ngettext(
        eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", num)
        translated = translations.ngettext(singular, plural, num)
        return (Markup(translated) if eval_ctx.autoescape else translated) % variables

    return ngettext


def content_attributes(locale: str) -> Callable[[str | None], Markup]:
    """`content_attrs(language)` in templates: ` lang="en" dir="ltr"` on an element holding a
    course's own text when its language is not the interface's (an English course inside the
    Arabic interface reads left to right, in an English voice); nothing when they agree."""

    def attributes(language: str | None) -> Markup:
        if not language or language == locale:
            return Markup("")
        return Markup(' lang="%s" dir="%s"') % (language, direction_of(language))

    return attributes


def request_locale(request: Request) -> str:
    """Set by the portal context for signed-in users; otherwise cookie, then browser."""
    chosen = getattr(request.state, "locale", None)
    if chosen:
        return str(chosen)
    return negotiate(request.cookies.get("lang"), request.headers.get("accept-language"))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    locale = request_locale(request)
    page = templates_for(locale).get_template(template)
    state = request.state
    viewer = getattr(state, "viewer", None)
    zone_name = viewer.time_zone if viewer else "UTC"
    html = page.render(
        request=request,
        current_user=viewer,
        when=lambda moment: format_when(moment, zone_name, locale),
        zone_at=lambda moment, name: zone_label(moment, name, locale),
        format_day=lambda day: format_date(day, format="long", locale=locale),
        format_number=lambda value: format_number(value, locale),
        csrf_token=getattr(state, "csrf_token", ""),
        **(context or {}),
    )
    response = HTMLResponse(html, status_code=status)
    if status >= 400:
        refuse_request(request)  # whatever the page's handler wrote is undone
    new_key = getattr(state, "new_anonymous_key", None)
    if new_key:
        response.set_cookie(
            "agora_anon", new_key, httponly=True, samesite="lax", secure=_secure(request)
        )
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def see_other(url: str) -> RedirectResponse:
    """The answer to a successful form post (Post/Redirect/Get)."""
    return RedirectResponse(url, status_code=303)


# Pydantic's messages are English; forms show these instead, translated where shown.
_BY_TYPE = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("Use letters, digits, dots and dashes."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "decimal_parsing": N_("Enter a number."),
    "float_parsing": N_("Enter a number."),
    "decimal_max_digits": N_("This number has too many digits."),
    "decimal_max_places": N_("This number has too many decimals."),
    "greater_than": N_("This number is too small."),
    "greater_than_equal": N_("This number is too small."),
    "less_than": N_("This number is too large."),
    "less_than_equal": N_("This number is too large."),
    "date_parsing": N_("Enter a valid date."),
    "date_from_datetime_parsing": N_("Enter a valid date."),
    "datetime_parsing": N_("Enter a valid date and time."),
    "datetime_from_date_parsing": N_("Enter a valid date and time."),
    "enum": N_("Choose one of the offered values."),
    "bool_parsing": N_("Choose one of the offered values."),
    "literal_error": N_("Choose one of the offered values."),
    "url_parsing": N_("Enter a full address, such as https://example.org/…"),
    "url_scheme": N_("Enter a full address, such as https://example.org/…"),
    "string_nul": N_("Text may not contain the NUL character."),
    "int_out_of_range": N_("This number is too large."),
}  # fmt: skip
_BY_MESSAGE = {
    "email address": N_("Enter a valid e-mail address."),
    "IANA time zone": N_("Choose a time zone by its IANA name, such as Asia/Vientiane."),
    "language must be": N_("Choose one of the offered languages."),
    "ISO 3166-1": N_("Use the two-letter country code, such as LA, VN or MA."),
    "before starts_on": N_("The end is before the start."),
}


def _friendly(detail: ErrorDetails) -> str:
    message = str(detail["msg"])
    for fragment, friendly in _BY_MESSAGE.items():
        if fragment in message:
            return friendly
    return _BY_TYPE.get(detail["type"], message)


def field_errors(error: ValidationError | DomainError) -> dict[str, str]:
    """Messages keyed by field, for showing each beside its input (`form` when none)."""
    if isinstance(error, DomainError):
        return {error.field or "form": error.detail}
    return {str(e["loc"][0]) if e["loc"] else "form": _friendly(e) for e in error.errors()}


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: `//evil.example`, `https://…` and `\\evil` are refused."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


# --- errors --------------------------------------------------------------------------------


def _wants_problem(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An RFC 9457 problem for API clients, or a friendly page in the reader's language."""
    request_id = getattr(request.state, "request_id", "-")
    if not _wants_problem(request):
        page = render(
            request,
            "errors/error.html",
            {"status": status, "code": code, "detail": detail, "request_id": request_id},
            status=status,
        )
        page.headers.update(headers or {})
        return page
    body: dict[str, Any] = {
        "type": f"urn:agora:problem:{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail or title,
        "instance": request.url.path,
        "request_id": request_id,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_for(error: DomainError) -> int:
    return next((status for cls, status in STATUS_BY_ERROR if isinstance(error, cls)), 400)


# Called for every request answered 403 for a `Forbidden` error, once its transaction has
# rolled back, in a worker thread: what a domain registers (`listen_for_refusals`) to keep
# a trace of refused authorisations in a transaction of its own. A listener that fails is
# logged; the refusal is answered all the same.
RefusalListener = Callable[[Request, DomainError], None]
REFUSAL_LISTENERS = "refusal_listeners"


def listen_for_refusals(app: FastAPI, listener: RefusalListener) -> None:
    """Have `listener(request, error)` told of each request of `app` refused with 403."""
    listeners: list[RefusalListener] = getattr(app.state, REFUSAL_LISTENERS, [])
    if listener not in listeners:
        setattr(app.state, REFUSAL_LISTENERS, [*listeners, listener])


async def _tell_refusal_listeners(request: Request, error: DomainError) -> None:
    for listener in getattr(request.app.state, REFUSAL_LISTENERS, ()):
        with anyio.CancelScope(shield=True):  # a caller gone was still refused
            try:
                await run_in_threadpool(listener, request, error)
            except Exception:  # the refusal is answered whatever became of its record
                log.exception("refusal listener %s failed", getattr(listener, "__name__", "?"))


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    if status == 403:
        await _tell_refusal_listeners(request, exc)
    if status == 401 and not _wants_problem(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    headers = retry_headers(exc)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return problem(request, status, exc.code, exc.title, exc.detail, errors, headers)


def retry_headers(error: DomainError) -> dict[str, str]:
    """`Retry-After` when the error knows when trying again may succeed; for pages that
    answer an error themselves as well as for the handler."""
    if error.retry_after_seconds is None:
        return {}
    return {"Retry-After": str(max(1, error.retry_after_seconds))}


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field_name(error), "message": str(error["msg"])} for error in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "validation_error", "Some input is not valid.", detail, errors)


def _field_name(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return "body"
    return ".".join(str(part) for part in error["loc"] if part != "body") or "body"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = CODE_BY_STATUS.get(exc.status_code, "http_error")
    title = str(exc.detail) if exc.status_code != 404 else "Not found."
    detail = title if isinstance(exc, NulRefused) else None  # a message for people, translated
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and _wants_problem(request):
        headers["Allow"] = ", ".join(documented_methods(request.app, request.url.path))
    return problem(request, exc.status_code, code, title, detail, headers=headers)


def documented_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the OpenAPI document gives this path. Starlette's own `Allow` names only
    the first route that matches it, when `GET` and `PATCH` are declared apart. As OpenAPI
    says, a concrete path wins over a templated one (`/documents/verify` over
    `/documents/{id}`): only the templates with the fewest parameters count."""
    matches = [
        (template.count("{"), operations)
        for template, operations in app.openapi()["paths"].items()
        if _path_pattern(template, _integer_parameters(operations)).fullmatch(path)
    ]
    fewest = min((count for count, _ in matches), default=0)
    return sorted({method.upper() for count, ops in matches if count == fewest for method in ops})


def _integer_parameters(operations: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        parameter["name"]
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["schema"].get("type") == "integer"
    )


@lru_cache(maxsize=512)
def _path_pattern(template: str, integers: frozenset[str]) -> re.Pattern[str]:
    def segment(match: re.Match[str]) -> str:
        return r"\d+" if match.group(1) in integers else "[^/]+"

    return re.compile(re.sub(r"\\\{(\w+)\\\}", segment, re.escape(template)))


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """The database dropped the connection or does not answer (a restart, a fail-over, a
    lock held too long): a 503 the client may retry, on a connection that stays open."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem(
        request,
        503,
        "database_unavailable",
        "The database is briefly unavailable; try again in a moment.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
    )


async def _database_refused(request: Request, exc: Exception) -> Response:
    """A safety net: input the edge checks should have refused reached the database. A
    missing row that another refers to is a 404; a value it cannot hold, a 422; a
    duplicate, a 409. Logged, because each is a check missing in a service or a schema."""
    log.warning("database refused input on %s %s: %s", request.method, request.url.path, exc)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return await _database_unavailable(request, exc)
    if isinstance(exc, IntegrityError) and _is_foreign_key_violation(exc):
        return problem(request, 404, "not_found", "Something this refers to does not exist.")
    if isinstance(exc, IntegrityError):
        return problem(request, 409, "conflict", "This conflicts with the current state.")
    if isinstance(exc, DataError):
        return problem(request, 422, "validation_error", "A value is out of range or invalid.")
    return await _unexpected_error(request, exc)


def _is_foreign_key_violation(error: IntegrityError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)  # PostgreSQL (psycopg)
    return sqlstate == "23503" or "FOREIGN KEY constraint failed" in str(error.orig)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    # Sent by the outermost middleware, past the one that adds the header to other replies.
    request_id = getattr(request.state, "request_id", "-")
    return problem(
        request,
        500,
        "internal_error",
        "Something went wrong on our side.",
        "The error was logged; quote the request id if you report it.",
        headers={"X-Request-ID": request_id},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    # Database errors get handlers of their own: Starlette answers a handler registered for
    # `Exception` and then re-raises, so the server drops the keep-alive connection.
    for unavailable in (OperationalError, InterfaceError, SQLAlchemyTimeoutError):
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(DBAPIError, _database_refused)
    app.add_exception_handler(Exception, _unexpected_error)

"""Routes that are resolved once, where they are served.

FastAPI resolves a route (its dependencies' signatures, its body and response models) when it
is declared, and again for every router that includes it: the application serves the copy
made for the inclusion, so the first resolution, some 500 routes at import, only slowed each
worker's start-up. A `DeferredRoute` keeps what it was declared with and leaves the
resolution to its inclusion (or to the first use of the route itself, if it is served
without one)."""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi._form_limits import _validate_form_limits
from fastapi.routing import APIRoute, _IncludedRouter
from starlette._utils import get_route_path
from starlette.routing import Match, get_name
from starlette.types import Scope


class DeferredRoute(APIRoute):
    """An APIRoute whose own resolution waits until one of its resolved attributes is read.

    What an inclusion copies from the route is set at once, as declared, and the inclusion
    resolves it in its own context as FastAPI does for any route: the response model from the
    return annotation, the description from the docstring. A declaration error (an unknown
    type, a path parameter missing from the signature) is raised by that resolution: by the
    first request or the OpenAPI document rather than at import, and the tests build both."""

    _declared: tuple[str, Callable[..., Any], dict[str, Any]]

    def __init__(self, path: str, endpoint: Callable[..., Any], **declared: Any) -> None:
        self._declared = (path, endpoint, declared)
        methods = declared.get("methods")
        name = declared.get("name")
        self.path = path
        self.endpoint = endpoint
        self.name = get_name(endpoint) if name is None else name
        self.methods = {method.upper() for method in (["GET"] if methods is None else methods)}
        self.form_limits = _validate_form_limits(declared.get("form_limits"))
        self.stream_item_type = None
        for option in _COPIED_AS_DECLARED:
            if option in declared:
                setattr(self, option, declared[option])
        self.tags = declared.get("tags") or []
        self.dependencies = list(declared.get("dependencies") or [])
        self.responses = declared.get("responses") or {}

    def __getattr__(self, attribute: str) -> Any:
        """Called only for what is not set yet: resolve the route as APIRoute would have."""
        declared = self.__dict__.pop("_declared", None) if attribute[:2] != "__" else None
        if declared is None:
            raise AttributeError(attribute)
        path, endpoint, options = declared
        try:
            APIRoute.__init__(self, path, endpoint, **options)
        except BaseException:
            self._declared = declared
            raise
        return getattr(self, attribute)


# What an inclusion reads from the route, besides the above, and normalises itself.
_COPIED_AS_DECLARED = (
    "response_model", "status_code", "summary", "description", "response_description",
    "deprecated", "operation_id", "response_model_include", "response_model_exclude",
    "response_model_by_alias", "response_model_exclude_unset", "response_model_exclude_defaults",
    "response_model_exclude_none", "include_in_schema", "response_class",
    "dependency_overrides_provider", "callbacks", "openapi_extra", "generate_unique_id_function",
    "strict_content_type", "max_body_size",
)  # fmt: skip


# --- matching ------------------------------------------------------------------------------

# FastAPI tries every route of every included router in turn, each with a regular expression
# and some bookkeeping, and does it twice for the router that answers: some 500 routes, a
# sixth of a page's time. A router whose paths cannot start as the request's does is skipped
# here on the first segments of the path, before any of that.

_DEPTH = 3  # /api/v1/courses: the API's routers differ by their third segment
_ANY = ()  # the key of a route whose first segment is a parameter: it may match any path


class _GuardedRouter(_IncludedRouter):
    """An inclusion that answers "no match" at once for a path none of its routes can take."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not self._may_match(get_route_path(scope)):
            return Match.NONE, {}
        return super().matches(scope)

    def effective_candidates(self) -> list[Any]:
        candidates = super().effective_candidates()
        for candidate in candidates:
            if type(candidate) is _IncludedRouter:
                candidate.__class__ = _GuardedRouter
        return candidates

    def _may_match(self, path: str) -> bool:
        keys = self.__dict__.get("_route_keys")
        if keys is None:  # from the paths as declared: nothing is resolved for it
            keys = self.__dict__["_route_keys"] = frozenset(
                _paths_keys(self.original_router, self.include_context.prefix)
            )
        if _ANY in keys:
            return True
        segments = tuple(path.split("/", _DEPTH + 1)[1 : _DEPTH + 1])
        return any(segments[:length] in keys for length in range(len(segments), 0, -1))


def _paths_keys(router: APIRouter, prefix: str) -> Iterator[tuple[str, ...]]:
    for route in router.routes:
        if isinstance(route, _IncludedRouter):
            yield from _paths_keys(route.original_router, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield _leading_literals(prefix + route.path)
        else:
            yield _ANY  # a mount or a plain Starlette route: always tried


def _leading_literals(path: str) -> tuple[str, ...]:
    """The first segments of a route's path, up to its first parameter."""
    literals: list[str] = []
    for segment in path.split("/")[1 : _DEPTH + 1]:
        if "{" in segment:
            break
        literals.append(segment)
    return tuple(literals)


def skip_unmatchable_routers(app: FastAPI) -> None:
    """Let each router included in `app` (and in them) refuse a path it cannot match."""
    for route in app.router.routes:
        if type(route) is _IncludedRouter:
            route.__class__ = _GuardedRouter

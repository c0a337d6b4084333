"""A DeferredRoute is served, documented and refused exactly as an APIRoute declared the same
way; it is only resolved later, once, by the router that serves it."""

import re
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, FastAPI, Form, Path
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, _IncludedRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.routing import Match

from app.core.routes import DeferredRoute, _GuardedRouter
from app.main import create_app
from tests.conftest import test_settings


class Item(BaseModel):
    id: int
    name: str


class ItemIn(BaseModel):
    name: str


def _declare(router: APIRouter) -> None:
    @router.get("/items/{item_id}", responses={404: {"description": "No such item."}})
    def read_item(item_id: Annotated[int, Path(ge=1)]) -> Item:
        """One item.\f Not for the OpenAPI document."""
        return Item(id=item_id, name=f"item {item_id}")

    @router.post("/items", status_code=201, response_model=Item, tags=["writing"])
    def create_item(item: ItemIn) -> dict[str, Any]:
        return {"id": 1, "name": item.name, "secret": "never shown"}

    @router.post("/forms", response_class=HTMLResponse, include_in_schema=False)
    def post_form(title: Annotated[str, Form(max_length=5)]) -> str:
        return f"<p>{title}</p>"


def _app(route_class: type[APIRoute], *, included: bool) -> FastAPI:
    app = FastAPI()
    if included:
        router = APIRouter(prefix="/v1", tags=["items"], route_class=route_class)
        _declare(router)
        app.include_router(router, prefix="/api")
    else:
        app.router.route_class = route_class
        _declare(app.router)
    return app


def _exchanges(app: FastAPI, prefix: str) -> list[tuple[int, str]]:
    client = TestClient(app)
    answers = [
        client.get(f"{prefix}/items/3"),
        client.get(f"{prefix}/items/0"),
        client.get(f"{prefix}/items/x"),
        client.post(f"{prefix}/items", json={"name": "new"}),
        client.post(f"{prefix}/items", json={}),
        client.post(f"{prefix}/forms", data={"title": "short"}),
        client.post(f"{prefix}/forms", data={"title": "far too long"}),
        client.delete(f"{prefix}/items/3"),
    ]
    return [(answer.status_code, answer.text) for answer in answers]


@pytest.mark.parametrize("included", [True, False], ids=["included", "served directly"])
def test_a_deferred_route_answers_and_is_documented_as_an_api_route(included: bool):
    prefix = "/api/v1" if included else ""
    plain, deferred = _app(APIRoute, included=included), _app(DeferredRoute, included=included)

    assert _exchanges(deferred, prefix) == _exchanges(plain, prefix)
    assert deferred.openapi() == plain.openapi()
    assert deferred.url_path_for("read_item", item_id=3) == f"{prefix}/items/3"


def test_an_included_route_is_resolved_by_its_inclusion_only():
    app = _app(DeferredRoute, included=True)

    app.openapi()
    TestClient(app).get("/api/v1/items/3")

    routes = app.routes[-1].original_router.routes
    assert len(routes) == 3
    assert all("_declared" in route.__dict__ for route in routes)


def test_a_route_read_outside_an_inclusion_resolves_itself_once():
    router = APIRouter(route_class=DeferredRoute)
    _declare(router)
    route = router.routes[0]
    assert isinstance(route, DeferredRoute)

    assert route.path == "/items/{item_id}"
    assert route.methods == {"GET"}
    assert "_declared" in route.__dict__  # what it was declared with needs no resolution
    assert route.response_field is not None  # resolved on first read, as APIRoute does
    assert route.description == "One item."
    assert "_declared" not in route.__dict__


def test_a_declaration_error_is_raised_when_the_route_is_resolved():
    router = APIRouter(route_class=DeferredRoute)

    @router.get("/tags/{tags}")
    def by_tags(tags: list[int]) -> list[int]:  # a path parameter cannot be a list
        return tags

    app = FastAPI()
    app.include_router(router, prefix="/api")

    with pytest.raises(AssertionError, match="Path params"):
        app.openapi()


# --- routers that cannot match are skipped --------------------------------------------------


def _answering_route(app: FastAPI, path: str, method: str) -> Any:
    """The route that would answer, as FastAPI chooses it (first full match, else the first
    partial one, i.e. a 405), followed down through the included routers."""
    scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
    chosen: tuple[Any, Any] | None = None
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            chosen = (match, route)
            break
        if match == Match.PARTIAL and chosen is None:
            chosen = (match, route)
    route = chosen[1] if chosen else None
    while isinstance(route, _IncludedRouter):
        _, _, route, context = route._match(scope)
        route = context.original_route if context is not None else route
    return route


def _sample_paths(app: FastAPI) -> list[str]:
    paths = {"/", "/nowhere", "/api/v1/nowhere", "/api", "/courses", "/courses/", "/admin/"}
    for route in app.routes:
        for context in getattr(route, "effective_route_contexts", list)():
            path = re.sub(r"\{[^}:]+(:path)?\}", "7", context.path_format)
            paths |= {path, path + "/", path.rsplit("/", 1)[0] or "/"}
    return sorted(paths)


def test_skipping_routers_that_cannot_match_changes_no_answer(shared_app: FastAPI):
    unguarded = create_app(test_settings())
    for route in unguarded.router.routes:
        if isinstance(route, _IncludedRouter):
            route.__class__ = _IncludedRouter
    checked = 0
    for path in _sample_paths(unguarded):
        for method in ("GET", "POST", "DELETE"):
            expected = _answering_route(unguarded, path, method)
            found = _answering_route(shared_app, path, method)
            assert getattr(found, "endpoint", found) is getattr(expected, "endpoint", expected), (
                method, path)  # fmt: skip
            checked += expected is not None
    assert checked > 500, checked  # every route of the application, reached by its own paths


def test_a_router_refuses_a_path_none_of_its_routes_can_take(shared_app: FastAPI):
    routers = [r for r in shared_app.router.routes if isinstance(r, _GuardedRouter)]
    api = next(r for r in routers if r.include_context.prefix == "/api/v1")
    scope = {"type": "http", "method": "GET"}
    assert api.matches({**scope, "path": "/courses/ABC"})[0] == Match.NONE
    assert api.matches({**scope, "path": "/api/v1/courses"})[0] == Match.FULL

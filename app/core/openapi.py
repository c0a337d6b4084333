"""What the OpenAPI document says about failures: every API operation may answer these RFC 9457
problems (`application/problem+json`), so partner developers and schemathesis know them."""

from typing import Any

from fastapi import FastAPI

from app.core.idempotency import declare_header

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem; `code` is stable, `title` and `detail` are for people.",
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:agora:problem:not_found"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "examples": ["not_found", "validation_error", "conflict"]},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "One entry per refused input, named by its field.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}

_WHEN = {
    400: "The request could not be read (a malformed form or upload, a bad grant).",
    401: "No valid bearer token; sign in first (`WWW-Authenticate: Bearer`).",
    403: "The caller may see this object but not do this to it.",
    404: "No such object, or one the caller may not see.",
    409: "The request conflicts with the current state (a duplicate, a full course…).",
    412: "`If-Match` names a version that is no longer current.",
    413: "The body or the file is larger than allowed.",
    422: "Some input is not valid; `errors` names each field.",
    429: "Too many attempts; wait `Retry-After` seconds.",
    503: "The database or a service Agora depends on is briefly unavailable; retry after "
    "`Retry-After` seconds.",
}


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _WHEN[status],
        "content": {"application/problem+json": {"schema": {"$ref": _PROBLEM_REF}}},
    }
    if status in (429, 503):
        response["headers"] = _RETRY_AFTER
    return response


_PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: _problem_response(status) for status in _WHEN
}


def describe_problems(app: FastAPI) -> None:
    """Add the `Problem` schema that `PROBLEM_RESPONSES` refers to to the OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
                PROBLEM_SCHEMA
            )
            declare_header(document, "/api/v1/", skip=("/api/v1/auth/",))
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

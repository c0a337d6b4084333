"""What every input obeys, checked once at the edge so no bad value reaches the database:
ids and integers within the range of an `integer` column, no NUL character in any text,
datetimes with a zone, and partial updates that cannot set a required column to null."""

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, cast

from annotated_types import Interval
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException

from app.core.i18n import N_

# Integer columns are PostgreSQL `integer` (int4); SQLite refuses anything past 2**63.
MAX_INT = 2**31 - 1
MIN_INT = -(2**31)

Id = Annotated[int, Interval(ge=1, le=MAX_INT)]
"""A row id in a path, query or form: out of range is a 422, never a database error."""

UTCDatetime = AwareDatetime
"""An instant: `2026-12-01T09:00:00Z` or with an offset; a time without a zone is refused."""

NUL = "\x00"
NUL_REFUSED = N_("Text may not contain the NUL character.")


class NulRefused(HTTPException):
    """A NUL character in a form: an HTTPException, so FastAPI's body parsing lets it through.
    A 422 problem for the API, a 400 page with the message for the portal."""

    def __init__(self, status_code: int) -> None:
        super().__init__(status_code, NUL_REFUSED)


def _refuse_nul(value: str) -> str:
    if NUL in value:
        raise PydanticCustomError("string_nul", NUL_REFUSED)
    return value


def _check_value(value: object) -> None:
    """NUL-free text and int4-sized integers, inside lists and mappings too."""
    if isinstance(value, str):
        _refuse_nul(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        if not MIN_INT <= value <= MAX_INT:
            raise PydanticCustomError(
                "int_out_of_range",
                "Whole numbers must lie between {low} and {high}.",
                {"low": MIN_INT, "high": MAX_INT},
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_value(key)
            _check_value(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_value(item)


def _bound_integers(schema: dict[str, Any]) -> None:
    """Say in the OpenAPI document what `_check_value` enforces."""
    if schema.get("type") == "integer":
        schema["maximum"] = min(schema.get("maximum", MAX_INT), MAX_INT)
        schema["minimum"] = max(schema.get("minimum", MIN_INT), MIN_INT)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            _bound_integers(option)
    if isinstance(schema.get("items"), dict):
        _bound_integers(schema["items"])


def _document_input_rules(schema: JsonDict, model: type[Any]) -> None:
    properties = cast(dict[str, dict[str, Any]], schema.get("properties", {}))
    for name, field_schema in properties.items():
        _bound_integers(field_schema)
        if issubclass(model, Patch) and name not in model.nullable:
            _drop_null(field_schema)


def _drop_null(schema: dict[str, Any]) -> None:
    options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
    if "anyOf" in schema and len(options) < len(schema["anyOf"]):
        if len(options) == 1:
            del schema["anyOf"]
            schema.update(options[0])
        else:
            schema["anyOf"] = options
    if schema.get("default", 0) is None:
        del schema["default"]


class StrictInput(BaseModel):
    """Unknown fields are refused, so `{"platform_role": "admin"}` is an error, not ignored;
    text with a NUL character and integers beyond an `integer` column are refused too."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra=_document_input_rules
    )

    @field_validator("*", mode="after")
    @classmethod
    def _fits_the_database(cls, value: Any) -> Any:
        _check_value(value)
        return value


class Patch(StrictInput):
    """A partial update: a field left out keeps its value. Only the fields named in `nullable`
    may be sent as `null` (to clear them); `null` for any other field is a 422."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError(
                "null_not_allowed", "May not be null; leave the field out to keep its value."
            )
        return value

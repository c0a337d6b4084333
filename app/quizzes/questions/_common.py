"""What several question types share: reading fractions, texts and feedback from a definition,
and the form fields of a response."""

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.quizzes.questions.types import FormValues

# Moodle keeps seven decimals (a third is 0.3333333); sums within this of 1 count as 1.
PLACES = Decimal("0.0000001")
SUM_SLACK = Decimal("0.01")
MAX_TEXT = 2000
MAX_ITEMS = 50


def fraction(value: object, where: str, *, low: Decimal = Decimal(-1)) -> Decimal:
    """A fraction of the mark in [low, 1], from a number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid(N_("A fraction must be a number between -1 and 1."), field=where)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(N_("A fraction must be a number between -1 and 1."), field=where) from None
    if not number.is_finite() or not low <= number <= 1:
        raise Invalid(N_("A fraction must be a number between -1 and 1."), field=where)
    return number.quantize(PLACES).normalize()


def number(value: object, where: str) -> Decimal:
    """A finite decimal number, from a number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid(N_("This must be a number."), field=where)
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(N_("This must be a number."), field=where) from None
    if not parsed.is_finite() or abs(parsed) > Decimal("1e15"):
        raise Invalid(N_("This must be a number."), field=where)
    return parsed


def text(value: object, where: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    """A text of at most `limit` characters; blank refused when `required`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(N_("This must be text."), field=where)
    cleaned = value.strip()
    if required and not cleaned:
        raise Invalid(N_("This cannot be empty."), field=where)
    if len(cleaned) > limit:
        raise Invalid(N_("This text is too long."), field=where)
    return cleaned


def items(definition: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    """A list of objects under `key` (choices, answers, pairs), at most MAX_ITEMS."""
    found = definition.get(key)
    if not isinstance(found, list) or not all(isinstance(item, Mapping) for item in found):
        raise Invalid(N_("This must be a list."), field=key)
    if len(found) > MAX_ITEMS:
        raise Invalid(N_("Too many entries."), field=key)
    return found


def flag(definition: Mapping[str, Any], key: str, default: bool) -> bool:
    found = definition.get(key, default)
    if not isinstance(found, bool):
        raise Invalid(N_("This must be true or false."), field=key)
    return found


def require_mapping(definition: object) -> Mapping[str, Any]:
    if not isinstance(definition, Mapping):
        raise Invalid(N_("The definition must be an object."), field="definition")
    return definition


def feedback_html(markdown: str) -> str:
    return render_markdown(markdown) if markdown else ""


def first(form: FormValues, name: str) -> str | None:
    values = form.get(name) or ()
    return values[0] if values else None


def clip(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))

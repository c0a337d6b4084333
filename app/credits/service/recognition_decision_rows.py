"""The decision as a page's form sends it: one row per requested course, in parallel lists
(course, outcome, credits as typed, outcomes still to take, reason), read into the items the
decision service takes. Credits accept a comma or a dot and at most one decimal."""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from app.core.errors import Invalid
from app.core.i18n import N_
from app.credits.recognition_models import Outcome
from app.credits.service.recognition_decision import ItemDecision

NOT_A_NUMBER = N_("Enter a number of credits, with at most one decimal.")
TENTH = Decimal("0.1")


def typed_credits(text: str) -> Decimal | None:
    """`"2,5"` → 2.5; blank → None."""
    if not text.strip():
        return None
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise Invalid(NOT_A_NUMBER, field="items") from exc
    if not value.is_finite() or value != value.quantize(TENTH):
        raise Invalid(NOT_A_NUMBER, field="items")
    return value


def items_from_rows(
    course_ids: Sequence[int], outcomes: Sequence[str], credits: Sequence[str],
    remaining: Sequence[str], reasons: Sequence[str],
) -> list[ItemDecision]:  # fmt: skip
    """The rows of the form as decision items; rows of unequal length are refused."""
    columns = (course_ids, outcomes, credits, remaining, reasons)
    if len({len(column) for column in columns}) != 1:
        raise Invalid(N_("Decide on each requested course once."), field="items")
    if any(o not in {choice.value for choice in Outcome} for o in outcomes):
        raise Invalid(N_("Choose full, partial or refused."), field="items")
    return [
        ItemDecision(course_id=c, outcome=Outcome(o), credits=typed_credits(k),
                     remaining_outcomes=r, reason=why)
        for c, o, k, r, why in zip(*columns, strict=True)
    ]  # fmt: skip

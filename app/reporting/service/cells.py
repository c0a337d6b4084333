"""Events tallied into cells, and the cells a reader may see: a cell built on fewer people
than the threshold is hidden, with as many others as it takes that no hidden cell can be
computed back from the total (complementary suppression). A share of refugee learners is
special-category data: its cell is shown only when the refugees and the other learners are
each at least the threshold, and the same complementary rule holds for both."""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.core.suppression import complementary_suppression
from app.reporting.models import Indicator
from app.reporting.service.indicators import NOT_ABOUT_PEOPLE, SHARES, Event

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Tally:
    people: int
    amount: Decimal
    refugees: int

    @property
    def others(self) -> int:
        return self.people - self.refugees


@dataclass(frozen=True)
class Cell:
    key: Hashable
    value: Decimal | None  # None: hidden


def _refugees(counted: Tally) -> int:
    return counted.refugees


def _others(counted: Tally) -> int:
    return counted.others


_SHARE_SIZES: tuple[Callable[[Tally], int], ...] = (_refugees, _others)


def tally(found: Iterable[Event]) -> Tally:
    events = list(found)
    people = {id(e.learner): e.learner for e in events if e.learner is not None}
    refugees = sum(1 for learner in people.values() if learner.refugee)
    return Tally(len(people), sum((e.amount for e in events), Decimal(0)), refugees)


def value_of(indicator: Indicator, counted: Tally) -> Decimal:
    if indicator in SHARES:
        if not counted.people:
            return Decimal(0)
        share = Decimal(100 * counted.refugees) / counted.people
        return share.quantize(TENTH, ROUND_HALF_UP)
    return counted.amount.quantize(TENTH, ROUND_HALF_UP)


def _hidden_keys(
    indicator: Indicator, tallies: Mapping[Hashable, Tally], threshold: int
) -> set[Hashable]:
    if indicator in NOT_ABOUT_PEOPLE:
        return set()
    if indicator not in SHARES:
        return set(
            complementary_suppression({k: t.people for k, t in tallies.items()}, threshold)[1]
        )
    hidden: set[Hashable] = set()
    for size in _SHARE_SIZES:
        hidden |= set(
            complementary_suppression({k: size(t) for k, t in tallies.items()}, threshold)[1]
        )
    return _widened(tallies, hidden, threshold)


def _widened(
    tallies: Mapping[Hashable, Tally], hidden: set[Hashable], threshold: int
) -> set[Hashable]:
    """Hiding for one count can leave the other's hidden total small: hide the next smallest
    shown cell until neither is."""
    while True:
        small = any(0 < sum(size(tallies[k]) for k in hidden) < threshold for size in _SHARE_SIZES)
        shown = sorted(
            (k for k in tallies if k not in hidden), key=lambda k: (tallies[k].people, str(k))
        )
        if not small or not shown:
            return hidden
        hidden.add(shown[0])


def cells(indicator: Indicator, tallies: Mapping[Hashable, Tally], threshold: int) -> list[Cell]:
    hidden = _hidden_keys(indicator, tallies, threshold)
    return [
        Cell(key, None if key in hidden else value_of(indicator, counted))
        for key, counted in tallies.items()
    ]


def single(indicator: Indicator, counted: Tally, threshold: int) -> Cell:
    """A figure on its own (a total, a target's progress)."""
    return cells(indicator, {None: counted}, threshold)[0]

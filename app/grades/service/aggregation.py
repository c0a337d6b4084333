"""Course totals, computed the way Moodle does, as pure functions (no database).

Each entry of a category (an item or a sub-category) is first normalised to a fraction of its
own maximum. Empty grades are left out (`exclude_empty`) or count as 0; then the `drop_lowest`
lowest are dropped (at least one entry is always kept). A category's total is:
- weighted mean: the mean of the fractions weighted by each entry's weight, out of 100;
- mean: their plain mean, out of 100;
- highest: the best fraction, out of 100;
- natural: the sum of the points out of the sum of the maxima.
A sub-category takes part in its parent as its total out of its own maximum. Overrides count:
callers pass each grade's final points (`Grade.final_points`)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.grades.models import Aggregation

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Entry:
    """One graded thing in a category: its points (None when empty), maximum and weight."""

    points: Decimal | None
    max_points: Decimal
    weight: Decimal = Decimal(1)

    @property
    def fraction(self) -> Decimal:
        return (self.points or Decimal(0)) / self.max_points


@dataclass(frozen=True)
class Rule:
    aggregation: Aggregation = Aggregation.WEIGHTED_MEAN
    drop_lowest: int = 0
    exclude_empty: bool = True


@dataclass(frozen=True)
class Total:
    """A category's total: points out of a maximum (points None when nothing counts)."""

    points: Decimal | None
    max_points: Decimal

    @property
    def percent(self) -> Decimal | None:
        if self.points is None or not self.max_points:
            return None
        return self.points * HUNDRED / self.max_points


def counted(entries: Sequence[Entry], rule: Rule) -> list[Entry]:
    """The entries that count: with a maximum, empties left out or made 0, lowest dropped."""
    kept = [e for e in entries if e.max_points > 0]
    if rule.exclude_empty:
        kept = [e for e in kept if e.points is not None]
    else:
        kept = [
            e if e.points is not None else Entry(Decimal(0), e.max_points, e.weight) for e in kept
        ]
    drop = min(max(rule.drop_lowest, 0), max(len(kept) - 1, 0))
    if drop:
        ranked = sorted(range(len(kept)), key=lambda i: (kept[i].fraction, i))
        dropped = set(ranked[:drop])
        kept = [e for i, e in enumerate(kept) if i not in dropped]
    return kept


def aggregate(entries: Sequence[Entry], rule: Rule) -> Total:
    """The total of a category's entries under its rule (see the module's text)."""
    kept = counted(entries, rule)
    if rule.aggregation is Aggregation.NATURAL:
        maximum = sum((e.max_points for e in kept), Decimal(0))
        if not kept:
            maximum = sum((e.max_points for e in entries if e.max_points > 0), Decimal(0))
            return Total(None, maximum)
        return Total(sum((e.points or Decimal(0) for e in kept), Decimal(0)), maximum)
    fraction = _fraction(kept, rule.aggregation)
    return Total(None if fraction is None else fraction * HUNDRED, HUNDRED)


def _fraction(kept: Sequence[Entry], aggregation: Aggregation) -> Decimal | None:
    if not kept:
        return None
    if aggregation is Aggregation.HIGHEST:
        return max(e.fraction for e in kept)
    if aggregation is Aggregation.MEAN:
        return sum((e.fraction for e in kept), Decimal(0)) / len(kept)
    weights = sum((e.weight for e in kept if e.weight > 0), Decimal(0))
    if not weights:
        return None
    return sum((e.fraction * e.weight for e in kept if e.weight > 0), Decimal(0)) / weights


@dataclass(frozen=True)
class Node:
    """A category of the tree: its rule, its weight in its parent, its items' entries and its
    sub-categories."""

    rule: Rule
    weight: Decimal = Decimal(1)
    entries: tuple[Entry, ...] = ()
    children: tuple["Node", ...] = ()


def total_of(node: Node) -> Total:
    """A nested category's total: each sub-category counts as its total out of its maximum."""
    entries = list(node.entries)
    for child in node.children:
        total = total_of(child)
        entries.append(Entry(total.points, total.max_points, child.weight))
    return aggregate(entries, node.rule)


@dataclass(frozen=True)
class Tree:
    """The shape of a course's gradebook, for building each learner's `Node` cheaply."""

    rules: Mapping[int, Rule]
    weights: Mapping[int, Decimal]
    parents: Mapping[int, int | None]
    items: Mapping[int, tuple[int, Decimal, Decimal]]  # item id → (category id, max, weight)


def learner_total(tree: Tree, root_id: int, points: Mapping[int, Decimal | None]) -> Total:
    """A learner's course total from their final points per item id (missing: empty)."""
    by_category: dict[int, list[Entry]] = {c: [] for c in tree.rules}
    for item_id, (category_id, maximum, weight) in tree.items.items():
        by_category[category_id].append(Entry(points.get(item_id), maximum, weight))
    return total_of(_node(tree, root_id, by_category))


def _node(tree: Tree, category_id: int, entries: Mapping[int, list[Entry]]) -> Node:
    children = tuple(
        _node(tree, child, entries)
        for child, parent in sorted(tree.parents.items())
        if parent == category_id
    )
    return Node(
        tree.rules[category_id], tree.weights[category_id], tuple(entries[category_id]), children
    )

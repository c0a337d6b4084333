"""The course total as Moodle computes it: each aggregation, dropped lowest grades, empty
grades left out or counted as 0, nested categories, and how a total reads on a scale."""

from decimal import Decimal as D

import pytest

from app.grades.models import Aggregation, Display, Scale, ScaleLevel
from app.grades.service.aggregation import (
    Entry,
    Node,
    Rule,
    Tree,
    aggregate,
    learner_total,
    total_of,
)
from app.grades.service.display import level_for, show

WEIGHTED = Rule(Aggregation.WEIGHTED_MEAN)


def test_weighted_mean_weighs_each_fraction() -> None:
    entries = [Entry(D(15), D(20), D(2)), Entry(D(5), D(10), D(1))]
    # (0.75 * 2 + 0.5 * 1) / 3 = 0.6667
    total = aggregate(entries, WEIGHTED)
    assert total.max_points == 100
    assert total.points is not None
    assert round(total.points, 2) == D("66.67")


def test_mean_ignores_weights() -> None:
    entries = [Entry(D(15), D(20), D(5)), Entry(D(5), D(10), D(1))]
    assert aggregate(entries, Rule(Aggregation.MEAN)).points == D("62.5")


def test_natural_sums_points_and_maxima() -> None:
    entries = [Entry(D(15), D(20)), Entry(D(5), D(10))]
    total = aggregate(entries, Rule(Aggregation.NATURAL))
    assert (total.points, total.max_points) == (D(20), D(30))


def test_highest_keeps_the_best_fraction() -> None:
    entries = [Entry(D(15), D(20)), Entry(D(9), D(10))]
    assert aggregate(entries, Rule(Aggregation.HIGHEST)).points == D(90)


def test_drop_lowest_removes_the_worst_fractions_but_keeps_one() -> None:
    entries = [Entry(D(2), D(10)), Entry(D(8), D(10)), Entry(D(6), D(10))]
    assert aggregate(entries, Rule(Aggregation.MEAN, drop_lowest=1)).points == D(70)
    assert aggregate(entries, Rule(Aggregation.MEAN, drop_lowest=5)).points == D(80)


def test_empty_grades_are_left_out_or_count_as_zero() -> None:
    entries = [Entry(D(8), D(10)), Entry(None, D(10))]
    assert aggregate(entries, Rule(Aggregation.MEAN, exclude_empty=True)).points == D(80)
    assert aggregate(entries, Rule(Aggregation.MEAN, exclude_empty=False)).points == D(40)
    natural = aggregate(entries, Rule(Aggregation.NATURAL, exclude_empty=True))
    assert (natural.points, natural.max_points) == (D(8), D(10))


def test_nothing_graded_gives_no_total() -> None:
    assert aggregate([Entry(None, D(10))], WEIGHTED).points is None
    assert aggregate([], Rule(Aggregation.NATURAL)).points is None


def test_a_sub_category_counts_as_its_total_out_of_its_maximum() -> None:
    # Homework (natural): 18/20 = 90 %; the exam 50/100; course: weighted 1:1 → 70 %.
    homework = Node(Rule(Aggregation.NATURAL), D(1), (Entry(D(8), D(10)), Entry(D(10), D(10))))
    course = Node(WEIGHTED, D(1), (Entry(D(50), D(100)),), (homework,))
    assert total_of(course).points == D(70)


def test_learner_total_uses_the_tree_and_final_points() -> None:
    tree = Tree(
        rules={1: WEIGHTED, 2: Rule(Aggregation.MEAN, drop_lowest=1)},
        weights={1: D(1), 2: D(3)},
        parents={2: 1},
        items={10: (1, D(20), D(1)), 11: (2, D(10), D(1)), 12: (2, D(10), D(1))},
    )
    # Category 2: best of (4/10, 10/10) = 100 %; course: (0.5 * 1 + 1.0 * 3) / 4 = 87.5 %.
    total = learner_total(tree, 1, {10: D(10), 11: D(4), 12: D(10)})
    assert total.points == D("87.5")


def _scale(code: str, out_of: D | None, levels: list[tuple[str, int, bool]]) -> Scale:
    scale = Scale(code=code, name=code, out_of=out_of)
    scale.levels = [
        ScaleLevel(position=i, label=label, value=D(i), min_percent=D(low), passing=passing)
        for i, (label, low, passing) in enumerate(levels)
    ]
    return scale


FR20 = _scale(
    "fr-20",
    D(20),
    [("insuffisant", 0, False), ("passable", 50, True), ("assez bien", 60, True),
     ("bien", 70, True), ("très bien", 80, True)],
)  # fmt: skip
LETTERS = _scale(
    "letters",
    None,
    [("F", 0, False), ("E", 50, True), ("D", 60, True), ("C", 70, True), ("B", 80, True),
     ("A", 90, True)],
)  # fmt: skip


def test_fourteen_out_of_twenty_reads_bien() -> None:
    shown = show(D(14), D(20), Display.SCALE, FR20)
    assert shown.label == "bien"
    assert shown.text == "14/20 « bien »"
    assert show(D("14.5"), D(20), Display.SCALE, FR20).text == "14.5/20 « bien »"


def test_a_percentage_on_the_twenty_scale() -> None:
    # 36.25/50 = 72.5 % → 14.5/20, "bien".
    assert show(D("36.25"), D(50), Display.SCALE, FR20).text == "14.5/20 « bien »"


@pytest.mark.parametrize(
    ("points", "letter"), [(D(95), "A"), (D(80), "B"), (D("79.99"), "C"), (D(50), "E"), (D(3), "F")]
)
def test_letters(points: D, letter: str) -> None:
    assert show(points, D(100), Display.LETTER, LETTERS).text == letter


def test_points_and_percentage() -> None:
    assert show(D("14.5"), D(20), Display.POINTS).text == "14.5/20"
    assert show(D("14.5"), D(20), Display.PERCENTAGE).text == "72.5 %"
    assert show(None, D(20), Display.POINTS).text == "–"


def test_level_for_takes_the_highest_level_reached() -> None:
    level = level_for(FR20.levels, D(60))
    assert level is not None
    assert level.label == "assez bien"

"""How a grade or a total reads: points (14.5/20), a percentage (72.5 %), a letter (C) or a
scale's level (14.5/20 « bien »). Pure functions over loaded scales."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.grades.models import Display, Scale, ScaleLevel

HUNDRED = Decimal(100)
LETTERS = "letters"


def level_for(levels: Sequence[ScaleLevel], percent: Decimal) -> ScaleLevel | None:
    """The highest level whose lowest percentage the percentage reaches."""
    reached = [level for level in levels if level.min_percent <= percent]
    return max(reached, key=lambda level: level.min_percent, default=None)


def _plain(value: Decimal) -> str:
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:f}"


@dataclass(frozen=True)
class Shown:
    """A grade as it reads: `value` out of `out_of` (None for a scale of labels only), the
    percentage, and the level's label for letters and scales."""

    display: Display
    value: Decimal | None
    out_of: Decimal | None
    percent: Decimal | None
    label: str | None = None
    passing: bool | None = None

    @property
    def text(self) -> str:
        if self.percent is None:
            return "–"
        if self.display is Display.PERCENTAGE:
            return f"{_plain(self.percent)} %"
        if self.display is Display.LETTER:
            return self.label or "–"
        points = (
            f"{_plain(self.value)}/{_plain(self.out_of)}"
            if self.value is not None and self.out_of is not None
            else ""
        )
        if self.display is Display.SCALE and self.label:
            return f"{points} « {self.label} »" if points else self.label
        return points


def show(
    points: Decimal | None,
    max_points: Decimal,
    display: Display,
    scale: Scale | None = None,
) -> Shown:
    """Read points out of a maximum as `display` asks; letters and scales need the scale (the
    `letters` scale for letters). Without a scale a letter or scale display reads as points."""
    if points is None or max_points <= 0:
        return Shown(display, None, max_points, None)
    percent = points * HUNDRED / max_points
    if display in (Display.LETTER, Display.SCALE) and scale is None:
        display = Display.POINTS
    if display in (Display.POINTS, Display.PERCENTAGE) or scale is None:
        return Shown(display, points, max_points, percent)
    level = level_for(scale.levels, percent)
    label = level.label if level else None
    passing = level.passing if level else None
    if display is Display.LETTER or scale.out_of is None:
        return Shown(display, None, None, percent, label, passing)
    value = percent * scale.out_of / HUNDRED
    return Shown(display, value, scale.out_of, percent, label, passing)

"""Bar charts drawn on the server as SVG: no script and no library. Horizontal bars, each
with its label and "count (percent)" written out, scaled to the width of the screen (a
viewBox 360 wide), mirrored for right-to-left pages. Every label is escaped (labels may be
people's text). The figures are also in a table beside each chart: the chart is an image
(`role="img"`) with a title for those who cannot see it."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from markupsafe import Markup

WIDTH = 360
FONT = 12
SHORT_LABEL = 6  # labels this short (scale points) sit beside their bar, not above it
LABEL_COLUMN = 44
VALUE_ROOM = 92  # "1234 (100.0%)" after the longest bar
LONG_LABEL = 54  # characters shown above a bar; the table beneath has the whole label
BAR_COLOUR = "#2f6690"
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    percent: Decimal  # of the question's respondents: the bar's length
    value: str  # "3 (42.9%)", formatted in the page's language


def bar_chart(title: str, bars: Sequence[Bar], *, rtl: bool = False) -> Markup:
    """A chart of a few hundred bytes a bar. Short labels (the points of a scale: a
    distribution) share their bar's line; longer ones (options) sit above it."""
    short = all(len(bar.label) <= SHORT_LABEL for bar in bars)
    row = 20 if short else 34
    start = LABEL_COLUMN if short else 0
    room = WIDTH - start - VALUE_ROOM
    height = row * len(bars) + 4
    title_id = f"chart-{next(_ids)}"
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
            'role="img" aria-labelledby="{id}" aria-label="{title}" class="chart" '
            'font-size="{font}" style="max-width:40rem;display:block">'
            '<title id="{id}">{title}</title>'
        ).format(w=WIDTH, h=height, id=title_id, title=title, font=FONT)
    ]
    for index, bar in enumerate(bars):
        top = index * row + 2
        length = round(room * min(float(bar.percent), 100.0) / 100, 1)
        bar_top = top + 4 if short else top + 17
        text_line = top + 14 if short else top + 27
        label_line = top + 14 if short else top + 12
        label = bar.label if len(bar.label) <= LONG_LABEL else bar.label[: LONG_LABEL - 1] + "…"
        parts.append(_row(label, bar.value, start, length, bar_top, label_line, text_line, rtl))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _row(
    label: str, value: str, start: int, length: float, bar_top: int, label_line: int,
    text_line: int, rtl: bool,
) -> Markup:  # fmt: skip
    """One bar, its label and its figure; for right-to-left pages every x is mirrored and
    text is anchored at its end (its right-hand side)."""
    anchor = "end" if rtl else "start"

    def x(position: float) -> float:
        return round(WIDTH - position, 1) if rtl else round(position, 1)

    bar_x = x(start + length) if rtl else x(start)
    return Markup(
        '<text x="{lx}" y="{ly}" text-anchor="{a}" fill="currentColor">{label}</text>'
        '<rect x="{bx}" y="{by}" width="{bw}" height="12" fill="{colour}"/>'
        '<text x="{vx}" y="{vy}" text-anchor="{a}" fill="currentColor">{value}</text>'
    ).format(
        lx=x(1), ly=label_line, a=anchor, label=label, bx=bar_x, by=bar_top,
        bw=max(length, 0.0), colour=BAR_COLOUR, vx=x(start + length + 4), vy=text_line,
        value=value,
    )  # fmt: skip

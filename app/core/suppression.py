"""Small-number suppression for every aggregate shown to people: a cell counting fewer people
than the threshold is hidden, and so many more that the hidden cells cannot be computed back
from a total."""

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def complementary_suppression(sizes: Mapping[K, int], threshold: int) -> tuple[list[K], list[K]]:
    """The cells to show (largest first) and those to hide: every cell under the threshold,
    then the smallest shown cells, one by one, until the hidden cells together are none or
    reach the threshold, so the total minus the shown cells reveals no small group."""
    order = sorted(sizes, key=lambda cell: (-sizes[cell], str(cell)))
    shown = [cell for cell in order if sizes[cell] >= threshold]
    hidden = [cell for cell in order if sizes[cell] < threshold]
    while shown and 0 < sum(sizes[cell] for cell in hidden) < threshold:
        hidden.append(shown.pop())
    return shown, hidden

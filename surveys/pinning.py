"""Whether a reader who knows the suppression rules could still pin a hidden count down.

`surveys.suppression.suppress_counts` hides small groups and protects them, but its rules say
more than the counts do. A reader sees the shown cells, the total when it is shown (so the
hidden cells' sum), and which hidden cells are "fewer than k" (primary) and which "hidden to
protect a smaller group" (complementary). Zeros are never hidden, so a hidden cell is at least
1; a primary cell is at most k - 1; a complementary cell means the primary ones together were
under k. With k = 3 and two cells of 1 beside a shown total, both are exactly 1.

`pinned` decides whether some hidden cell has one possible value among every table that would
be published the same way. For one line (parts with an optional total) the set of such tables
has a closed form, so this is a few additions per cell, whatever the total:

- Only primary cells hidden, their sum U known: each is in [1, k-1] and they add up to U. A
  cell's range is [max(1, U - (p-1)(k-1)), min(k-1, U - (p-1))], one value exactly when
  U = p (all ones) or U = p(k-1) (all k-1).
- One complementary cell c beside p primary ones (their sum S under k, else none is added; a
  single line never needs a second): c is the smallest visible non-zero cell, ties to the
  earlier one, so c is at most the next shown cell (less one if that comes first), at least k,
  and c = U - S. That bounds S to an interval; each cell's range follows from it.
- No total (`with_total=False`): only primary cells are hidden and nothing ties them together,
  so each is anywhere in [1, k-1]: never pinned for k >= 3.

Where a line is pinned, callers publish nothing of it (`guarded_counts` gives `conceal`: every
cell hidden, zeros included, the total kept, since it is shown elsewhere). Concealing is itself
something a reader sees, so `shows_nothing` also conceals a line whose non-zero cells are all
hidden anyway: otherwise "concealed" could mean one table only. The brute-force tests in
`tests/surveys/test_pinning.py` check the closed form against every small table, and that no
view, the concealed one included, leaves a hidden cell one possible value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from surveys.suppression import SuppressedCounts, check_threshold, suppress_counts


def pinned(counts: Mapping[str, int], table: SuppressedCounts) -> bool:
    """Whether some hidden cell of `table` (= suppress_counts(counts, k)) is worked out exactly.

    The hidden cells' sum counts as known whenever the line has a total, even a hidden one: it
    is usually an audience's headcount, shown elsewhere.
    """
    k = check_threshold(table.k)
    primary = [name for name in counts if name in table.primary]
    complementary = [name for name in counts if name in table.complementary]
    if not primary:
        return False  # nothing hidden (a line never has complements without primaries)
    if table.total is None and not table.total_suppressed:
        return False  # no total: each primary cell is anywhere in [1, k - 1]
    p = len(primary)
    union = sum(counts[name] for name in (*primary, *complementary))
    if not complementary:
        return _one_value(union, union, p, k)
    if len(complementary) > 1:
        return True  # not made by one line's rules; nothing shown is always safe
    (c,) = complementary
    names = list(counts)
    at = names.index(c)
    # The complement was the smallest visible non-zero cell, ties to the earlier name.
    ceiling = min(
        (counts[n] - (1 if i < at else 0) for i, n in enumerate(names) if _shown(n, counts, table)),
        default=union,
    )
    low = max(p, union - ceiling)  # the primary cells' sum S, so that c = union - S <= ceiling
    high = min(k - 1, union - k)  # S under k, and c at least k
    # low == high: the complement, and with it S, has one possible value.
    return low >= high or _one_value(low, high, p, k)


def _one_value(low: int, high: int, p: int, k: int) -> bool:
    """Whether p cells, each in [1, k-1], with a sum anywhere in [low, high], leave some cell
    one value: a cell ranges over [low - (p-1)(k-1), high - (p-1)] clipped to [1, k-1]."""
    return max(1, low - (p - 1) * (k - 1)) >= min(k - 1, high - (p - 1))


def _shown(name: str, counts: Mapping[str, int], table: SuppressedCounts) -> bool:
    return name not in table.hidden and counts[name] > 0


def shows_nothing(counts: Mapping[str, int], table: SuppressedCounts) -> bool:
    """Whether a line is to be concealed: a hidden cell is pinned, or, beside a total, every
    non-zero cell is hidden anyway.

    The second case costs nothing (such a line shows only its zeros) and keeps concealing from
    singling a table out: with k = 3, three cells and a total of 3, only 1, 1, 1 is pinned, so
    a concealed line would read "1, 1, 1"; concealed with 2, 1, 0 and its reorderings too, it
    reads nothing.
    """
    if not table.hidden:
        return False
    if table.total is None and not table.total_suppressed:
        return False  # no total: never pinned, and nothing to single out
    return pinned(counts, table) or all(
        counts[name] == 0 or name in table.hidden for name in counts
    )


def conceal(table: SuppressedCounts) -> SuppressedCounts:
    """The line with every cell hidden (zeros too) and the total as it was: "shows nothing".

    Every cell counts as complementary, so no cell reads "fewer than k"."""
    names = frozenset(table.shown)
    return replace(
        table,
        shown=MappingProxyType(dict.fromkeys(table.shown)),
        primary=frozenset(),
        complementary=names,
    )


def guarded_counts(
    counts: Mapping[str, int], k: int, *, with_total: bool = True
) -> tuple[SuppressedCounts, bool]:
    """`suppress_counts`, concealed when a hidden cell would be pinned; and whether it was."""
    table = suppress_counts(counts, k, with_total=with_total)
    if shows_nothing(counts, table):
        return conceal(table), True
    return table, False

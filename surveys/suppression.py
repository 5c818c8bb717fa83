"""Small-group suppression: the anonymity core of reporting (DESIGN.md 6.5 and 6.6).

Rules, for a reporting threshold k (never below 3):

1. Primary suppression. A count c with 0 < c < k is hidden, and so is every figure (percentage,
   mean, distribution, chart, comment) for that group.

2. Zeros are shown. A group with no respondents has no answers and no comments, so no answer can
   be linked to anyone through it; its 0 is not a figure about a person. Hiding it would not
   protect a small group either: a hidden 0 next to a hidden 2 still lets a reader subtract and
   learn that "those two groups together" have 2 people. So zeros are never suppressed and never
   chosen as complements, and a hidden cell is therefore always at least 1. (This module is for
   counts of RESPONDENTS per group. Counts of answers inside a group that meets k, such as the
   full distribution of an item, are that group's figures and are shown whole, zeros included.)

3. Margins are sums. Every total is the exact sum of its cells; totals are cells too, so a row
   total under k is itself suppressed. Anybody who cannot be placed in a group (role not given,
   say) must be an explicit cell such as "not stated", never the gap between a total and its
   cells: that gap would be an unlisted cell nobody checks.

4. Complementary suppression, to a fixed point:
   a. Nothing hidden may be derivable. Each row and column with its total is an equation; a
      hidden cell can be recovered exactly, by any chain of subtractions, if and only if it is a
      *bridge* of the graph whose nodes are the equations and whose edges are the hidden cells
      (cells in a line without a total hang off one shared "free" node). "Exactly one hidden cell
      in a line" is the simplest bridge, but not the only one: two separately protected blocks
      joined by one hidden cell satisfy "two per line" and still give that cell away. A bridge is
      closed into a cycle by hiding the cheapest path of visible non-zero cells: fewest totals
      first, then the smallest counts. In a single line that is the smallest remaining cell, and
      the total only when it is the only candidate. On a cycle whose cells are all >= 1, every
      hidden cell can move by one in either direction with all visible figures unchanged, so each
      admits at least two values.
   b. No small union. In a line whose total is shown, the hidden cells' sum is shown by
      subtraction: it is the count of "those groups together". If it is under k we hide the next
      smallest cell of the line (or the total when none is left).

The same decisions drive `figure_visibility` (which groups may show any figure at all) and the
comment rules (`comments_for_group`, `comments_by_subgroup`).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, TypeVar

MIN_THRESHOLD = 3  # DESIGN 6.5: "never below 3"


def check_threshold(k: int) -> int:
    """Return k if it is a usable threshold, else raise ValueError."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise ValueError(f"threshold must be an int, not {k!r}")
    if k < MIN_THRESHOLD:
        raise ValueError(f"threshold k={k} is below the minimum of {MIN_THRESHOLD}")
    return k


def _check_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"counts must be ints, not {value!r}")
    if value < 0:
        raise ValueError(f"counts cannot be negative: {value}")
    return value


# ---------------------------------------------------------------------------------------------
# The engine: cells (by index) and lines (parts summing to a total)

_FREE = -1  # the node for line ends without an equation


@dataclass(frozen=True, slots=True)
class _Line:
    parts: tuple[int, ...]
    total: int


def _protect(values: Sequence[int], lines: Sequence[_Line], k: int) -> tuple[set[int], set[int]]:
    """Primary and hidden cell indices for `values` under the equations `lines`."""
    ends: list[list[int]] = [[] for _ in values]
    for node, line in enumerate(lines):
        for cell in (*line.parts, line.total):
            ends[cell].append(node)
    if any(len(nodes) > 2 for nodes in ends):
        raise ValueError("a cell may sit in at most two lines (one row and one column)")
    edges = [(padded[0], padded[1]) for padded in ([*nodes, _FREE, _FREE] for nodes in ends)]

    totals = {line.total for line in lines}
    primary = {i for i, value in enumerate(values) if 0 < value < k}
    hidden = set(primary)
    while True:
        exposed = _small_union(values, lines, hidden, k)
        if exposed is not None:
            hidden.add(exposed)
            continue
        bridge = _find_bridge(edges, hidden)
        if bridge is None:
            return primary, hidden
        hidden.update(_cheapest_cycle(bridge, edges, values, hidden, totals))


def _small_union(
    values: Sequence[int], lines: Sequence[_Line], hidden: set[int], k: int
) -> int | None:
    """A cell to hide so that no line with a shown total reveals a union smaller than k."""
    for line in lines:
        if line.total in hidden:
            continue
        union = sum(values[c] for c in line.parts if c in hidden)
        if 0 < union < k:
            candidates = [c for c in line.parts if c not in hidden and values[c] > 0]
            if not candidates:
                return line.total
            return min(candidates, key=lambda c: (values[c], c))
    return None


def _connected(
    edges: Sequence[tuple[int, int]], usable: Iterable[int], start: int, goal: int
) -> bool:
    adjacent: dict[int, list[int]] = {}
    for cell in usable:
        u, v = edges[cell]
        adjacent.setdefault(u, []).append(v)
        adjacent.setdefault(v, []).append(u)
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in adjacent.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _find_bridge(edges: Sequence[tuple[int, int]], hidden: set[int]) -> int | None:
    """A hidden cell that no cycle of hidden cells passes through (so it is derivable)."""
    for cell in sorted(hidden):
        u, v = edges[cell]
        if u == v:  # both ends free: in no equation at all
            continue
        if not _connected(edges, (c for c in hidden if c != cell), u, v):
            return cell
    return None


def _cheapest_cycle(
    bridge: int,
    edges: Sequence[tuple[int, int]],
    values: Sequence[int],
    hidden: set[int],
    totals: set[int],
) -> list[int]:
    """Visible non-zero cells whose hiding puts `bridge` on a cycle.

    Cheapest first by the number of totals hidden (totals are the most used figures, so they go
    only when no path avoids them), then by the counts hidden, then by the number of cells.
    """
    start, goal = edges[bridge]
    adjacent: dict[int, list[tuple[int, int]]] = {}
    for cell, (u, v) in enumerate(edges):
        if cell == bridge or (cell not in hidden and values[cell] == 0):
            continue
        adjacent.setdefault(u, []).append((v, cell))
        adjacent.setdefault(v, []).append((u, cell))
    # Dijkstra on (totals, counts, cells) newly hidden; already hidden cells cost nothing.
    best: dict[int, tuple[int, int, int]] = {start: (0, 0, 0)}
    came: dict[int, tuple[int, int]] = {}
    queue = [(0, 0, 0, start)]
    while queue:
        *cost, node = heapq.heappop(queue)
        if tuple(cost) > best[node]:
            continue
        if node == goal:
            path, at = [], goal
            while at != start:
                at, cell = came[at]
                if cell not in hidden:
                    path.append(cell)
            return path
        for nxt, cell in adjacent.get(node, ()):
            fresh = cell not in hidden
            step = (
                cost[0] + int(fresh and cell in totals),
                cost[1] + (values[cell] if fresh else 0),
                cost[2] + int(fresh),
            )
            if nxt not in best or step < best[nxt]:
                best[nxt] = step
                came[nxt] = (node, cell)
                heapq.heappush(queue, (*step, nxt))
    # Unreachable for tables whose totals are the sums of their cells: every hidden cell is >= 1,
    # so its row total, column total and the grand total are too, and they form a path.
    raise ValueError("cannot protect this table: are its totals the sums of its cells?")


# ---------------------------------------------------------------------------------------------
# One list of groups with a total


@dataclass(frozen=True, slots=True)
class SuppressedCounts:
    """Respondent counts per group after suppression; `shown` holds None where hidden."""

    k: int
    shown: Mapping[str, int | None]
    total: int | None  # None when hidden, or when no total is shown at all
    primary: frozenset[str]  # groups under k
    complementary: frozenset[str]  # groups of k or more hidden to protect the small ones
    total_suppressed: bool

    @property
    def hidden(self) -> frozenset[str]:
        return self.primary | self.complementary


def suppress_counts(
    counts: Mapping[str, int], k: int, *, with_total: bool = True
) -> SuppressedCounts:
    """Suppress a one-way list of respondent counts per group, optionally with its total."""
    check_threshold(k)
    names = list(counts)
    values = [_check_count(counts[name]) for name in names]
    lines: list[_Line] = []
    if with_total:
        values.append(sum(values))
        lines.append(_Line(tuple(range(len(names))), len(names)))
    primary, hidden = _protect(values, lines, k)
    total_hidden = with_total and len(names) in hidden
    return SuppressedCounts(
        k=k,
        shown=MappingProxyType(
            {name: None if i in hidden else values[i] for i, name in enumerate(names)}
        ),
        total=values[-1] if with_total and not total_hidden else None,
        primary=frozenset(names[i] for i in primary if i < len(names)),
        complementary=frozenset(names[i] for i in hidden - primary if i < len(names)),
        total_suppressed=total_hidden,
    )


# ---------------------------------------------------------------------------------------------
# A two-way table with row totals, column totals and the grand total


@dataclass(frozen=True, slots=True)
class SuppressedTable:
    """A rows x columns table with margins after suppression.

    `shown` has one more row and column than the input: row i's total is `shown[i][-1]`, column
    j's total `shown[-1][j]`, the grand total `shown[-1][-1]`; None where hidden. `primary` and
    `complementary` hold (row, column) positions in that same extended grid.
    """

    k: int
    shown: tuple[tuple[int | None, ...], ...]
    primary: frozenset[tuple[int, int]]
    complementary: frozenset[tuple[int, int]]

    @property
    def hidden(self) -> frozenset[tuple[int, int]]:
        return self.primary | self.complementary


def suppress_table(cells: Sequence[Sequence[int]], k: int) -> SuppressedTable:
    """Suppress a two-way table of respondent counts shown with all its margins."""
    check_threshold(k)
    rows = [[_check_count(v) for v in row] for row in cells]
    if not rows or not rows[0] or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("a table needs at least one row and column, all rows the same length")
    n_rows, n_cols = len(rows), len(rows[0])
    grid = [[*row, sum(row)] for row in rows]
    grid.append([sum(row[j] for row in grid) for j in range(n_cols + 1)])
    width = n_cols + 1

    def index(i: int, j: int) -> int:
        return i * width + j

    row_lines = [
        _Line(tuple(index(i, j) for j in range(n_cols)), index(i, n_cols))
        for i in range(n_rows + 1)
    ]
    column_lines = [
        _Line(tuple(index(i, j) for i in range(n_rows)), index(n_rows, j))
        for j in range(n_cols + 1)
    ]
    lines = row_lines + column_lines
    values = [value for row in grid for value in row]
    primary, hidden = _protect(values, lines, k)
    return SuppressedTable(
        k=k,
        shown=tuple(
            tuple(None if index(i, j) in hidden else v for j, v in enumerate(row))
            for i, row in enumerate(grid)
        ),
        primary=frozenset(divmod(c, width) for c in primary),
        complementary=frozenset(divmod(c, width) for c in hidden - primary),
    )


# ---------------------------------------------------------------------------------------------
# Which groups may show figures at all


@dataclass(frozen=True, slots=True)
class GroupVisibility:
    """Which groups may show figures (percentages, means, distributions, comments).

    suppressed: fewer than k respondents. withheld: k or more, hidden so that the suppressed
    groups' figures cannot be worked out from the all-groups figure. empty: no respondents, so no
    figures exist (show "no responses"). total_shown: whether all-groups figures may appear.
    """

    k: int
    shown: frozenset[str]
    suppressed: frozenset[str]
    withheld: frozenset[str]
    empty: frozenset[str]
    total_shown: bool

    def may_show(self, group: str) -> bool:
        return group in self.shown


def figure_visibility(
    respondents: Mapping[str, int], k: int, *, with_total: bool = True
) -> GroupVisibility:
    """Decide, once, which groups' figures may appear in every page, export and API.

    A figure for all groups together is a respondent-weighted mix of the groups' figures, so it
    plays the part of a total: with it shown, one hidden group beside shown ones could be worked
    out. Set `with_total=False` only where no all-groups figure is shown anywhere.
    """
    table = suppress_counts(respondents, k, with_total=with_total)
    empty = frozenset(name for name, count in respondents.items() if count == 0)
    return GroupVisibility(
        k=k,
        shown=frozenset(respondents) - table.hidden - empty,
        suppressed=table.primary,
        withheld=table.complementary,
        empty=empty,
        total_shown=with_total and not table.total_suppressed and sum(respondents.values()) > 0,
    )


# ---------------------------------------------------------------------------------------------
# Comments (DESIGN 6.6)


class HasHidden(Protocol):
    @property
    def hidden(self) -> bool: ...


C = TypeVar("C", bound=HasHidden)


@dataclass(frozen=True, slots=True)
class Comment:
    """A free-text comment; `hidden` is set by a coordinator (hidden, never edited)."""

    text: str
    hidden: bool = False


def comments_for_group(
    comments: Iterable[C], respondents: int, k: int, *, rng: random.Random | None = None
) -> list[C]:
    """The comments a group may show: none under k respondents; hidden ones left out; shuffled.

    Stored order follows submission order, which could be matched against who completed when;
    a fresh uniform shuffle carries no trace of it. The default generator is the operating
    system's, so the order cannot be replayed from a seed; pass a seeded `random.Random` in tests.
    """
    check_threshold(k)
    if _check_count(respondents) < k:
        return []
    visible = [comment for comment in comments if not comment.hidden]
    (rng or random.SystemRandom()).shuffle(visible)
    return visible


def comments_by_subgroup(
    comments: Mapping[str, Iterable[C]],
    respondents: Mapping[str, int],
    k: int,
    *,
    rng: random.Random | None = None,
) -> dict[str, list[C]] | None:
    """Comments split by subgroup, or None when the split is not allowed.

    A split is allowed only when every subgroup with respondents has at least k: with the whole
    group's comments shown elsewhere, listing all subgroups but one would reveal that one's
    comments by elimination. When this returns None, show `comments_for_group` on the whole
    group instead.
    """
    check_threshold(k)
    unknown = set(comments) - set(respondents)
    if unknown:
        raise ValueError(f"comments for subgroups without respondent counts: {sorted(unknown)}")
    counts = {name: _check_count(count) for name, count in respondents.items()}
    if any(0 < count < k for count in counts.values()) or sum(counts.values()) < k:
        return None
    split: dict[str, list[C]] = {}
    for name, count in counts.items():
        own = list(comments.get(name, ()))
        if count == 0 and own:
            raise ValueError(f"subgroup {name!r} has comments but no respondents")
        split[name] = comments_for_group(own, count, k, rng=rng) if count else []
    return split

"""surveys.suppression: small-group suppression (DESIGN.md 6.5, 6.6).

The property tests re-derive safety with checkers written independently of the module's graph
method: exact linear algebra over fractions (is a hidden cell implied by the visible figures?)
and brute-force enumeration of the integer tables a reader could reconstruct.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.suppression import (
    Comment,
    GroupVisibility,
    check_threshold,
    comments_by_subgroup,
    comments_for_group,
    figure_visibility,
    suppress_counts,
    suppress_table,
)

PROPERTY = settings(max_examples=400, deadline=None, database=None)

# --- independent checkers ----------------------------------------------------------------------


def extend(cells):
    """The table with its row totals, column totals and grand total."""
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def table_lines(n_rows, n_cols):
    """Every equation of a table with margins, as (parts, total) over extended positions."""
    rows = [([(i, j) for j in range(n_cols)], (i, n_cols)) for i in range(n_rows + 1)]
    columns = [([(i, j) for i in range(n_rows)], (n_rows, j)) for j in range(n_cols + 1)]
    return rows + columns


def implied_cells(values, hidden, lines):
    """Hidden positions whose value follows from the visible ones by linear algebra.

    Unknown u is implied iff the unit vector e_u lies in the row space of the system restricted
    to the unknowns; checked by reducing e_u against the row-echelon form, in exact fractions.
    """
    unknowns = sorted(hidden)
    column = {u: c for c, u in enumerate(unknowns)}
    matrix = []
    for parts, total in lines:
        row = [Fraction(0)] * len(unknowns)
        for p in parts:
            if p in column:
                row[column[p]] += 1
        if total in column:
            row[column[total]] -= 1
        if any(row):
            matrix.append(row)
    echelon = []  # (pivot column, row) with the pivot scaled to 1
    for row in matrix:
        row = row[:]
        for pivot, base in echelon:
            if row[pivot]:
                factor = row[pivot]
                row = [a - factor * b for a, b in zip(row, base, strict=True)]
        lead = next((c for c, a in enumerate(row) if a), None)
        if lead is not None:
            echelon.append((lead, [a / row[lead] for a in row]))
            echelon.sort()
    implied = set()
    for u in unknowns:
        vector = [Fraction(int(column[u] == c)) for c in range(len(unknowns))]
        for pivot, base in echelon:  # sorted by pivot: eliminate left to right
            if vector[pivot]:
                factor = vector[pivot]
                vector = [a - factor * b for a, b in zip(vector, base, strict=True)]
        if not any(vector):
            implied.add(u)
    return implied


def reconstructions(cells, hidden, radius):
    """Every non-negative integer table within `radius` of the truth in each hidden inner cell
    that shows exactly the same visible figures. Returns the possible values of each hidden
    position (inner cells and totals)."""
    n_rows, n_cols = len(cells), len(cells[0])
    truth = extend(cells)
    inner = [(i, j) for (i, j) in sorted(hidden) if i < n_rows and j < n_cols]
    ranges = [range(max(0, cells[i][j] - radius), cells[i][j] + radius + 1) for i, j in inner]
    seen = {position: set() for position in hidden}
    for filling in itertools.product(*ranges):
        trial = [row[:] for row in cells]
        for (i, j), value in zip(inner, filling, strict=True):
            trial[i][j] = value
        grid = extend(trial)
        if all(
            grid[i][j] == truth[i][j]
            for i in range(n_rows + 1)
            for j in range(n_cols + 1)
            if (i, j) not in hidden
        ):
            for i, j in hidden:
                seen[(i, j)].add(grid[i][j])
    return seen


def assert_table_is_safe(cells, k, result, *, brute_force):
    n_rows, n_cols = len(cells), len(cells[0])
    grid = extend(cells)
    lines = table_lines(n_rows, n_cols)
    hidden = set(result.hidden)
    positions = [(i, j) for i in range(n_rows + 1) for j in range(n_cols + 1)]

    # primary suppression is exactly the cells under k (totals included), zeros shown
    assert set(result.primary) == {p for p in positions if 0 < grid[p[0]][p[1]] < k}
    assert not result.primary & result.complementary
    for i, j in positions:
        value = grid[i][j]
        if (i, j) in hidden:
            assert result.shown[i][j] is None
            assert value > 0, "a zero was hidden"
        else:
            assert result.shown[i][j] == value
            assert value == 0 or value >= k, f"visible {value} at {(i, j)} is under k={k}"

    for parts, total in lines:
        members = [*parts, total]
        # nothing alone in a line (the rule in its simplest form)
        assert sum(m in hidden for m in members) != 1, (parts, total)
        # a shown total never reveals a union of hidden groups smaller than k
        if total not in hidden:
            union = sum(grid[i][j] for i, j in parts if (i, j) in hidden)
            assert union == 0 or union >= k, (parts, union)

    # no hidden figure follows from the visible ones by any chain of sums and differences
    assert implied_cells(grid, hidden, lines) == set()

    if brute_force:
        for position, values in reconstructions(cells, hidden, radius=1).items():
            assert len(values) >= 2, f"{position} can only be {values}"


# --- thresholds --------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [-1, 0, 1, 2, True, 5.0, "5", None])
def test_thresholds_below_three_or_not_ints_are_rejected(k):
    with pytest.raises(ValueError):
        check_threshold(k)
    with pytest.raises(ValueError):
        suppress_counts({"a": 10}, k)
    with pytest.raises(ValueError):
        suppress_table([[10]], k)
    with pytest.raises(ValueError):
        figure_visibility({"a": 10}, k)
    with pytest.raises(ValueError):
        comments_for_group([], 10, k)
    with pytest.raises(ValueError):
        comments_by_subgroup({}, {"a": 10}, k)


@pytest.mark.parametrize("k", [3, 5, 10])
def test_thresholds_of_three_or_more_are_accepted(k):
    assert check_threshold(k) == k


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_counts_must_be_non_negative_ints(bad):
    with pytest.raises((TypeError, ValueError)):
        suppress_counts({"a": bad}, 5)
    with pytest.raises((TypeError, ValueError)):
        suppress_table([[bad, 1]], 5)


def test_ragged_or_empty_tables_are_rejected():
    for cells in ([], [[]], [[1, 2], [3]]):
        with pytest.raises(ValueError):
            suppress_table(cells, 5)


# --- one list of groups with a total -----------------------------------------------------------


def test_one_small_group_beside_a_total_takes_the_smallest_other_group_with_it():
    result = suppress_counts({"staff": 12, "partners": 2, "parents": 30, "community": 9}, 5)
    assert dict(result.shown) == {"staff": 12, "partners": None, "parents": 30, "community": None}
    assert result.total == 53
    assert result.primary == {"partners"}
    assert result.complementary == {"community"}
    assert not result.total_suppressed


def test_zero_groups_are_shown_and_never_used_as_complements():
    # hiding the 0 beside the 2 would still show "these two together: 2"
    result = suppress_counts({"a": 2, "b": 0, "c": 12, "d": 40}, 5)
    assert dict(result.shown) == {"a": None, "b": 0, "c": None, "d": 40}
    assert result.total == 54


def test_two_small_groups_whose_sum_is_still_small_take_a_third():
    # a 1 and a 2 hidden together would show "those two: 3" by subtraction
    result = suppress_counts({"a": 2, "b": 1, "c": 10, "d": 11}, 5)
    assert result.primary == {"a", "b"}
    assert result.complementary == {"c"}
    assert result.total == 24


def test_two_small_groups_summing_to_k_protect_each_other():
    result = suppress_counts({"a": 3, "b": 2, "c": 10}, 5)
    assert result.hidden == {"a", "b"}
    assert result.complementary == frozenset()
    assert result.total == 15


def test_a_small_total_is_suppressed_with_its_groups():
    result = suppress_counts({"a": 2, "b": 1, "c": 0}, 5)
    assert dict(result.shown) == {"a": None, "b": None, "c": 0}
    assert result.total is None
    assert result.total_suppressed


def test_without_a_total_only_small_groups_are_hidden():
    result = suppress_counts({"a": 2, "b": 10, "c": 12}, 5, with_total=False)
    assert dict(result.shown) == {"a": None, "b": 10, "c": 12}
    assert result.total is None
    assert not result.total_suppressed


def test_nothing_small_nothing_hidden():
    result = suppress_counts({"a": 5, "b": 0, "c": 6}, 5)
    assert result.hidden == frozenset()
    assert result.total == 11


@PROPERTY
@given(
    counts=st.lists(st.one_of(st.integers(0, 4), st.integers(0, 20)), min_size=1, max_size=6),
    k=st.integers(3, 6),
)
def test_one_way_lists_are_safe(counts, k):
    names = [f"g{i}" for i in range(len(counts))]
    result = suppress_counts(dict(zip(names, counts, strict=True)), k)
    # a list with its total is a one-row table with a row total and no column totals
    hidden = {names.index(n) for n in result.hidden}
    if result.total is None:
        hidden.add(len(names))
    values = [*counts, sum(counts)]
    assert all(values[i] > 0 for i in hidden)
    for i, value in enumerate(values):
        if i not in hidden:
            assert value == 0 or value >= k
    assert len(hidden) != 1
    if result.total is not None:
        union = sum(values[i] for i in hidden)
        assert union == 0 or union >= k
    # no hidden count follows from the visible ones...
    line = ([(0, j) for j in range(len(counts))], (0, len(counts)))
    positions = {(0, i) for i in hidden}
    assert implied_cells([values], positions, [line]) == set()
    # ...and, by brute force where small enough, each can take two values
    inner = [i for i in sorted(hidden) if i < len(counts)]
    if len(inner) <= 3:
        seen = {i: set() for i in hidden}
        for filling in itertools.product(*(range(0, 2 * values[i] + 2) for i in inner)):
            trial = list(counts)
            for i, value in zip(inner, filling, strict=True):
                trial[i] = value
            trial.append(sum(trial))
            if all(trial[i] == values[i] for i in range(len(values)) if i not in hidden):
                for i in hidden:
                    seen[i].add(trial[i])
        assert all(len(v) >= 2 for v in seen.values()), seen


# --- two-way tables ----------------------------------------------------------------------------


def test_a_small_cell_in_a_table_takes_a_rectangle_with_it():
    cells = [[2, 10, 12], [8, 9, 20]]
    result = suppress_table(cells, 5)
    assert result.shown == (
        (None, None, 12, 24),
        (None, None, 20, 37),
        (10, 19, 32, 61),
    )
    assert result.primary == {(0, 0)}
    assert result.complementary == {(0, 1), (1, 0), (1, 1)}
    assert_table_is_safe(cells, 5, result, brute_force=True)


def test_a_small_row_total_is_suppressed_and_protected():
    # row 0 holds 3 people: its total is under k too; protecting it costs a row-1 total,
    # but the grand total stays (totals are hidden only where no path avoids them)
    cells = [[3, 0], [6, 6]]
    result = suppress_table(cells, 5)
    assert result.shown == ((None, 0, None), (None, 6, None), (9, 6, 15))
    assert result.primary == {(0, 0), (0, 2)}
    assert result.complementary == {(1, 0), (1, 2)}
    assert_table_is_safe(cells, 5, result, brute_force=True)


def test_a_whole_small_table_is_hidden_except_its_zeros():
    cells = [[1, 0], [0, 1]]
    result = suppress_table(cells, 3)
    assert result.shown == ((None, 0, None), (0, None, None), (None, None, None))
    assert_table_is_safe(cells, 3, result, brute_force=True)


def test_two_per_line_is_not_enough_in_two_dimensions():
    # Each row and column below keeps at least two hidden cells, yet the 2 in the corner follows
    # from the others: (rows 1 and 3) minus (columns 0 and 1) leaves exactly that cell.
    cells = [[8, 9, 7, 7], [7, 8, 9, 10], [0, 7, 2, 6], [2, 6, 12, 2]]
    naive = {(0, 2), (0, 3), (1, 0), (1, 1), (2, 2), (2, 3), (3, 0), (3, 1), (3, 3)}
    lines = table_lines(4, 4)
    assert all(sum(m in naive for m in [*parts, total]) != 1 for parts, total in lines)
    assert implied_cells(extend(cells), naive, lines) == {(3, 3)}  # the checker catches it

    result = suppress_table(cells, 3)
    assert result.primary == {(2, 2), (3, 0), (3, 3)}
    assert result.complementary == {(0, 2), (0, 3), (1, 0), (1, 2), (2, 3)}
    assert_table_is_safe(cells, 3, result, brute_force=False)


def test_checker_catches_a_lone_hidden_cell():
    cells = [[2, 10], [10, 10]]
    assert implied_cells(extend(cells), {(0, 0)}, table_lines(2, 2)) == {(0, 0)}
    seen = reconstructions(cells, {(0, 0)}, radius=2)
    assert seen == {(0, 0): {2}}


def test_table_without_small_cells_is_untouched():
    cells = [[5, 0, 7], [9, 12, 0]]
    result = suppress_table(cells, 5)
    assert result.hidden == frozenset()
    assert result.shown == ((5, 0, 7, 12), (9, 12, 0, 21), (14, 12, 7, 33))


def test_a_single_row_table():
    cells = [[4, 9, 12]]
    result = suppress_table(cells, 5)
    assert_table_is_safe(cells, 5, result, brute_force=True)
    assert result.shown[0][0] is None


table_counts = st.one_of(st.integers(0, 4), st.integers(0, 15))


def tables(max_rows, max_cols):
    return st.integers(1, max_rows).flatmap(
        lambda r: st.integers(1, max_cols).flatmap(
            lambda c: st.lists(
                st.lists(table_counts, min_size=c, max_size=c), min_size=r, max_size=r
            )
        )
    )


@PROPERTY
@given(cells=tables(3, 3), k=st.integers(3, 5))
def test_small_tables_are_safe_by_brute_force(cells, k):
    result = suppress_table(cells, k)
    inner_hidden = [p for p in result.hidden if p[0] < len(cells) and p[1] < len(cells[0])]
    assert_table_is_safe(cells, k, result, brute_force=len(inner_hidden) <= 7)


@PROPERTY
@given(cells=tables(5, 5), k=st.integers(3, 7))
def test_larger_tables_are_safe_by_linear_algebra(cells, k):
    assert_table_is_safe(cells, k, suppress_table(cells, k), brute_force=False)


@settings(max_examples=100, deadline=None, database=None)
@given(cells=tables(4, 4), k=st.integers(3, 6), data=st.data())
def test_order_of_rows_does_not_affect_safety(cells, k, data):
    shuffled = data.draw(st.permutations(cells))
    assert_table_is_safe(shuffled, k, suppress_table(shuffled, k), brute_force=False)


# --- figures per group -------------------------------------------------------------------------


def test_figure_visibility_hides_small_groups_and_their_complement():
    respondents = {"staff": 12, "partners": 2, "parents": 30, "community": 9, "service_users": 0}
    seen = figure_visibility(respondents, 5)
    assert seen == GroupVisibility(
        k=5,
        shown=frozenset({"staff", "parents"}),
        suppressed=frozenset({"partners"}),
        withheld=frozenset({"community"}),
        empty=frozenset({"service_users"}),
        total_shown=True,
    )
    assert seen.may_show("staff")
    assert not seen.may_show("partners")
    assert not seen.may_show("community")
    assert not seen.may_show("service_users")


def test_figure_visibility_without_an_all_groups_figure_hides_only_small_groups():
    seen = figure_visibility({"staff": 12, "partners": 2, "parents": 30}, 5, with_total=False)
    assert seen.shown == {"staff", "parents"}
    assert seen.withheld == frozenset()
    assert not seen.total_shown


def test_all_groups_figure_is_hidden_when_everyone_together_is_under_k():
    seen = figure_visibility({"staff": 2, "partners": 1}, 5)
    assert seen.shown == frozenset()
    assert not seen.total_shown


def test_nobody_at_all():
    seen = figure_visibility({"staff": 0}, 5)
    assert seen.empty == {"staff"}
    assert not seen.total_shown


@PROPERTY
@given(
    counts=st.lists(st.one_of(st.integers(0, 4), st.integers(0, 25)), min_size=1, max_size=7),
    k=st.integers(3, 8),
)
def test_figure_visibility_never_lets_a_small_group_be_worked_out(counts, k):
    respondents = {f"g{i}": c for i, c in enumerate(counts)}
    seen = figure_visibility(respondents, k)
    assert seen.shown | seen.suppressed | seen.withheld | seen.empty == set(respondents)
    assert all(respondents[g] >= k for g in seen.shown | seen.withheld)
    assert all(0 < respondents[g] < k for g in seen.suppressed)
    hidden = seen.suppressed | seen.withheld
    if seen.total_shown:
        # the all-groups figure minus the shown groups' figures is a figure for the hidden
        # groups together: it must cover k people or more, and never a single group
        assert sum(counts) >= k
        assert len(hidden) != 1
        union = sum(respondents[g] for g in hidden)
        assert union == 0 or union >= k


# --- comments ----------------------------------------------------------------------------------


def make_comments(n, hidden=()):
    return [Comment(f"comment {i}", hidden=i in hidden) for i in range(n)]


def test_no_comments_for_a_group_under_k():
    assert comments_for_group(make_comments(4), 4, 5, rng=random.Random(1)) == []
    assert comments_for_group(make_comments(0), 0, 5, rng=random.Random(1)) == []


def test_comments_for_a_group_of_k_are_all_there_hidden_ones_left_out():
    comments = make_comments(8, hidden={2, 5})
    shown = comments_for_group(comments, 5, 5, rng=random.Random(7))
    assert Counter(shown) == Counter(c for c in comments if not c.hidden)


def test_comments_are_shuffled_not_in_stored_order():
    comments = make_comments(12)
    shown = comments_for_group(comments, 20, 5, rng=random.Random(3))
    assert shown != comments
    assert sorted(shown, key=comments.index) == comments
    # reproducible with a seed, and really random across seeds
    assert comments_for_group(comments, 20, 5, rng=random.Random(3)) == shown
    firsts = {comments_for_group(comments, 20, 5, rng=random.Random(s))[0] for s in range(60)}
    assert len(firsts) >= 6


def test_comments_default_to_system_randomness_and_leave_the_input_alone():
    comments = make_comments(30)
    original = list(comments)
    orders = {tuple(comments_for_group(comments, 30, 5)) for _ in range(5)}
    assert comments == original
    assert len(orders) > 1
    assert all(sorted(order, key=original.index) == original for order in orders)


def test_split_by_subgroups_only_when_every_subgroup_meets_k():
    comments = {"teachers": make_comments(4), "support": make_comments(3), "visiting": []}
    split = comments_by_subgroup(
        comments, {"teachers": 9, "support": 6, "visiting": 0}, 5, rng=random.Random(2)
    )
    assert set(split) == {"teachers", "support", "visiting"}
    assert Counter(split["teachers"]) == Counter(comments["teachers"])
    assert Counter(split["support"]) == Counter(comments["support"])
    assert split["visiting"] == []


def test_no_split_when_a_subgroup_is_small():
    comments = {"teachers": make_comments(4), "support": make_comments(3)}
    assert comments_by_subgroup(comments, {"teachers": 9, "support": 4}, 5) is None


def test_no_split_when_the_whole_group_is_small():
    assert comments_by_subgroup({"a": make_comments(1)}, {"a": 4, "b": 0}, 5) is None


def test_split_rejects_inconsistent_input():
    with pytest.raises(ValueError):
        comments_by_subgroup({"ghost": make_comments(1)}, {"a": 9}, 5)
    with pytest.raises(ValueError):
        comments_by_subgroup({"a": make_comments(1), "b": make_comments(1)}, {"a": 9, "b": 0}, 5)


# --- groups of a survey run elsewhere (issue 22) -----------------------------------------------


@given(
    counts=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 12), st.integers(0, 2)), min_size=1, max_size=5
    ),
    with_total=st.booleans(),
    k=st.integers(3, 6),
)
def test_imported_external_groups_never_let_a_small_group_be_worked_out(counts, with_total, k):
    from surveys.external import SurveyRow, statement_figures

    def row(n, group, options):
        answered = sum(options)
        labelled = tuple(zip(("Agree", "Disagree", "Don't know"), options, strict=True))
        return SurveyRow(n, "s", group, labelled, None, None, 0, answered)

    rows = [row(n, f"g{n}", c) for n, c in enumerate(counts)]
    if with_total:
        rows.append(row(99, "All", tuple(sum(c[i] for c in counts) for i in range(3))))
    figures = statement_figures(rows, k)
    answered = {r.group: r.answered for r in rows}
    status = {g.group: g for g in figures.groups}
    for group, seen in status.items():
        if seen.shown:
            assert answered[group] >= k  # nobody under k shows a figure...
        else:
            assert seen.answered is None and seen.options == ()  # ...or keeps a count
        if 0 < answered[group] < k:  # "withheld" when the whole statement is concealed
            assert seen.status in ("suppressed", "withheld")
    total = figures.total_group
    if total is not None and status[total].shown:
        # the shown total minus the shown groups is the hidden groups together
        hidden = [g for g in status if g != total and not status[g].shown]
        union = sum(answered[g] for g in hidden)
        assert union == 0 or union >= k
        assert len([g for g in hidden if answered[g] > 0]) != 1

"""surveys.pinning: no published line of counts leaves a hidden cell one possible value.

Brute force, as a reader who knows the rules would: every table with a total up to 12 (k = 3
and 5) is published, tables are grouped by what a reader sees (counts, which hidden cells are
"fewer than k", which hidden to protect, and a concealed line), and inside each group every
hidden cell must take at least two values. One test per kind of line the app publishes: a
line with its total (own questions, channels, languages), answers received per audience and
channel, groups of a survey from elsewhere, and a line without a total. The closed form of
`pinned` is checked against the enumeration it replaces.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence

import pytest

from surveys.external import SurveyRow, statement_figures
from surveys.pinning import conceal, guarded_counts, pinned, shows_nothing
from surveys.question_types import Tally, check_spec, figures
from surveys.received import received_counts
from surveys.suppression import suppress_counts

KS = (3, 5)
TOTAL_MAX = 12


def tables(cells: int, total_max: int = TOTAL_MAX) -> Iterable[tuple[int, ...]]:
    """Every table of `cells` counts whose total is at most `total_max`."""
    for table in itertools.product(range(total_max + 1), repeat=cells):
        if sum(table) <= total_max:
            yield table


def assert_nothing_pinned(
    worlds: Iterable[tuple[int, ...]],
    view: Callable[[tuple[int, ...]], tuple[Hashable, Sequence[bool]]],
) -> int:
    """Group the worlds by what is published (`view` gives that and which cells it hides);
    each hidden cell must take two values in its group. Returns how many groups hid a cell."""
    groups: dict[Hashable, list[tuple[int, ...]]] = defaultdict(list)
    hides: dict[Hashable, Sequence[bool]] = {}
    for world in worlds:
        seen, hidden = view(world)
        groups[seen].append(world)
        hides[seen] = hidden
    hiding = 0
    for seen, members in groups.items():
        for cell, hidden in enumerate(hides[seen]):
            if hidden:
                values = {m[cell] for m in members}
                assert len(values) >= 2, (seen, cell, values, members[:3])
        hiding += any(hides[seen])
    return hiding


def _names(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def _line_view(k: int, with_total: bool = True):
    def view(world):
        table, _ = guarded_counts(
            dict(zip(_names(len(world)), world, strict=True)), k, with_total=with_total
        )
        seen = (
            tuple(table.shown.values()),
            table.primary,
            table.complementary,
            table.total if with_total else None,
            sum(world) if with_total else None,  # the total is known even where it is hidden
        )
        return seen, [v is None for v in table.shown.values()]

    return view


def _reference_pinned(world: tuple[int, ...], k: int) -> bool:
    """The definition `pinned` replaces: try every table that suppression publishes alike."""
    names = _names(len(world))
    table = suppress_counts(dict(zip(names, world, strict=True)), k)
    key = (tuple(table.shown.values()), table.primary, table.complementary)
    hidden = [i for i, name in enumerate(names) if name in table.hidden]
    values: dict[int, set[int]] = {i: set() for i in hidden}
    for other in tables(len(world), sum(world)):
        if sum(other) != sum(world):
            continue
        seen = suppress_counts(dict(zip(names, other, strict=True)), k)
        if (tuple(seen.shown.values()), seen.primary, seen.complementary) == key:
            for i in hidden:
                values[i].add(other[i])
    return any(len(found) < 2 for found in values.values())


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("cells", [2, 3, 4])
def test_the_closed_form_agrees_with_trying_every_table(k: int, cells: int) -> None:
    disagree = []
    for world in tables(cells, 10):
        table = suppress_counts(dict(zip(_names(cells), world, strict=True)), k)
        if pinned(dict(zip(_names(cells), world, strict=True)), table) != _reference_pinned(
            world, k
        ):
            disagree.append(world)
    assert disagree == []


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("cells", [2, 3, 4, 5])
def test_no_line_with_a_total_leaves_a_hidden_cell_one_value(k: int, cells: int) -> None:
    """Own questions' lines, an audience's channels, an audience's languages: beside a total
    known to the reader, concealed lines included."""
    assert assert_nothing_pinned(tables(cells), _line_view(k)) > 0


@pytest.mark.parametrize("k", KS)
def test_plain_suppression_did_leave_cells_one_value(k: int) -> None:
    """What the guard is for: without it, some published lines give a hidden cell away."""
    found = [
        w
        for w in tables(4)
        if pinned(
            dict(zip(_names(4), w, strict=True)),
            suppress_counts(dict(zip(_names(4), w, strict=True)), k),
        )
    ]
    # 1 under k, k hidden to protect it (so at most the next shown count, k + 1): 1 and k.
    assert (1, k, k + 1, 0) in found
    assert k != 3 or (1, 1, 10, 0) in found  # the two ones beside a shown total
    assert (k - 1, 1, 0, 0) not in found  # two cells under k with room to move: not pinned


@pytest.mark.parametrize("k", KS)
def test_a_line_without_a_total_is_never_pinned(k: int) -> None:
    """Audiences' respondents (the total is shown only when none is under k) and answers
    received per audience: primary cells only, each anywhere in [1, k-1]."""
    for world in tables(4):
        counts = dict(zip(_names(4), world, strict=True))
        table = suppress_counts(counts, k, with_total=False)
        assert not table.complementary
        assert not pinned(counts, table) and not shows_nothing(counts, table)
    # No total bounds them, so a box of tables, not a total, is what a reader cannot rule out.
    box = itertools.product(range(k + 3), repeat=4)
    assert assert_nothing_pinned(box, _line_view(k, with_total=False)) > 0


def test_a_concealed_line_keeps_its_total_and_says_no_cell_is_small() -> None:
    table = suppress_counts({"a": 10, "b": 1, "c": 1, "d": 0}, 3)
    assert pinned({"a": 10, "b": 1, "c": 1, "d": 0}, table)  # b = c = 1, so a = 10
    hidden = conceal(table)
    assert dict(hidden.shown) == dict.fromkeys("abcd") and hidden.total == 12
    assert hidden.primary == frozenset() and hidden.complementary == set("abcd")
    shown, concealed = guarded_counts({"a": 10, "b": 5, "c": 0}, 3)
    assert not concealed and dict(shown.shown) == {"a": 10, "b": 5, "c": 0}


@pytest.mark.parametrize("k", KS)
def test_answers_received_per_audience_and_channel_pin_nothing(k: int) -> None:
    """One audience's three channels beside another audience: the audience line has no total
    while one is hidden, each shown audience's channels are a line with its total."""
    channels = ("email", "link", "paper")

    def view(world):
        *split, other = world
        got = received_counts(
            {"a": dict(zip(channels, split, strict=True)), "b": {"email": other}}, k, channels
        )
        a, b = got.audiences["a"], got.audiences["b"]
        seen = (
            a.count,
            tuple(a.channels.values()),
            a.small,
            a.notice,
            b.count,
            b.notice,
            got.total,
        )
        hidden = [a.count is None or a.channels[c] is None for c in channels]
        return seen, [*hidden, b.count is None]

    worlds = [(*w, other) for w in tables(3) for other in (0, 1, k - 1, k, 7)]
    assert assert_nothing_pinned(worlds, view) > 0


def _external_view(k: int, with_total: bool):
    def row(n: int, group: str, agree: int) -> SurveyRow:
        return SurveyRow(n, "s", group, (("Agree", agree),), None, None, 0, agree)

    def view(world):
        rows = [row(n, f"g{n}", c) for n, c in enumerate(world)]
        if with_total:
            rows.append(row(9, "All", sum(world)))
        found = statement_figures(rows, k)
        seen = (found.total_group, tuple((g.group, g.status, g.answered) for g in found.groups))
        by_group = {g.group: g for g in found.groups}
        hidden = [by_group[f"g{n}"].status in ("suppressed", "withheld") for n in range(len(world))]
        return seen, hidden

    return view


@pytest.mark.parametrize("k", KS)
def test_groups_of_a_survey_from_elsewhere_with_an_all_row_pin_nothing(k: int) -> None:
    """Three groups of one statement and an "All" row that is their sum. Left out, which only
    makes each group of tables smaller (harder to pass): a file whose only non-zero group
    equals "All" (that group is found as the total instead), and statements fewer than k
    answered in all (nothing of them is shown)."""
    worlds = [w for w in tables(3) if sum(1 for c in w if c) >= 2 and sum(w) >= k]
    assert assert_nothing_pinned(worlds, _external_view(k, with_total=True)) > 0


@pytest.mark.xfail(strict=True, reason="the total group is found from the counts themselves")
def test_a_total_found_by_its_counts_can_give_a_group_away() -> None:
    """Known, not changed here: without an "All" row, a group that is the sum of the others is
    taken as the total, so "no total found" is itself a fact about hidden counts. Groups 1, 3
    and 5 with k = 3: the 1 is hidden, but 2 would have made 5 the total, so it is 1."""
    worlds = [w for w in itertools.product(range(8), repeat=3) if sum(w) >= 3]
    assert_nothing_pinned(worlds, _external_view(3, with_total=False))


YES_NO = check_spec("yes_no", "Q")
TWO = check_spec("one_choice", "Q", options=["A", "B"])
ONE_BIN = check_spec("number", "Q", minimum="0", maximum="9", bins="0-9")
SEVERAL = check_spec("several_choices", "Q", options=["A", "B"])


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize(
    ("spec", "codes"),
    [
        (YES_NO, ("yes", "no", "dk")),
        (TWO, ("o1", "o2")),
        (ONE_BIN, ("5",)),
        (SEVERAL, ("o1", "o2")),
    ],
    ids=["yes_no", "two_options", "one_bin", "several"],
)
def test_own_questions_pin_nothing_when_a_question_shows_nothing(k, spec, codes) -> None:
    """An audience shown (k or more respondents): a question showing nothing is a view too, so
    it must not single out a table (with k = 3, 1 A, 1 B and 1 blank alone would be pinned)."""

    def worlds():
        for respondents in range(k, TOTAL_MAX + 1):
            for counts in itertools.product(range(respondents + 1), repeat=len(codes)):
                if spec.kind == "several_choices" or sum(counts) <= respondents:
                    yield (respondents, *counts)

    def view(world):
        respondents, *counts = world
        seen = figures(spec, Tally(respondents, dict(zip(codes, counts, strict=True))), k)
        if seen.suppressed:  # the question shows nothing for this audience
            return seen, [False, *(True for _ in codes), spec.kind != "several_choices"]
        hidden = [False, *(c.count is None for c in seen.cells)]
        if seen.no_answer is not None:
            hidden.append(seen.no_answer.count is None)
        return seen, hidden

    def with_blank(world):
        respondents, *counts = world
        return (*world, respondents - sum(counts))

    if spec.kind == "several_choices":
        assert assert_nothing_pinned(worlds(), view) > 0
    else:
        assert assert_nothing_pinned((with_blank(w) for w in worlds()), lambda w: view(w[:-1])) > 0


def test_answers_received_concealed_say_no_channel_is_small() -> None:
    """The API's reasons come from `small`: a concealed split must not name the small ones."""
    channels = ("email", "link", "paper")
    got = received_counts({"a": {"email": 20, "link": 5, "paper": 1}}, 5, channels).audiences["a"]
    assert got.count == 26 and dict(got.channels) == dict.fromkeys(channels)
    assert got.small == frozenset()
    plain = received_counts({"a": {"email": 20, "link": 9, "paper": 1}}, 5, channels).audiences["a"]
    assert dict(plain.channels) == {"email": 20, "link": None, "paper": None}
    assert plain.small == {"paper"}

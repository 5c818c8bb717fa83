"""surveys.assessment: spread, disagreement order, triangulation, SAT-vs-stakeholder flags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frameworks import builtin_frameworks
from surveys.assessment import (
    SOURCE_TYPES,
    CellFigures,
    disagreements_first,
    rating_spread,
    sat_band,
    stakeholder_flags,
    thread_counts,
    triangulation,
)
from surveys.statistics import (
    clustered_interval,
    sat_band_progress,
    sat_band_six_point,
    wilson_interval,
)

HMIE = builtin_frameworks()["hmie-children-services"].rating_scale
CSIT = builtin_frameworks()["csit-collaborative-working"].rating_scale
DERWENT = builtin_frameworks()["derwent-interagency"].rating_scale


# -- spread ----------------------------------------------------------------------------------


def test_spread_counts_every_level_best_first() -> None:
    spread = rating_spread(HMIE, "2.1", ["5", "2", "5", "4"])
    assert spread.counts == (("6", 0), ("5", 2), ("4", 1), ("3", 0), ("2", 1), ("1", 0))
    assert spread.raters == 4
    assert (spread.min_rank, spread.max_rank) == (2, 5)
    assert spread.levels_apart == 3
    # ranks 5, 2, 5, 4: median 4.5, deviations .5 2.5 .5 .5 -> 1.0
    assert spread.deviation == pytest.approx(1.0)
    assert spread.words == "Ratings 3 levels apart"


def test_spread_on_letters_uses_rank_not_alphabet() -> None:
    # CSIT levels best first e..a: "a" ranks 1, "e" ranks 5.
    spread = rating_spread(CSIT, "cw-1", ["a", "e"])
    assert (spread.min_rank, spread.max_rank, spread.levels_apart) == (1, 5, 4)


def test_unanimous_single_and_empty() -> None:
    same = rating_spread(DERWENT, "x", ["met", "met", "met"])
    assert same.unanimous and same.levels_apart == 0 and same.deviation == 0
    assert same.words == "Everyone gave the same rating"
    one = rating_spread(DERWENT, "x", ["partly"])
    assert not one.comparable and not one.unanimous and one.words == "Only one rating so far"
    none = rating_spread(DERWENT, "x", [])
    assert none.raters == 0 and none.min_rank is None and none.words == "No ratings yet"


def test_spread_rejects_codes_off_the_scale() -> None:
    with pytest.raises(ValueError, match="'7'"):
        rating_spread(HMIE, "2.1", ["6", "7"])
    with pytest.raises(ValueError):
        rating_spread(CSIT, "cw-1", ["f"])


def test_disagreements_first_orders_by_range_then_deviation_then_framework() -> None:
    order = ["a1", "a2", "a3", "a4", "a5", "a6"]
    spreads = [
        rating_spread(HMIE, "a1", ["4", "4", "4"]),  # 0 apart
        rating_spread(HMIE, "a2", ["6", "2", "2", "2"]),  # 4 apart, deviation 1
        rating_spread(HMIE, "a3", ["6", "6", "2", "2"]),  # 4 apart, deviation 2
        rating_spread(HMIE, "a4", ["5"]),  # not comparable
        rating_spread(HMIE, "a5", ["5", "4"]),  # 1 apart
        rating_spread(HMIE, "a6", ["3", "4"]),  # 1 apart, same deviation as a5: framework order
    ]
    ordered = [s.indicator_id for s in disagreements_first(spreads, order)]
    assert ordered == ["a3", "a2", "a5", "a6", "a1", "a4"]


def test_unrated_indicators_never_outrank_a_disagreement() -> None:
    spreads = [rating_spread(HMIE, "z", []), rating_spread(HMIE, "y", ["6", "5"])]
    assert [s.indicator_id for s in disagreements_first(spreads, ["z", "y"])] == ["y", "z"]


@given(st.lists(st.sampled_from([lvl.code for lvl in HMIE.levels]), max_size=12))
def test_spread_invariants(values: list[str]) -> None:
    spread = rating_spread(HMIE, "i", values)
    assert sum(n for _, n in spread.counts) == len(values)
    if len(values) >= 2:
        assert spread.levels_apart == spread.max_rank - spread.min_rank  # type: ignore[operator]
        assert 0 <= spread.deviation <= spread.levels_apart
    else:
        assert spread.levels_apart == 0


# -- triangulation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sources", "count", "status", "flagged"),
    [
        ([], 0, "none", True),
        (["documentation"], 1, "single", True),
        (["documentation", "documentation", "documentation"], 1, "single", True),
        (["documentation", "stakeholder_views"], 2, "corroborating", False),
        (["performance_data", "stakeholder_views", "direct_observation"], 3, "triangulated", False),
        (list(SOURCE_TYPES) * 2, 4, "triangulated", False),
    ],
)
def test_triangulation_counts_distinct_source_types(
    sources: list[str], count: int, status: str, flagged: bool
) -> None:
    result = triangulation(sources)
    assert result.items == len(sources)
    assert result.count == count
    assert result.status == status
    assert result.flagged is flagged


def test_triangulation_lists_sources_in_the_guides_order_and_rejects_unknown() -> None:
    result = triangulation(["direct_observation", "performance_data"])
    assert result.sources == ("performance_data", "direct_observation")
    with pytest.raises(ValueError, match="gossip"):
        triangulation(["gossip"])


# -- SAT vs stakeholders ---------------------------------------------------------------------


def test_band_follows_each_frameworks_scale() -> None:
    for level in HMIE.levels:
        assert sat_band(HMIE, level.code) == sat_band_six_point(int(level.code))
    for level in CSIT.levels:
        assert sat_band(CSIT, level.code) == sat_band_progress(level.code)
    assert sat_band(DERWENT, "met") == "good_or_better"
    assert sat_band(DERWENT, "partly") == "adequate_or_below"
    assert sat_band(DERWENT, "not-met") == "adequate_or_below"
    with pytest.raises(ValueError):
        sat_band(HMIE, "e")


def _cell(fav: int, base: int, audience: str = "parents", suppressed: bool = False) -> CellFigures:
    return CellFigures(audience, audience.title(), suppressed, fav, base)


# Wilson 95% bounds worked by hand (z = 1.95996):
#   1 of 10:  centre (0.1 + 0.19208) / 1.38416 = 0.2110, half 0.1931  -> upper 0.404 (< 0.5)
#   2 of 10:  centre (0.2 + 0.19208) / 1.38416 = 0.2833, half 0.2266  -> upper 0.510 (>= 0.5)
#   19 of 20: centre (0.95 + 0.09604) / 1.19208 = 0.8775, half 0.1136 -> lower 0.764 (>= 0.75)
#   18 of 20: centre (0.9 + 0.09604) / 1.19208 = 0.8356, half 0.1366  -> lower 0.699 (< 0.75)
@pytest.mark.parametrize(
    ("scale", "agreed", "fav", "base", "expected"),
    [
        (HMIE, "4", 1, 10, "blind_spot"),
        (HMIE, "4", 2, 10, None),  # upper bound 51%: not clearly below half
        (HMIE, "3", 1, 10, None),  # adequate rating: no blind spot possible
        (HMIE, "3", 19, 20, "hidden_strength"),
        (HMIE, "3", 18, 20, None),  # lower bound 70%
        (HMIE, "4", 19, 20, None),  # good rating and positive stakeholders agree
        (CSIT, "d", 1, 10, "blind_spot"),
        (CSIT, "c", 1, 10, None),
        (CSIT, "c", 19, 20, "hidden_strength"),
        (DERWENT, "met", 1, 10, "blind_spot"),
        (DERWENT, "partly", 19, 20, "hidden_strength"),
    ],
)
def test_flags_against_hand_computed_cases(scale, agreed, fav, base, expected) -> None:
    flags = stakeholder_flags(scale, agreed, [_cell(fav, base)])
    assert [f.signal for f in flags] == ([expected] if expected else [])


def test_flag_carries_bounds_and_words() -> None:
    (flag,) = stakeholder_flags(HMIE, "5", [_cell(1, 10)])
    assert flag.ci_high == pytest.approx(0.4042, abs=1e-3)
    assert flag.ci_low == pytest.approx(0.0179, abs=1e-3)
    assert "blind spot" in flag.words and "parents" in flag.words and "2-40%" in flag.words
    (strength,) = stakeholder_flags(HMIE, "2", [_cell(19, 20, "staff")])
    assert "hidden strength" in strength.words and "76-99%" in strength.words


def test_suppressed_and_empty_cells_never_flag() -> None:
    cells = [
        CellFigures("children", "Children", True),  # suppressed: no counts at all
        _cell(1, 10, "staff", suppressed=True),  # even if counts leaked in, suppressed wins
        _cell(0, 0, "partners"),
    ]
    assert stakeholder_flags(HMIE, "6", cells) == []


def test_no_agreed_rating_no_flags_and_one_flag_per_audience() -> None:
    cells = [_cell(1, 10, "parents"), _cell(1, 12, "staff"), _cell(9, 10, "partners")]
    assert stakeholder_flags(HMIE, None, cells) == []
    assert [f.audience for f in stakeholder_flags(HMIE, "6", cells)] == ["parents", "staff"]


def test_an_indicator_figure_flags_on_its_own_clustered_interval() -> None:
    """28 of 30 pooled answers would be a hidden strength on Wilson (lower bound 79%), but they
    came from ten people answering three statements, and one of them disagreed with two: by hand,
    p = 14/15, residuals 0.2 (x9) and -1.8, var = 3.6 / 900, n_eff = (14/15)(1/15) / 0.004 =
    15.6 people's worth, and the lower bound falls to 71%."""
    pairs = [(3, 3)] * 9 + [(1, 3)]
    interval = clustered_interval(pairs)
    assert interval[0] == pytest.approx(0.707, abs=1e-3)
    assert wilson_interval(28, 30)[0] == pytest.approx(0.787, abs=1e-3)
    clustered = CellFigures("staff", "Staff", False, 28, 30, interval)
    assert stakeholder_flags(HMIE, "2", [clustered]) == []
    # an old import without its own interval: Wilson on the answers, as it was shown then
    assert [f.signal for f in stakeholder_flags(HMIE, "2", [_cell(28, 30)])] == ["hidden_strength"]
    with pytest.raises(ValueError):
        stakeholder_flags(HMIE, "2", [clustered], confidence=0.9)


# -- red threads -----------------------------------------------------------------------------


def test_thread_counts_most_tagged_first_once_per_judgement() -> None:
    threads = ["clear-direction", "continuous-improvement", "financial-management"]
    tags = [
        ["continuous-improvement", "continuous-improvement"],
        ["financial-management", "continuous-improvement"],
        ["unknown-thread"],
        [],
    ]
    assert thread_counts(threads, tags) == [
        ("continuous-improvement", 2),
        ("financial-management", 1),
        ("clear-direction", 0),
    ]

"""surveys.statistics against DESIGN.md section 7, with statsmodels as an independent oracle."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from surveys.scales import SCALES
from surveys.statistics import (
    DifferenceInterval,
    Disparity,
    Distribution,
    IndicatorRollup,
    ItemResult,
    RollupKey,
    compare_rounds,
    compare_with_sat,
    disparities,
    format_percent,
    largest_first,
    newcombe_difference,
    pool,
    quantity_word,
    roll_up,
    sat_band_progress,
    sat_band_six_point,
    whole_percent,
    wilson_interval,
)

AGREE = SCALES["agree4"]
FACES = SCALES["faces3"]
PROGRESS = SCALES["progress5"]

QUICK = settings(max_examples=300, deadline=None, database=None)


def agree(sa=0, a=0, d=0, sd=0, dk=0):
    return Distribution(AGREE, {"sa": sa, "a": a, "d": d, "sd": sd, "dk": dk})


def faces(happy=0, ok=0, sad=0, dk=0):
    return Distribution(FACES, {"happy": happy, "ok": ok, "sad": sad, "dk": dk})


def oracle_wilson(x, n, confidence=0.95):
    low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    return float(low), float(high)


# --- Wilson ------------------------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.95, 0.90, 0.99])
def test_wilson_matches_statsmodels_for_every_count_up_to_80(confidence):
    checked = 0
    for n in range(1, 81):
        for x in range(n + 1):
            ours = wilson_interval(x, n, confidence)
            expected = oracle_wilson(x, n, confidence)
            assert ours == pytest.approx(expected, abs=1e-12), (x, n)
            checked += 1
    assert checked == sum(n + 1 for n in range(1, 81))


@QUICK
@given(n=st.integers(1, 10**7), data=st.data())
def test_wilson_matches_statsmodels_for_large_groups(n, data):
    x = data.draw(st.one_of(st.just(0), st.just(n), st.integers(0, n)))
    assert wilson_interval(x, n) == pytest.approx(oracle_wilson(x, n), abs=1e-12)


@QUICK
@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_contains_the_estimate_and_stays_in_unit_interval(n, data):
    x = data.draw(st.integers(0, n))
    low, high = wilson_interval(x, n)
    assert 0.0 <= low <= x / n <= high <= 1.0


def test_wilson_ends_are_exact_at_none_and_all():
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0
    # hand check, 1 of 1: centre (1 + z^2/2) / (1 + z^2), half width (z^2/2) / (1 + z^2)
    z = 1.959963984540054
    assert wilson_interval(1, 1) == pytest.approx((1 / (1 + z * z), 1.0))
    assert wilson_interval(1, 1)[0] == pytest.approx(0.2065, abs=1e-4)


def test_wilson_of_nothing_is_none():
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(
    ("x", "n", "confidence", "error"),
    [
        (3, 2, 0.95, ValueError),
        (-1, 2, 0.95, ValueError),
        (0, -1, 0.95, ValueError),
        (1, 2, 1.0, ValueError),
        (1, 2, 0.0, ValueError),
        (1.0, 2, 0.95, TypeError),
        (True, 2, 0.95, TypeError),
    ],
)
def test_wilson_rejects_impossible_input(x, n, confidence, error):
    with pytest.raises(error):
        wilson_interval(x, n, confidence)


# --- quantity words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "word"),
    [
        (100, "all"),
        (99.999, "almost all"),
        (90.0001, "almost all"),
        (90, "most"),
        (89.9999, "most"),
        (75, "most"),
        (74.999, "majority"),
        (50, "majority"),
        (49.99, "less than half"),
        (15, "less than half"),
        (14.99, "few"),
        (0.001, "few"),
        (0, "none"),
        (Fraction(900, 10), "most"),
        (Fraction(9001, 100), "almost all"),
    ],
)
def test_quantity_word_boundaries(percent, word):
    assert quantity_word(percent) == word


@pytest.mark.parametrize("bad", [-0.001, 100.0001, float("nan"), float("inf")])
def test_quantity_word_rejects_impossible_percentages(bad):
    with pytest.raises(ValueError):
        quantity_word(bad)


@pytest.mark.parametrize(
    ("favourable", "base", "word"),
    [
        (9, 10, "most"),  # exactly 90: not "almost all"
        (3, 4, "most"),  # exactly 75
        (1, 2, "majority"),  # exactly 50
        (3, 20, "less than half"),  # exactly 15, although 0.15 * 100 == 15.000000000000002
        (28, 100, "less than half"),
        (10, 10, "all"),
        (0, 10, "none"),
        (1, 1000, "few"),
        (901, 1000, "almost all"),
    ],
)
def test_distribution_word_is_decided_on_the_exact_value(favourable, base, word):
    assert agree(a=favourable, d=base - favourable, dk=4).quantity_word == word


def test_word_uses_unrounded_value_while_display_rounds():
    under = agree(a=896, d=104)  # 89.6%: shows 90%, is "most"
    over = agree(a=904, d=96)  # 90.4%: shows 90%, is "almost all"
    assert format_percent(under.favourable_fraction * 100) == "90%"
    assert format_percent(over.favourable_fraction * 100) == "90%"
    assert (under.quantity_word, over.quantity_word) == ("most", "almost all")


# --- display rounding --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "whole"),
    [
        (82.5, 83),
        (2.5, 3),  # round() would give 2
        (0.5, 1),  # round() would give 0
        (1.5, 2),
        (-2.5, -3),
        (82.456, 82),
        (82.4999, 82),
        (Fraction(100, 8), 13),  # 12.5 exactly
        (Fraction(200, 3), 67),
        (0, 0),
        (100, 100),
    ],
)
def test_whole_percent_rounds_half_away_from_zero(value, whole):
    assert whole_percent(value) == whole


def test_format_percent():
    assert format_percent(Fraction(4700, 57)) == "82%"
    with pytest.raises(ValueError):
        format_percent(float("nan"))


# --- distributions -----------------------------------------------------------------------------


def test_percent_favourable_excludes_dont_know():
    d = agree(sa=3, a=2, d=1, sd=0, dk=4)
    assert dict(d.counts) == {"sa": 3, "a": 2, "d": 1, "sd": 0, "dk": 4}
    assert d.n_answered == 10
    assert d.dont_know == 4
    assert d.base == 6
    assert d.favourable == 5
    assert d.percent_favourable == pytest.approx(500 / 6)
    assert d.interval() == pytest.approx(oracle_wilson(5, 6))


def test_missing_options_count_zero_in_scale_order():
    d = Distribution(AGREE, {"d": 2, "sa": 1})
    assert list(d.counts.items()) == [("sa", 1), ("a", 0), ("d", 2), ("sd", 0), ("dk", 0)]
    assert d == agree(sa=1, d=2)


def test_faces_favourable_is_the_happy_face():
    d = faces(happy=6, ok=3, sad=1, dk=2)
    assert (d.favourable, d.base, d.percent_favourable) == (6, 10, 60.0)


def test_nothing_but_dont_know_has_no_percentage():
    d = agree(dk=5)
    assert d.base == 0
    assert d.percent_favourable is None
    assert d.favourable_fraction is None
    assert d.interval() is None
    assert d.quantity_word is None


@pytest.mark.parametrize(
    ("counts", "error"),
    [
        ({"happy": 1}, ValueError),
        ({"sa": -1}, ValueError),
        ({"sa": 1.0}, TypeError),
        ({"sa": True}, TypeError),
    ],
)
def test_distribution_rejects_bad_counts(counts, error):
    with pytest.raises(error):
        Distribution(AGREE, counts)


def test_distribution_is_read_only():
    d = agree(sa=1)
    with pytest.raises(TypeError):
        d.counts["sa"] = 5
    with pytest.raises(AttributeError):
        d.scale = FACES


# --- pooling and roll-up -----------------------------------------------------------------------


def test_pool_adds_answers():
    pooled = pool([agree(sa=1, a=2, dk=1), agree(a=3, d=4, sd=1)])
    assert pooled == agree(sa=1, a=5, d=4, sd=1, dk=1)
    assert (pooled.favourable, pooled.base) == (6, 11)


def test_faces_are_never_pooled_with_agree4():
    with pytest.raises(ValueError, match="pooled group"):
        pool([agree(sa=3), faces(happy=3)])
    with pytest.raises(ValueError, match="pooled group"):
        pool([faces(happy=3), agree(sa=3)])


def test_pool_needs_something():
    with pytest.raises(ValueError):
        pool([])


def test_roll_up_keeps_faces_and_agree4_apart():
    items = [
        ItemResult("q1", "2.2", "parents", agree(sa=10, a=5, d=5)),
        ItemResult("q2", "2.2", "parents", agree(a=10, d=2, dk=3)),
        ItemResult("q3", "2.2", "children", faces(happy=4, ok=4)),
        ItemResult("q4", "2.2", "children", agree(a=4, d=4)),  # older children on the adult scale
        ItemResult("q5", "5.1", "parents", agree(sd=3)),
    ]
    rollups = roll_up(items)
    assert list(rollups) == [
        RollupKey("2.2", "parents", "adult"),
        RollupKey("2.2", "children", "faces"),
        RollupKey("2.2", "children", "adult"),
        RollupKey("5.1", "parents", "adult"),
    ]
    parents = rollups[RollupKey("2.2", "parents", "adult")]
    assert [i.item_id for i in parents.items] == ["q1", "q2"]
    assert parents.pooled == agree(sa=10, a=15, d=7, dk=3)
    assert rollups[RollupKey("2.2", "children", "faces")].pooled == faces(happy=4, ok=4)
    assert rollups[RollupKey("2.2", "children", "adult")].pooled == agree(a=4, d=4)


def test_a_roll_up_cannot_be_built_with_mismatched_items():
    with pytest.raises(ValueError):
        IndicatorRollup(
            RollupKey("2.2", "children", "adult"),
            (ItemResult("q3", "2.2", "children", faces(happy=4)),),
        )
    with pytest.raises(ValueError):
        IndicatorRollup(
            RollupKey("2.2", "parents", "adult"),
            (ItemResult("q1", "5.1", "parents", agree(sa=1)),),
        )
    with pytest.raises(ValueError):
        IndicatorRollup(RollupKey("2.2", "parents", "adult"), ())


# --- disparities -------------------------------------------------------------------------------


def rollup(indicator, audience, distribution):
    return roll_up([ItemResult(f"{indicator}-{audience}", indicator, audience, distribution)])


def all_rollups(*parts):
    found = {}
    for part in parts:
        found.update(part)
    return list(found.values())


def test_disparities_largest_first_and_only_for_shown_audiences():
    rollups = all_rollups(
        rollup("1.1", "staff", agree(a=9, d=1)),  # 90
        rollup("1.1", "parents", agree(a=6, d=4)),  # 60
        rollup("1.1", "partners", agree(a=1, d=1)),  # 50, but suppressed below
        rollup("2.2", "staff", agree(a=10)),  # 100
        rollup("2.2", "parents", agree(a=2, d=8)),  # 20
        rollup("2.2", "community", agree(a=5, d=5)),  # 50
        rollup("3.1", "staff", agree(a=5, d=5)),  # alone among shown audiences
        rollup("4.1", "staff", agree(a=7, d=3)),  # 70
        rollup("4.1", "parents", agree(dk=6)),  # no substantive answers: left out
        rollup("4.1", "community", agree(a=7, d=3)),  # 70: spread 0
    )
    found = disparities(rollups, shown_audiences={"staff", "parents", "community"})
    assert [d.indicator for d in found] == ["2.2", "1.1", "4.1"]
    top = found[0]
    assert top == Disparity(
        indicator="2.2",
        pooled_group="adult",
        spread=80.0,
        highest=("staff",),
        lowest=("parents",),
        percents=(("staff", 100.0), ("community", 50.0), ("parents", 20.0)),
    )
    assert found[1].spread == pytest.approx(30.0)
    assert "partners" not in {a for d in found for a, _ in d.percents}
    assert found[2].spread == 0.0
    assert found[2].highest == found[2].lowest == ("community", "staff")


def test_disparities_never_compare_faces_with_adult_scales():
    rollups = all_rollups(
        rollup("2.2", "children", faces(happy=1, sad=9)),
        rollup("2.2", "parents", agree(a=9, d=1)),
    )
    assert disparities(rollups, shown_audiences={"children", "parents"}) == []


def test_largest_first_breaks_ties_by_indicator():
    a = Disparity("2.1", "adult", 10.0, ("x",), ("y",), ())
    b = Disparity("1.1", "adult", 10.0, ("x",), ("y",), ())
    c = Disparity("9.9", "adult", 40.0, ("x",), ("y",), ())
    assert largest_first([a, b, c]) == [c, b, a]


# --- SAT vs stakeholders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "x", "n", "expected"),
    [
        # Wilson upper bounds, checked against statsmodels below: 9/30 .4788, 10/30 .5122,
        # 21/57 .4982, 22/57 .5157, 5/20 .4687, 6/20 .5190
        ("good_or_better", 9, 30, "blind_spot"),
        ("good_or_better", 10, 30, None),
        ("good_or_better", 21, 57, "blind_spot"),
        ("good_or_better", 22, 57, None),
        ("good_or_better", 5, 20, "blind_spot"),
        ("good_or_better", 6, 20, None),
        ("good_or_better", 0, 3, None),  # 0 of 3: upper .5615, too few to call
        # Wilson lower bounds: 19/20 .7639, 18/20 .6990 (90% is not enough), 28/30 .7868,
        # 27/30 .7438, 10/10 .7225 (100% of 10 is not enough), 50/57 .7675, 49/57 .7468
        ("adequate_or_below", 19, 20, "hidden_strength"),
        ("adequate_or_below", 18, 20, None),
        ("adequate_or_below", 28, 30, "hidden_strength"),
        ("adequate_or_below", 27, 30, None),
        ("adequate_or_below", 10, 10, None),
        ("adequate_or_below", 50, 57, "hidden_strength"),
        ("adequate_or_below", 49, 57, None),
        # the other band never fires
        ("adequate_or_below", 0, 30, None),
        ("good_or_better", 30, 30, None),
        ("good_or_better", 0, 0, None),
    ],
)
def test_blind_spots_and_hidden_strengths(band, x, n, expected):
    assert compare_with_sat(band, x, n) == expected
    if n:
        low, high = oracle_wilson(x, n)
        if expected == "blind_spot":
            assert high < 0.5
        if expected == "hidden_strength":
            assert low >= 0.75


def test_compare_with_sat_rejects_unknown_band():
    with pytest.raises(ValueError):
        compare_with_sat("good", 1, 2)


@pytest.mark.parametrize(
    ("level", "band"),
    [
        (6, "good_or_better"),
        (4, "good_or_better"),
        (3, "adequate_or_below"),
        (1, "adequate_or_below"),
    ],
)
def test_six_point_bands(level, band):
    assert sat_band_six_point(level) == band


@pytest.mark.parametrize(
    ("letter", "band"),
    [
        ("e", "good_or_better"),
        ("d", "good_or_better"),
        ("c", "adequate_or_below"),
        ("b", "adequate_or_below"),
        ("a", "adequate_or_below"),
    ],
)
def test_progress_bands(letter, band):
    assert sat_band_progress(letter) == band


@pytest.mark.parametrize("bad", [0, 7, True, "4"])
def test_six_point_rejects_bad_levels(bad):
    with pytest.raises(ValueError):
        sat_band_six_point(bad)


@pytest.mark.parametrize("bad", ["f", "D", "", 3])
def test_progress_rejects_bad_letters(bad):
    with pytest.raises(ValueError):
        sat_band_progress(bad)


# --- round vs round ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [
        # Newcombe (1998) Statistics in Medicine 17:873-890, Table II, method 10
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)
def test_newcombe_reproduces_the_published_examples(x1, n1, x2, n2, low, high):
    result = newcombe_difference(x1, n1, x2, n2)
    assert result.difference == pytest.approx(x1 / n1 - x2 / n2)
    assert round(result.low, 4) == pytest.approx(low)
    assert round(result.high, 4) == pytest.approx(high)


def test_newcombe_first_example_by_hand():
    # 56/70 = 0.8, Wilson (0.6918, 0.8770); 48/80 = 0.6, Wilson (0.4905, 0.7004)
    # low  = 0.2 - sqrt((0.8 - 0.6918)^2 + (0.7004 - 0.6)^2) = 0.2 - 0.1476 = 0.0524
    # high = 0.2 + sqrt((0.8770 - 0.8)^2 + (0.6 - 0.4905)^2) = 0.2 + 0.1339 = 0.3339
    result = newcombe_difference(56, 70, 48, 80)
    assert result.difference == pytest.approx(0.2)
    assert wilson_interval(56, 70) == pytest.approx((0.6918, 0.8770), abs=1e-4)
    assert wilson_interval(48, 80) == pytest.approx((0.4905, 0.7004), abs=1e-4)
    assert (result.low, result.high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert result.significant


@QUICK
@given(n1=st.integers(1, 400), n2=st.integers(1, 400), data=st.data())
def test_newcombe_matches_statsmodels(n1, n2, data):
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    low, high = confint_proportions_2indep(
        x1, n1, x2, n2, method="newcomb", compare="diff", correction=False
    )
    result = newcombe_difference(x1, n1, x2, n2)
    assert (result.low, result.high) == pytest.approx((float(low), float(high)), abs=1e-12)
    assert -1 <= result.low <= result.difference <= result.high <= 1


@pytest.mark.parametrize(
    ("interval", "significant"),
    [
        (DifferenceInterval(0.1, 0.01, 0.2), True),
        (DifferenceInterval(-0.1, -0.2, -0.01), True),
        (DifferenceInterval(0.1, -0.01, 0.2), False),
        (DifferenceInterval(0.1, 0.0, 0.2), False),  # touching 0 does not exclude it
        (DifferenceInterval(-0.1, -0.2, 0.0), False),
    ],
)
def test_significant_only_when_zero_is_excluded(interval, significant):
    assert interval.significant is significant


def test_newcombe_small_change_is_not_significant():
    result = newcombe_difference(8, 10, 6, 10)
    assert result.low < 0 < result.high
    assert not result.significant


def test_newcombe_needs_answers_on_both_sides():
    assert newcombe_difference(0, 0, 3, 4) is None
    assert newcombe_difference(3, 4, 0, 0) is None


def test_compare_rounds_uses_percent_favourable_and_needs_the_same_scale():
    now = agree(sa=40, a=16, d=14, dk=9)  # 56 of 70
    before = agree(a=48, sd=32, dk=1)  # 48 of 80
    result = compare_rounds(now, before)
    assert result == newcombe_difference(56, 70, 48, 80)
    with pytest.raises(ValueError):
        compare_rounds(now, faces(happy=48, sad=32))
    assert compare_rounds(agree(dk=3), before) is None


def test_progress_scale_favourable_is_d_or_e():
    d = Distribution(PROGRESS, {"e": 2, "d": 3, "c": 4, "b": 1, "a": 0, "dk": 7})
    assert (d.favourable, d.base) == (5, 10)
    assert math.isclose(d.percent_favourable, 50.0)

"""The clustered interval of an indicator's roll-up (DESIGN.md 7, "Interval"), against an
independent computation: the ratio estimator's linearisation residuals worked out with numpy,
then statsmodels' Wilson interval with n_eff in place of n."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from surveys.scales import SCALES
from surveys.statistics import (
    Clusters,
    Distribution,
    IndicatorRollup,
    ItemResult,
    RollupKey,
    clustered_interval,
    compare_rollups,
    newcombe_difference,
    roll_up,
    sat_signal,
    wilson_interval,
)

AGREE = SCALES["agree4"]
QUICK = settings(max_examples=300, deadline=None, database=None)


def reference(pairs: list[tuple[int, int]], confidence: float = 0.95) -> tuple[float, float]:
    """From first principles: p = sum f / sum v; residuals e_i = f_i - p v_i; var = sum e_i^2 /
    (sum v)^2; n_eff = p(1-p)/var (sum v when var is 0); Wilson from statsmodels on n_eff."""
    f = np.array([a for a, _ in pairs], dtype=float)
    v = np.array([b for _, b in pairs], dtype=float)
    total = v.sum()
    p = f.sum() / total
    residuals = f - p * v
    variance = float(np.sum(residuals**2) / total**2)
    n_eff = total if variance <= 1e-15 else p * (1 - p) / variance
    low, high = proportion_confint(p * n_eff, n_eff, alpha=1 - confidence, method="wilson")
    return float(low), float(high)


def respondent() -> st.SearchStrategy[tuple[int, int]]:
    """One person's (favourable, valid) answers to up to 8 statements."""
    return st.integers(0, 8).flatmap(lambda v: st.tuples(st.integers(0, v), st.just(v)))


people = st.lists(respondent(), min_size=1, max_size=60).filter(lambda ps: sum(v for _, v in ps))


@QUICK
@given(people, st.sampled_from([0.95, 0.9, 0.99]))
def test_matches_an_independent_computation_on_random_data(pairs, confidence) -> None:
    ours = clustered_interval(pairs, confidence)
    assert ours == pytest.approx(reference(pairs, confidence), abs=1e-9)
    low, high = ours
    p = sum(f for f, _ in pairs) / sum(v for _, v in pairs)
    assert 0 <= low <= p <= high <= 1


@QUICK
@given(st.lists(st.booleans(), min_size=1, max_size=200), st.sampled_from([0.95, 0.9]))
def test_one_answer_each_is_plain_wilson_exactly(answers, confidence) -> None:
    pairs = [(int(favourable), 1) for favourable in answers]
    x, n = sum(answers), len(answers)
    assert clustered_interval(pairs, confidence) == wilson_interval(x, n, confidence)
    assert Clusters.of(pairs).effective_n == n
    # people who answered only Don't know change nothing
    assert clustered_interval([*pairs, (0, 0), (0, 0)], confidence) == wilson_interval(
        x, n, confidence
    )


@pytest.mark.parametrize(
    "pairs",
    [
        [(0, 3), (0, 2), (0, 4)],  # p = 0
        [(3, 3), (2, 2), (1, 1)],  # p = 1
        [(1, 2), (2, 4), (3, 6)],  # everyone with the same share, 1/2
    ],
)
def test_no_variance_uses_the_count_of_valid_answers(pairs) -> None:
    clusters = Clusters.of(pairs)
    assert clusters.variance == 0
    assert clusters.effective_n == sum(v for _, v in pairs)
    favourable, valid = sum(f for f, _ in pairs), sum(v for _, v in pairs)
    assert clustered_interval(pairs) == wilson_interval(favourable, valid)


def test_ends_are_exact_at_none_and_all() -> None:
    assert clustered_interval([(0, 3), (0, 1)])[0] == 0.0
    assert clustered_interval([(3, 3), (1, 1)])[1] == 1.0


def test_clustering_widens_the_interval_of_answers_that_go_together() -> None:
    # 10 people, 4 statements each: 6 agree with all four, 4 with none. 24 of 40 answers.
    pairs = [(4, 4)] * 6 + [(0, 4)] * 4
    # by hand: p = 0.6; residuals 4 - 2.4 = 1.6 (x6), -2.4 (x4); sum of squares 15.36 + 23.04
    # = 38.4; var = 38.4 / 1600 = 0.024; n_eff = 0.24 / 0.024 = 10: the ten people, not 40.
    assert Clusters.of(pairs).effective_n == 10
    assert clustered_interval(pairs) == pytest.approx(wilson_interval(6, 10), abs=1e-15)
    pooled = wilson_interval(24, 40)
    assert clustered_interval(pairs)[1] - clustered_interval(pairs)[0] > pooled[1] - pooled[0]


def test_no_valid_answers_is_none() -> None:
    assert clustered_interval([]) is None
    assert clustered_interval([(0, 0), (0, 0)]) is None
    assert Clusters().interval() is None


def test_tallies_and_sums_agree_with_one_pair_per_person() -> None:
    pairs = [(1, 3), (2, 3), (2, 3), (0, 1), (0, 0)]
    tallied = Clusters.tally([((1, 3), 1), ((2, 3), 2), ((0, 1), 1), ((0, 0), 7)])
    assert tallied == Clusters.of(pairs)
    assert tallied.people == 4  # the Don't-know-only person is not behind any answer
    assert Clusters.of(pairs[:2]) + Clusters.of(pairs[2:]) == tallied


@pytest.mark.parametrize(
    ("pairs", "error"),
    [
        ([(3, 2)], ValueError),
        ([(-1, 2)], ValueError),
        ([(1.0, 2)], TypeError),
        ([(True, 2)], TypeError),
    ],
)
def test_impossible_counts_are_refused(pairs, error) -> None:
    with pytest.raises(error):
        Clusters.of(pairs)


def _item(item_id: str, counts: dict[str, int], audience: str = "parents") -> ItemResult:
    return ItemResult(item_id, "2.2", audience, Distribution(AGREE, counts))


def test_a_roll_up_carries_the_clustered_interval_and_people() -> None:
    # Five parents answer two statements: (a, a), (a, d), (sa, sd), (d, d), (a, dk).
    first = _item("q1", {"sa": 1, "a": 3, "d": 1})
    second = _item("q2", {"a": 1, "d": 2, "sd": 1, "dk": 1})
    pairs = [(2, 2), (1, 2), (1, 2), (0, 2), (1, 1)]
    key = RollupKey("2.2", "parents", "adult")
    rollups = roll_up([first, second], {key: Clusters.of(pairs)})
    rollup = rollups[key]
    assert (rollup.pooled.favourable, rollup.pooled.base) == (5, 9)
    assert rollup.people == 5
    assert rollup.interval() == pytest.approx(reference(pairs), abs=1e-12)


def test_a_roll_up_refuses_a_narrow_interval_without_per_respondent_counts() -> None:
    (rollup,) = roll_up([_item("q1", {"a": 3, "d": 2})]).values()
    with pytest.raises(ValueError, match="per respondent"):
        rollup.interval()


def test_a_roll_up_refuses_counts_that_do_not_add_up() -> None:
    with pytest.raises(ValueError, match="do not add up"):
        IndicatorRollup(
            RollupKey("2.2", "parents", "adult"),
            (_item("q1", {"a": 3, "d": 2}),),
            Clusters.of([(1, 1)] * 2 + [(0, 1)] * 2),  # 2 of 4, not 3 of 5
        )


def test_round_comparison_of_roll_ups_uses_the_clustered_intervals() -> None:
    key = RollupKey("2.2", "parents", "adult")
    now_pairs = [(4, 4)] * 8 + [(0, 4)] * 2  # 32 of 40 from 10 people
    before_pairs = [(4, 4)] * 5 + [(0, 4)] * 5  # 20 of 40
    now = IndicatorRollup(key, (_item("q", {"a": 32, "d": 8}),), Clusters.of(now_pairs))
    before = IndicatorRollup(key, (_item("q", {"a": 20, "d": 20}),), Clusters.of(before_pairs))
    found = compare_rollups(now, before)
    # n_eff = 10 on both sides (everyone all or nothing), so it is Newcombe on 8/10 vs 5/10
    expected = newcombe_difference(8, 10, 5, 10)
    assert (found.difference, found.low, found.high) == pytest.approx(
        (expected.difference, expected.low, expected.high), abs=1e-12
    )
    assert not found.significant
    assert newcombe_difference(32, 40, 20, 40).significant  # counting answers would say it is


def test_sat_signal_reads_the_interval_it_is_given() -> None:
    assert sat_signal("good_or_better", (0.2, 0.45)) == "blind_spot"
    assert sat_signal("good_or_better", (0.3, 0.55)) is None
    assert sat_signal("adequate_or_below", (0.75, 0.9)) == "hidden_strength"
    assert sat_signal("adequate_or_below", None) is None
    with pytest.raises(ValueError):
        sat_signal("fine", (0.1, 0.2))  # type: ignore[arg-type]

"""The written statistical rules of DESIGN.md section 7, in plain standard-library Python.

Everything here works on counts of answers and returns unrounded numbers: rounding is for display
only (`whole_percent`, `format_percent`) and the quantity words are decided on the unrounded
percentage, so "90%" shown beside "most" is never a contradiction of "almost all".

Where a percentage is compared with a band boundary we use exact fractions: 9 of 10 must be exactly
90 ("most"), never 90.00000000000001 ("almost all").

Small-group suppression is not done here (see `surveys.suppression`); functions that could show a
suppressed group's figure (`disparities`) take the shown audiences as a required argument.

Two intervals (DESIGN 7 "Interval"): a single statement's proportion gets the plain Wilson score
interval, as each person gives it one answer. An indicator's figure pools several statements
answered by the same people, so its answers are clustered by respondent and are not independent:
`clustered_interval` keeps the same pooled percentage but widens the interval to what the number
of people, not the number of answers, supports.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist
from types import MappingProxyType
from typing import Literal

from surveys.scales import DONT_KNOW, Scale

Number = int | float | Fraction
Interval = tuple[float, float]

CONFIDENCE = 0.95  # DESIGN 7: 95% intervals (Wilson; clustered Wilson for roll-ups)

# ---------------------------------------------------------------------------------------------
# One item's answers


@dataclass(frozen=True, slots=True)
class Distribution:
    """The answers to one item (or a pooled indicator) on one scale: a count for every option.

    Build it as `Distribution(scale, {"sa": 12, "a": 30, "dk": 2})`; options not mentioned count 0,
    so the full distribution (DESIGN 7: "show the full distribution") always has every option in
    the scale's order. Unknown codes are rejected rather than dropped: a dropped code would silently
    shrink the base and inflate or deflate the percentage.
    """

    scale: Scale
    counts: Mapping[str, int]

    def __post_init__(self) -> None:
        unknown = set(self.counts) - set(self.scale.codes)
        if unknown:
            raise ValueError(f"codes not in scale {self.scale.id!r}: {sorted(unknown)}")
        full: dict[str, int] = {}
        for code in self.scale.codes:
            value = self.counts.get(code, 0)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"count for {code!r} must be an int, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"count for {code!r} is negative: {value}")
            full[code] = value
        # Read-only and in scale order, so two equal distributions compare equal.
        object.__setattr__(self, "counts", MappingProxyType(full))

    @property
    def n_answered(self) -> int:
        """Every answer, Don't know included: how many people the item reached."""
        return sum(self.counts.values())

    @property
    def dont_know(self) -> int:
        """Reported beside the percentage (DESIGN 7), never inside it."""
        return self.counts.get(DONT_KNOW, 0)

    @property
    def base(self) -> int:
        """The denominator of percent favourable: answers excluding Don't know."""
        return self.n_answered - self.dont_know

    @property
    def favourable(self) -> int:
        """Answers on the scale's favourable options (strongly agree + agree; the happy face)."""
        return sum(self.counts[code] for code in self.scale.favourable_codes)

    @property
    def favourable_fraction(self) -> Fraction | None:
        """Exact favourable / base; None when nobody gave a substantive answer."""
        if self.base == 0:
            return None
        return Fraction(self.favourable, self.base)

    @property
    def percent_favourable(self) -> float | None:
        """Unrounded percent favourable (0..100), or None when the base is 0."""
        fraction = self.favourable_fraction
        return None if fraction is None else float(fraction * 100)

    def interval(self, confidence: float = CONFIDENCE) -> Interval | None:
        """Wilson interval for the favourable proportion, as proportions (0..1)."""
        return wilson_interval(self.favourable, self.base, confidence)

    @property
    def quantity_word(self) -> str | None:
        """The band word, decided on the exact percentage."""
        fraction = self.favourable_fraction
        return None if fraction is None else quantity_word(fraction * 100)


def pool(distributions: Iterable[Distribution]) -> Distribution:
    """Add the answers of several items together (an indicator's figure for an audience).

    Only scales of one pooled group can be pooled, and only when they offer the same options:
    faces (children) are reported apart from adult scales and are never pooled with them.
    """
    items = list(distributions)
    if not items:
        raise ValueError("nothing to pool")
    first = items[0].scale
    for other in items[1:]:
        if other.scale.pooled_group != first.pooled_group:
            raise ValueError(
                f"cannot pool scale {other.scale.id!r} ({other.scale.pooled_group}) with "
                f"{first.id!r} ({first.pooled_group}): different pooled groups are reported apart"
            )
        if (other.scale.codes, other.scale.favourable_codes) != (
            first.codes,
            first.favourable_codes,
        ):
            raise ValueError(f"scales {first.id!r} and {other.scale.id!r} offer different options")
    totals = {code: sum(d.counts[code] for d in items) for code in first.codes}
    return Distribution(first, totals)


# ---------------------------------------------------------------------------------------------
# Intervals


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def _check_counts(successes: int, n: int) -> None:
    for name, value in (("successes", successes), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int")
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> Interval | None:
    """Wilson score interval for successes / n, as proportions; None when n is 0.

    Wilson rather than the textbook Wald interval because our groups are small and proportions
    are often near 0 or 1, where Wald collapses to zero width or leaves [0, 1].
    The ends are exact at x = 0 (low 0) and x = n (high 1), free of rounding noise.
    """
    _check_counts(successes, n)
    if n == 0:
        return None
    return _wilson(Fraction(successes, n), n, confidence)


def _wilson(p: Fraction, n: Number, confidence: float) -> Interval:
    """Wilson's formula for a proportion p from a sample of size n (n > 0, not necessarily whole).

    centre = (p + z^2 / 2n) / (1 + z^2 / n);
    half width = z sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n).
    """
    z = _z(confidence)
    z2 = z * z
    size = float(n)
    share = float(p)
    denominator = 1 + z2 / size
    centre = (share + z2 / (2 * size)) / denominator
    half_width = z * math.sqrt(share * (1 - share) / size + z2 / (4 * size * size)) / denominator
    low = 0.0 if p == 0 else max(0.0, centre - half_width)
    high = 1.0 if p == 1 else min(1.0, centre + half_width)
    return (low, high)


@dataclass(frozen=True, slots=True)
class Clusters:
    """An indicator's pooled answers counted per respondent: the sums its interval needs.

    Respondent i gave f_i favourable and v_i valid (not Don't know) answers to the pooled
    statements. Kept as exact integer sums, so respondents can be counted in the database and
    added up here without ever holding one row per person:

    - `people`: respondents with at least one valid answer (v_i > 0), the clusters;
    - `favourable` = sum f_i and `valid` = sum v_i, the pooled figure's numerator and base;
    - `ff` = sum f_i^2, `fv` = sum f_i v_i, `vv` = sum v_i^2, for the variance.

    Respondents who answered only Don't know add nothing to any sum, nor to the interval.
    """

    people: int = 0
    favourable: int = 0
    valid: int = 0
    ff: int = 0
    fv: int = 0
    vv: int = 0

    def __post_init__(self) -> None:
        for name in ("people", "favourable", "valid", "ff", "fv", "vv"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int")
            if value < 0:
                raise ValueError(f"{name} is negative: {value}")
        if self.favourable > self.valid or self.people > self.valid:
            raise ValueError("need favourable <= valid answers and people <= valid answers")

    @classmethod
    def of(cls, per_respondent: Iterable[tuple[int, int]]) -> Clusters:
        """From one (f_i, v_i) pair per respondent, 0 <= f_i <= v_i."""
        return cls.tally((pair, 1) for pair in per_respondent)

    @classmethod
    def tally(cls, counted: Iterable[tuple[tuple[int, int], int]]) -> Clusters:
        """From ((f, v), how many respondents gave exactly f favourable of v valid) pairs: what
        a grouped query returns, a few rows per indicator however many people answered."""
        people = favourable = valid = ff = fv = vv = 0
        for (f, v), count in counted:
            for name, value in (("favourable", f), ("valid", v), ("respondents", count)):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(f"{name} must be an int, not {type(value).__name__}")
            if not 0 <= f <= v or count < 0:
                raise ValueError(f"need 0 <= favourable <= valid and a count >= 0, got {f}, {v}")
            if v == 0:
                continue
            people += count
            favourable += count * f
            valid += count * v
            ff += count * f * f
            fv += count * f * v
            vv += count * v * v
        return cls(people, favourable, valid, ff, fv, vv)

    def __add__(self, other: Clusters) -> Clusters:
        """Two disjoint sets of respondents together (never the same person twice)."""
        return Clusters(
            self.people + other.people,
            self.favourable + other.favourable,
            self.valid + other.valid,
            self.ff + other.ff,
            self.fv + other.fv,
            self.vv + other.vv,
        )

    @property
    def proportion(self) -> Fraction | None:
        """p = sum f_i / sum v_i: the same pooled share as counting answers; None without any."""
        return None if self.valid == 0 else Fraction(self.favourable, self.valid)

    @property
    def variance(self) -> Fraction | None:
        """The ratio estimator's linearised variance, exactly: sum (f_i - p v_i)^2 / (sum v_i)^2.

        No n/(n-1) factor (DESIGN 7), so one answer per person gives p(1-p)/n, Wilson's own.
        Expanded as (sum f^2 - 2p sum fv + p^2 sum v^2) / (sum v)^2 so it needs only the sums.
        """
        p = self.proportion
        if p is None:
            return None
        residuals = self.ff - 2 * p * self.fv + p * p * self.vv
        return residuals / (self.valid * self.valid)

    @property
    def effective_n(self) -> Fraction | None:
        """n_eff = p(1-p) / var: how many independent answers the clustered answers are worth.

        When var = 0 (p = 0, p = 1, or every respondent with the same share) there is no
        clustering to correct for and n_eff is the number of valid answers, sum v_i.
        """
        p, variance = self.proportion, self.variance
        if p is None or variance is None:
            return None
        if variance == 0:
            return Fraction(self.valid)
        return p * (1 - p) / variance

    def interval(self, confidence: float = CONFIDENCE) -> Interval | None:
        """Wilson's formula with n_eff in place of n; None when there are no valid answers."""
        p, n_eff = self.proportion, self.effective_n
        if p is None or n_eff is None:
            return None
        return _wilson(p, n_eff, confidence)


def clustered_interval(
    per_respondent: Iterable[tuple[int, int]], confidence: float = CONFIDENCE
) -> Interval | None:
    """The interval of an indicator's pooled percentage, respondents treated as clusters.

    DESIGN 7: with f_i favourable and v_i valid (not Don't know) answers of respondent i,
    p = sum f_i / sum v_i; var = sum (f_i - p v_i)^2 / (sum v_i)^2 (the ratio estimator's
    linearised variance, no n/(n-1) factor); n_eff = p(1-p) / var; the interval is Wilson's
    formula with n_eff in place of n (n_eff need not be whole). When var = 0 (p = 0, p = 1 or
    everyone with the same share) n_eff = sum v_i. When each person gives one answer this is
    exactly the plain Wilson interval. None when nobody gave a valid answer.
    """
    return Clusters.of(per_respondent).interval(confidence)


@dataclass(frozen=True, slots=True)
class DifferenceInterval:
    """p1 - p2 with its confidence interval, all as proportions (-1..1)."""

    difference: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        """DESIGN 7: "significant" only when the interval excludes 0."""
        return self.low > 0 or self.high < 0


def newcombe_difference(
    x1: int, n1: int, x2: int, n2: int, confidence: float = CONFIDENCE
) -> DifferenceInterval | None:
    """Difference x1/n1 - x2/n2 with Newcombe's hybrid score interval (method 10, Newcombe 1998).

    Built from the two Wilson intervals (l1, u1), (l2, u2):
    low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    It keeps Wilson's good behaviour for small groups and never leaves [-1, 1].
    None when either side has no answers.
    """
    first = wilson_interval(x1, n1, confidence)
    second = wilson_interval(x2, n2, confidence)
    if first is None or second is None:
        return None
    return newcombe_hybrid(x1 / n1, first, x2 / n2, second)


def newcombe_hybrid(
    p1: float, interval1: Interval, p2: float, interval2: Interval
) -> DifferenceInterval:
    """Newcombe's hybrid interval for p1 - p2 from each side's own score interval.

    Items pass their plain Wilson intervals (`newcombe_difference`); an indicator's roll-ups
    must pass their clustered intervals (`compare_rollups`), or the difference would inherit
    the too-narrow interval of answers counted as if independent.
    """
    (l1, u1), (l2, u2) = interval1, interval2
    difference = p1 - p2
    low = difference - math.hypot(p1 - l1, u2 - p2)
    high = difference + math.hypot(u1 - p1, p2 - l2)
    return DifferenceInterval(difference, low, high)


def compare_rounds(
    current: Distribution, previous: Distribution, confidence: float = CONFIDENCE
) -> DifferenceInterval | None:
    """Round vs round: current minus previous percent favourable, as a Newcombe interval.

    The same scale is required (DESIGN 7); the caller must also check the wording is the same.
    """
    if current.scale != previous.scale:
        raise ValueError(
            f"cannot compare {current.scale.id!r} with {previous.scale.id!r}: scales differ"
        )
    return newcombe_difference(
        current.favourable, current.base, previous.favourable, previous.base, confidence
    )


def compare_rollups(
    current: IndicatorRollup, previous: IndicatorRollup, confidence: float = CONFIDENCE
) -> DifferenceInterval | None:
    """Round vs round for an indicator's pooled figure: Newcombe's hybrid interval built from
    the two CLUSTERED intervals (respondents as clusters), not from Wilson on pooled answers.

    Both roll-ups must be on the same pooled group and options; the caller checks the wording.
    None when either side has no valid answers.
    """
    pool([current.pooled, previous.pooled])  # same pooled group and options, or ValueError
    first, second = current.interval(confidence), previous.interval(confidence)
    p1, p2 = current.pooled.favourable_fraction, previous.pooled.favourable_fraction
    if first is None or second is None or p1 is None or p2 is None:
        return None
    return newcombe_hybrid(float(p1), first, float(p2), second)


# ---------------------------------------------------------------------------------------------
# Words and display


def quantity_word(percent: Number) -> str:
    """Education Scotland's quantity word for an UNROUNDED percentage (DESIGN 7).

    p = 100 "all"; p > 90 "almost all"; 75 <= p <= 90 "most"; 50 <= p < 75 "majority";
    15 <= p < 50 "less than half"; 0 < p < 15 "few"; p = 0 "none".
    Pass the unrounded value (ideally exact, as `Distribution.quantity_word` does): 89.6% shows
    as "90%" but is "most"; 90.4% also shows as "90%" and is "almost all".
    """
    if isinstance(percent, float) and math.isnan(percent):
        raise ValueError("percentage is NaN")
    if not 0 <= percent <= 100:
        raise ValueError(f"percentage out of range: {percent}")
    if percent == 100:
        return "all"
    if percent > 90:
        return "almost all"
    if percent >= 75:
        return "most"
    if percent >= 50:
        return "majority"
    if percent >= 15:
        return "less than half"
    if percent > 0:
        return "few"
    return "none"


def whole_percent(percent: Number) -> int:
    """Round a percentage to a whole number for display, halves away from zero (82.5 -> 83).

    Python's round() rounds halves to even (round(82.5) == 82), which readers take for a bug.
    Floats are converted exactly, so the result is the rounding of the float's true value.
    Display only: quantity words use the unrounded value.
    """
    if isinstance(percent, float) and not math.isfinite(percent):
        raise ValueError(f"cannot round {percent}")
    exact = Fraction(percent)
    magnitude = math.floor(abs(exact) + Fraction(1, 2))
    return magnitude if exact >= 0 else -magnitude


def format_percent(percent: Number) -> str:
    """'82%' from 82.456 (halves away from zero)."""
    return f"{whole_percent(percent)}%"


# ---------------------------------------------------------------------------------------------
# Indicator roll-up


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One item's answers from one audience, tagged with the indicator it evidences."""

    item_id: str
    indicator: str
    audience: str
    distribution: Distribution


@dataclass(frozen=True, slots=True)
class RollupKey:
    """What one pooled figure is about. The pooled group is part of the key, so faces answers
    and adult answers to the same indicator can never land in one figure."""

    indicator: str
    audience: str
    pooled_group: str


@dataclass(frozen=True, slots=True)
class IndicatorRollup:
    """An indicator's figure for an audience (pooled answers) and the items it came from.

    The percentage pools answers; the interval treats respondents as clusters (DESIGN 7), so
    it needs `clusters`, the same answers counted per respondent. They must add up to the
    pooled answers exactly: a mismatch means the two counts saw different answers.
    """

    key: RollupKey
    items: tuple[ItemResult, ...]
    clusters: Clusters | None = None

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("a roll-up needs at least one item")
        for item in self.items:
            found = RollupKey(item.indicator, item.audience, item.distribution.scale.pooled_group)
            if found != self.key:
                raise ValueError(f"item {item.item_id!r} belongs to {found}, not {self.key}")
        pooled = pool(item.distribution for item in self.items)  # reject mixed options up front
        clusters = self.clusters
        if clusters is not None and (clusters.favourable, clusters.valid) != (
            pooled.favourable,
            pooled.base,
        ):
            raise ValueError(
                f"{self.key}: per-respondent counts ({clusters.favourable} of {clusters.valid}) "
                f"do not add up to the pooled answers ({pooled.favourable} of {pooled.base})"
            )

    @property
    def pooled(self) -> Distribution:
        """All the items' answers added together (answers, not respondents)."""
        return pool(item.distribution for item in self.items)

    @property
    def people(self) -> int | None:
        """How many people gave the pooled answers other than Don't know (None if not known)."""
        return None if self.clusters is None else self.clusters.people

    def interval(self, confidence: float = CONFIDENCE) -> Interval | None:
        """The clustered interval of the pooled percentage (see `clustered_interval`).

        There is deliberately no fallback to Wilson on the pooled answers: that interval is too
        narrow, so without the per-respondent counts this refuses rather than overstates.
        """
        if self.clusters is None:
            raise ValueError(
                f"{self.key}: an indicator's interval needs its answers counted per respondent"
            )
        return self.clusters.interval(confidence)


def roll_up(
    items: Iterable[ItemResult], clusters: Mapping[RollupKey, Clusters] | None = None
) -> dict[RollupKey, IndicatorRollup]:
    """Group items by (indicator, audience, pooled group) and pool each group's answers.

    `clusters` gives each key's answers counted per respondent (only over the items given
    here); a key it lacks has no valid answers from anybody. Without it the roll-ups carry
    percentages but no interval. Keys appear in the order their first item was given.
    """
    grouped: dict[RollupKey, list[ItemResult]] = {}
    for item in items:
        key = RollupKey(item.indicator, item.audience, item.distribution.scale.pooled_group)
        grouped.setdefault(key, []).append(item)
    return {
        key: IndicatorRollup(
            key, tuple(group), None if clusters is None else clusters.get(key, Clusters())
        )
        for key, group in grouped.items()
    }


# ---------------------------------------------------------------------------------------------
# Disparities between audiences


@dataclass(frozen=True, slots=True)
class Disparity:
    """How far apart the shown audiences are on one indicator (one pooled group).

    `spread` is in percentage points (unrounded); `percents` lists every compared audience,
    highest first. Several audiences can share the highest or lowest figure.
    """

    indicator: str
    pooled_group: str
    spread: float
    highest: tuple[str, ...]
    lowest: tuple[str, ...]
    percents: tuple[tuple[str, float], ...]


def disparities(
    rollups: Iterable[IndicatorRollup], *, shown_audiences: Collection[str]
) -> list[Disparity]:
    """Per indicator, the spread of percent favourable between the audiences that are shown.

    Suppressed audiences are left out entirely (naming one as "lowest" would reveal a figure for
    a group under the threshold), so `shown_audiences` is required. Audiences with no substantive
    answers are left out too. Adult and faces scales are compared only within their own pooled
    group, as they are reported apart. An indicator needs two audiences to have a spread.
    Returned largest spread first.
    """
    by_indicator: dict[tuple[str, str], list[tuple[str, Fraction]]] = {}
    for rollup in rollups:
        if rollup.key.audience not in shown_audiences:
            continue
        fraction = rollup.pooled.favourable_fraction
        if fraction is None:
            continue
        group = (rollup.key.indicator, rollup.key.pooled_group)
        by_indicator.setdefault(group, []).append((rollup.key.audience, fraction * 100))
    found = []
    for (indicator, pooled_group), percents in by_indicator.items():
        if len(percents) < 2:
            continue
        percents.sort(key=lambda pair: (-pair[1], pair[0]))
        top, bottom = percents[0][1], percents[-1][1]
        found.append(
            Disparity(
                indicator=indicator,
                pooled_group=pooled_group,
                spread=float(top - bottom),
                highest=tuple(a for a, p in percents if p == top),
                lowest=tuple(a for a, p in percents if p == bottom),
                percents=tuple((a, float(p)) for a, p in percents),
            )
        )
    return largest_first(found)


def largest_first(found: Iterable[Disparity]) -> list[Disparity]:
    """Largest spread first (CSIT: focus the discussion on the disparities); ties by indicator."""
    return sorted(found, key=lambda d: (-d.spread, d.indicator, d.pooled_group))


# ---------------------------------------------------------------------------------------------
# SAT rating vs stakeholders

SatBand = Literal["good_or_better", "adequate_or_below"]
SatSignal = Literal["blind_spot", "hidden_strength"]

BLIND_SPOT_UPPER = 0.5  # stakeholders' Wilson upper bound below this
HIDDEN_STRENGTH_LOWER = 0.75  # stakeholders' Wilson lower bound at or above this


def sat_band_six_point(level: int) -> SatBand:
    """HMIE six-point levels 6..1: good (4) or better vs adequate (3) or below."""
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 6:
        raise ValueError(f"six-point level must be 1..6, not {level!r}")
    return "good_or_better" if level >= 4 else "adequate_or_below"


def sat_band_progress(letter: str) -> SatBand:
    """CSIT a..e: d or e is good or better; a, b, c adequate or below."""
    if letter not in ("a", "b", "c", "d", "e"):
        raise ValueError(f"progress rating must be a..e, not {letter!r}")
    return "good_or_better" if letter in ("d", "e") else "adequate_or_below"


def compare_with_sat(
    sat_band: SatBand, successes: int, n: int, confidence: float = CONFIDENCE
) -> SatSignal | None:
    """Flag where the SAT's agreed rating and the stakeholders clearly disagree (DESIGN 7).

    blind spot: SAT good or better while even the stakeholders' Wilson upper bound is < 50%;
    hidden strength: SAT adequate or below while the Wilson lower bound is >= 75%.
    Using the interval, not the point estimate, keeps small groups from raising false alarms.
    None when neither holds or there are no answers.
    """
    return sat_signal(sat_band, wilson_interval(successes, n, confidence))


def sat_signal(sat_band: SatBand, interval: Interval | None) -> SatSignal | None:
    """The same rule on a given interval (proportions): an indicator's figure passes its
    clustered interval, so a roll-up's many answers from few people cannot raise a flag that
    the people alone would not support. None when there is no interval."""
    if sat_band not in ("good_or_better", "adequate_or_below"):
        raise ValueError(f"unknown SAT band {sat_band!r}")
    if interval is None:
        return None
    low, high = interval
    if sat_band == "good_or_better" and high < BLIND_SPOT_UPPER:
        return "blind_spot"
    if sat_band == "adequate_or_below" and low >= HIDDEN_STRENGTH_LOWER:
        return "hidden_strength"
    return None

"""Self-assessment arithmetic: rating spread, disagreements, triangulation, SAT vs stakeholders.

Pure Python over a framework's rating scale (levels best first, `rank` higher is better). The web
layer gathers the rows; these functions decide what they mean, so the rules are tested once here.

- Spread: CSIT asks the team to spend its discussion on the key features where members' ratings
  differ most. We measure it by the range in levels (highest rank - lowest rank), break ties by the
  mean absolute deviation from the median rank (both 6, 2, 2, 2 and 6, 6, 2, 2 are four levels
  apart, but a team split down the middle has more to discuss than one outlier: deviation 2 > 1),
  then keep framework order.
- Triangulation (HMIE 3.6): "one source of evidence, backed up by another and corroborated by a
  third". So three or more distinct source types are triangulated; one or none is flagged.
- SAT vs stakeholders (DESIGN.md 7): the blind-spot / hidden-strength rule itself lives in
  `surveys.statistics.sat_signal`; here we only decide the SAT band from the framework's own
  scale (its `good_from` level) and apply the rule to each audience whose figures may be shown,
  on the interval the indicator figure was shown with (respondents as clusters).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from frameworks.schema import RatingScale
from surveys.statistics import CONFIDENCE, SatBand, SatSignal, sat_signal, wilson_interval

# ---------------------------------------------------------------------------------------------
# Members' ratings of one indicator


@dataclass(frozen=True, slots=True)
class RatingSpread:
    """How a team's individual ratings of one indicator are spread over the scale."""

    indicator_id: str
    counts: tuple[tuple[str, int], ...]  # every level of the scale, best first
    raters: int
    min_rank: int | None  # worst rating given (1 = the scale's lowest level)
    max_rank: int | None
    levels_apart: int  # max_rank - min_rank; 0 when fewer than two ratings
    deviation: float  # mean absolute deviation of the ranks from their median

    @property
    def comparable(self) -> bool:
        """Two or more ratings: only then can members disagree."""
        return self.raters >= 2

    @property
    def unanimous(self) -> bool:
        return self.comparable and self.levels_apart == 0

    def count(self, code: str) -> int:
        return dict(self.counts)[code]

    @property
    def words(self) -> str:
        """The spread in plain words, so the page never relies on a bar or colour alone."""
        if self.raters == 0:
            return "No ratings yet"
        if not self.comparable:
            return "Only one rating so far"
        if self.levels_apart == 0:
            return "Everyone gave the same rating"
        if self.levels_apart == 1:
            return "Ratings one level apart"
        return f"Ratings {self.levels_apart} levels apart"


def rating_spread(scale: RatingScale, indicator_id: str, values: Iterable[str]) -> RatingSpread:
    """Summarise the ratings given to one indicator. Codes not on the scale raise ValueError,
    because a silently dropped rating would make the team look more agreed than it is."""
    codes = [level.code for level in scale.levels]
    given = list(values)
    unknown = sorted({v for v in given if v not in codes})
    if unknown:
        raise ValueError(f"not levels of the {scale.id!r} scale: {unknown}")
    tally = Counter(given)
    ranks = [scale.rank(v) for v in given]
    if ranks:
        median = statistics.median(ranks)
        deviation = sum(abs(r - median) for r in ranks) / len(ranks)
    else:
        deviation = 0.0
    return RatingSpread(
        indicator_id=indicator_id,
        counts=tuple((code, tally.get(code, 0)) for code in codes),
        raters=len(given),
        min_rank=min(ranks) if ranks else None,
        max_rank=max(ranks) if ranks else None,
        levels_apart=(max(ranks) - min(ranks)) if len(ranks) >= 2 else 0,
        deviation=float(deviation),
    )


def disagreements_first(
    spreads: Iterable[RatingSpread], framework_order: Sequence[str]
) -> list[RatingSpread]:
    """Largest disagreement first: levels apart, then deviation, then framework order.

    Indicators with fewer than two ratings cannot show a disagreement and go last, in framework
    order, so an unrated indicator never hides a real disagreement.
    """
    position = {ident: n for n, ident in enumerate(framework_order)}

    def key(spread: RatingSpread) -> tuple[int, int, float, int]:
        where = position.get(spread.indicator_id, len(position))
        if not spread.comparable:
            return (1, 0, 0.0, where)
        return (0, -spread.levels_apart, -spread.deviation, where)

    return sorted(spreads, key=key)


# ---------------------------------------------------------------------------------------------
# Evidence: the four sources and triangulation

SOURCE_TYPES: tuple[str, ...] = (
    "performance_data",
    "documentation",
    "stakeholder_views",
    "direct_observation",
)

TriangulationStatus = Literal["none", "single", "corroborating", "triangulated"]

TRIANGULATED_FROM = 3  # "scrutiny of one source, backed up by another, corroborated by a third"


@dataclass(frozen=True, slots=True)
class Triangulation:
    items: int
    sources: tuple[str, ...]  # distinct source types, in SOURCE_TYPES order

    @property
    def count(self) -> int:
        return len(self.sources)

    @property
    def status(self) -> TriangulationStatus:
        if self.count == 0:
            return "none"
        if self.count == 1:
            return "single"
        if self.count < TRIANGULATED_FROM:
            return "corroborating"
        return "triangulated"

    @property
    def flagged(self) -> bool:
        """A judgement resting on one source, or on none, needs more evidence."""
        return self.count <= 1

    @property
    def words(self) -> str:
        return {
            "none": "No evidence recorded",
            "single": "Rests on one source only",
            "corroborating": "Two sources: backed up, not yet corroborated by a third",
            "triangulated": f"Triangulated: {self.count} kinds of source",
        }[self.status]


def triangulation(source_types: Iterable[str]) -> Triangulation:
    """Count the distinct kinds of source behind an indicator's evidence items."""
    given = list(source_types)
    unknown = sorted(set(given) - set(SOURCE_TYPES))
    if unknown:
        raise ValueError(f"unknown evidence source types: {unknown}")
    present = set(given)
    return Triangulation(items=len(given), sources=tuple(s for s in SOURCE_TYPES if s in present))


# ---------------------------------------------------------------------------------------------
# SAT versus stakeholders


def sat_band(scale: RatingScale, code: str) -> SatBand:
    """Good or better from the scale's `good_from` level up (six-point 4+, a..e d or e, Derwent
    'met'); adequate or below is everything else."""
    if code not in {level.code for level in scale.levels}:
        raise ValueError(f"{code!r} is not a level of the {scale.id!r} scale")
    return "good_or_better" if scale.is_good_or_better(code) else "adequate_or_below"


@dataclass(frozen=True, slots=True)
class CellFigures:
    """One audience's figures for an indicator, as imported. Suppressed cells carry no counts.

    `interval` is the indicator figure's own 95% interval as proportions (0..1): the clustered
    interval (respondents as clusters, DESIGN 7) the results showed. Imports made before it
    existed have none, and fall back to Wilson on favourable of base, as they were shown then.
    """

    audience: str
    label: str
    suppressed: bool
    favourable: int | None = None
    base: int | None = None
    interval: tuple[float, float] | None = None
    external: bool = False  # a survey run elsewhere: one statement's group, Wilson on its count


@dataclass(frozen=True, slots=True)
class StakeholderFlag:
    audience: str
    label: str
    signal: SatSignal
    ci_low: float  # the figure's 95% bounds as proportions (0..1), clustered for indicators
    ci_high: float
    external: bool = False

    @property
    def title(self) -> str:
        title = "Possible blind spot" if self.signal == "blind_spot" else "Possible hidden strength"
        return f"{title} (external survey, not a Chorus round)" if self.external else title

    @property
    def explanation(self) -> str:
        low, high = round(self.ci_low * 100), round(self.ci_high * 100)
        who = self.label[:1].lower() + self.label[1:]
        if self.signal == "blind_spot":
            return (
                f"the team rated this good or better, but {who} are much less positive "
                f"(95% CI {low}-{high}% favourable, all below half)."
            )
        return (
            f"the team rated this adequate or below, but {who} are clearly positive "
            f"(95% CI {low}-{high}% favourable, at least three quarters)."
        )

    @property
    def words(self) -> str:
        return f"{self.title}: {self.explanation}"


def stakeholder_flags(
    scale: RatingScale,
    agreed_code: str | None,
    cells: Iterable[CellFigures],
    confidence: float = CONFIDENCE,
) -> list[StakeholderFlag]:
    """Blind spots and hidden strengths for an agreed rating, one per audience that shows one.

    Suppressed audiences are skipped: a flag would reveal something about a group under the
    threshold. No agreed rating, or no substantive answers, gives no flag. A cell's own
    interval (the clustered one an indicator figure is shown with) is used when it has one; it
    is a 95% interval, so another confidence is refused rather than mixed with it.
    """
    if agreed_code is None:
        return []
    band = sat_band(scale, agreed_code)
    flags = []
    for cell in cells:
        if cell.suppressed or cell.favourable is None or not cell.base:
            continue
        interval = cell.interval
        if interval is not None and confidence != CONFIDENCE:
            raise ValueError(f"{cell.audience}: the figure's own interval is {CONFIDENCE:.0%}")
        if interval is None:
            interval = wilson_interval(cell.favourable, cell.base, confidence)
        signal = sat_signal(band, interval)
        if signal is None or interval is None:
            continue
        flags.append(
            StakeholderFlag(cell.audience, cell.label, signal, *interval, external=cell.external)
        )
    return flags


# ---------------------------------------------------------------------------------------------
# CSIT review: red-thread tags on areas for improvement


def thread_counts(
    thread_ids: Sequence[str], tag_lists: Iterable[Iterable[str]]
) -> list[tuple[str, int]]:
    """How many areas for improvement each red thread was tagged on, most first (then thread
    order). A thread tagged twice on one judgement counts once; unknown tags are ignored."""
    known = set(thread_ids)
    tally: Counter[str] = Counter()
    for tags in tag_lists:
        tally.update(set(tags) & known)
    order = {t: n for n, t in enumerate(thread_ids)}
    return sorted(((t, tally.get(t, 0)) for t in thread_ids), key=lambda p: (-p[1], order[p[0]]))

"""Geometry of the diverging stacked bar drawn for each item (pure: no SVG markup, no Flask).

Favourable options extend right of a centre line, the others left, so the bar's right part is the
percent favourable. Widths are shares of the base (answers excluding Don't know, DESIGN.md 7),
so the picture agrees with the percentage printed beside it; Don't know is counted aside in the
text, never drawn. The Wilson interval of percent favourable is a whisker on the right-hand side.

The template draws these numbers; every figure also appears in words (`description`) and in the
data table beside the chart, so colour is never the only signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from surveys.statistics import Distribution, whole_percent

Side = Literal["left", "right"]

# Drawing units (the SVG viewBox); the page scales the chart to its width.
# Narrow on purpose: on a phone the chart shrinks least and its words stay readable.
WIDTH = 420
MARGIN = 30  # room for the end tick labels
BAR_TOP = 24
BAR_HEIGHT = 30
HEIGHT = BAR_TOP + BAR_HEIGHT + 24  # tick labels below the bar
MIN_LABEL_WIDTH = 36  # a segment narrower than this gets no percentage printed inside it


@dataclass(frozen=True, slots=True)
class Segment:
    code: str
    label: str
    count: int
    percent: float  # of the base, unrounded
    side: Side
    tone: int  # 1 next to the centre line, rising outwards: the template's colour step
    x: float
    width: float

    @property
    def text(self) -> str:
        """What is printed inside the segment when it is wide enough."""
        return f"{whole_percent(self.percent)}%"

    @property
    def labelled(self) -> bool:
        return self.width >= MIN_LABEL_WIDTH

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True, slots=True)
class Whisker:
    x_low: float
    x_high: float
    y: float
    cap: float  # half-height of the end caps


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class DivergingBar:
    width: int
    height: int
    centre: float
    bar_top: int
    bar_height: int
    segments: tuple[Segment, ...]
    whisker: Whisker | None
    ticks: tuple[Tick, ...]
    description: str  # the whole chart in words, for <desc> and screen readers

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def diverging_bar(
    distribution: Distribution, interval: tuple[float, float] | None = None
) -> DivergingBar | None:
    """The bar for one item's answers; None when nobody gave a substantive answer.

    `interval` is the Wilson interval of percent favourable as proportions (0..1); pass None to
    draw no whisker.
    """
    base = distribution.base
    if base == 0:
        return None
    scale = distribution.scale
    half = (WIDTH - 2 * MARGIN) / 2
    centre = MARGIN + half
    favourable = [o for o in scale.options if o.favourable]
    others = [o for o in scale.options if not o.favourable and o.code in scale.substantive_codes]

    segments: list[Segment] = []
    # Right: least favourable of the favourable options next to the centre (Agree, then
    # Strongly agree outside it).
    x = centre
    for tone, option in enumerate(reversed(favourable), start=1):
        count = distribution.counts[option.code]
        width = half * count / base
        segments.append(
            Segment(option.code, option.label, count, 100 * count / base, "right", tone, x, width)
        )
        x += width
    # Left: the mildest unfavourable option next to the centre (Disagree, then Strongly
    # disagree further out), in the scale's order.
    x = centre
    for tone, option in enumerate(others, start=1):
        count = distribution.counts[option.code]
        width = half * count / base
        x -= width
        segments.append(
            Segment(option.code, option.label, count, 100 * count / base, "left", tone, x, width)
        )

    whisker = None
    if interval is not None:
        low, high = interval
        if not 0 <= low <= high <= 1:
            raise ValueError(f"interval must be proportions with low <= high, not {interval}")
        whisker = Whisker(
            x_low=centre + half * low,
            x_high=centre + half * high,
            y=BAR_TOP + BAR_HEIGHT / 2,
            cap=BAR_HEIGHT / 2 - 4,
        )
    ticks = (
        Tick(MARGIN, "100%"),
        Tick(MARGIN + half / 2, "50%"),
        Tick(centre, "0"),
        Tick(centre + half / 2, "50%"),
        Tick(WIDTH - MARGIN, "100%"),
    )
    return DivergingBar(
        width=WIDTH,
        height=HEIGHT,
        centre=centre,
        bar_top=BAR_TOP,
        bar_height=BAR_HEIGHT,
        segments=tuple(segments),
        whisker=whisker,
        ticks=ticks,
        description=describe(distribution, interval),
    )


def describe(distribution: Distribution, interval: tuple[float, float] | None) -> str:
    """The chart in one or two sentences of plain words."""
    parts = []
    percent = distribution.percent_favourable
    if percent is not None:
        lead = (
            f"{whole_percent(percent)}% favourable ({distribution.favourable} of "
            f"{distribution.base})"
        )
        if interval is not None:
            low, high = (whole_percent(v * 100) for v in interval)
            lead += f", 95% confidence interval {low}% to {high}%"
        parts.append(lead + ".")
    counts = ", ".join(
        f"{option.label} {distribution.counts[option.code]}"
        for option in distribution.scale.options
        if option.code in distribution.scale.substantive_codes
    )
    parts.append(f"Answers: {counts}.")
    parts.append(f"Don't know: {distribution.dont_know} (not drawn).")
    return " ".join(parts)

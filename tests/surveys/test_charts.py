"""surveys.charts: the diverging stacked bar agrees with the figures printed beside it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.charts import MARGIN, WIDTH, diverging_bar
from surveys.scales import SCALES
from surveys.statistics import Distribution

AGREE = SCALES["agree4"]
HALF = (WIDTH - 2 * MARGIN) / 2
CENTRE = MARGIN + HALF


def test_favourable_right_of_centre_mildest_options_nearest_it() -> None:
    dist = Distribution(AGREE, {"sa": 20, "a": 27, "d": 7, "sd": 3, "dk": 4})
    bar = diverging_bar(dist, dist.interval())
    assert bar is not None
    by_code = {s.code: s for s in bar.segments}
    assert [s.code for s in bar.segments] == ["a", "sa", "d", "sd"]
    assert by_code["a"].x == pytest.approx(CENTRE) and by_code["a"].tone == 1
    assert by_code["sa"].x == pytest.approx(CENTRE + HALF * 27 / 57) and by_code["sa"].tone == 2
    assert by_code["d"].x + by_code["d"].width == pytest.approx(CENTRE)
    assert by_code["sd"].x + by_code["sd"].width == pytest.approx(by_code["d"].x)
    # the right part is exactly percent favourable of the half width; Don't know is not drawn
    right = sum(s.width for s in bar.segments if s.side == "right")
    assert right == pytest.approx(HALF * 47 / 57)
    assert "dk" not in by_code
    assert by_code["sa"].text == "35%" and by_code["a"].text == "47%"


def test_whisker_is_the_wilson_interval_on_the_favourable_side() -> None:
    dist = Distribution(AGREE, {"sa": 20, "a": 27, "d": 7, "sd": 3, "dk": 4})
    low, high = dist.interval()
    bar = diverging_bar(dist, (low, high))
    assert bar.whisker.x_low == pytest.approx(CENTRE + HALF * low)
    assert bar.whisker.x_high == pytest.approx(CENTRE + HALF * high)
    assert diverging_bar(dist, None).whisker is None
    with pytest.raises(ValueError):
        diverging_bar(dist, (0.9, 0.2))


def test_description_says_everything_in_words() -> None:
    dist = Distribution(AGREE, {"sa": 20, "a": 27, "d": 7, "sd": 3, "dk": 4})
    bar = diverging_bar(dist, dist.interval())
    assert bar.description == (
        "82% favourable (47 of 57), 95% confidence interval 71% to 90%. "
        "Answers: Strongly agree 20, Agree 27, Disagree 7, Strongly disagree 3. "
        "Don't know: 4 (not drawn)."
    )


def test_faces_and_progress_scales() -> None:
    faces = diverging_bar(Distribution(SCALES["faces3"], {"happy": 6, "ok": 3, "sad": 1}))
    assert [(s.code, s.side, s.tone) for s in faces.segments] == [
        ("happy", "right", 1),
        ("ok", "left", 1),
        ("sad", "left", 2),
    ]
    progress = diverging_bar(Distribution(SCALES["progress5"], {"e": 1, "d": 1, "c": 1, "a": 1}))
    assert [s.code for s in progress.segments] == ["d", "e", "c", "b", "a"]
    assert [s.tone for s in progress.segments if s.side == "left"] == [1, 2, 3]


def test_nothing_to_draw_without_substantive_answers() -> None:
    assert diverging_bar(Distribution(AGREE, {"dk": 5})) is None
    assert diverging_bar(Distribution(AGREE, {})) is None


def test_narrow_segments_get_no_label_inside() -> None:
    bar = diverging_bar(Distribution(AGREE, {"sa": 99, "sd": 1}))
    labelled = {s.code: s.labelled for s in bar.segments if s.count}
    assert labelled == {"sa": True, "sd": False}


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=5, max_size=5))
def test_segments_tile_the_bar_without_gaps_or_overlaps(counts: list[int]) -> None:
    dist = Distribution(AGREE, dict(zip(AGREE.codes, counts, strict=True)))
    bar = diverging_bar(dist, dist.interval())
    if dist.base == 0:
        assert bar is None
        return
    right = sorted((s for s in bar.segments if s.side == "right"), key=lambda s: s.x)
    left = sorted((s for s in bar.segments if s.side == "left"), key=lambda s: -s.x)
    edge = CENTRE
    for segment in right:
        assert segment.x == pytest.approx(edge)
        edge += segment.width
    assert edge <= WIDTH - MARGIN + 1e-9
    edge = CENTRE
    for segment in left:
        assert segment.x + segment.width == pytest.approx(edge)
        edge = segment.x
    assert edge >= MARGIN - 1e-9
    assert sum(s.width for s in bar.segments) == pytest.approx(HALF)
    assert sum(s.count for s in bar.segments) == dist.base
    if bar.whisker:
        assert CENTRE - 1e-9 <= bar.whisker.x_low <= bar.whisker.x_high <= WIDTH - MARGIN + 1e-9

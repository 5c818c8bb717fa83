"""An audience's channels, as pages, workbook, API and reports show them: no split of the
audience's respondents leaves a hidden channel one possible value (brute force, every split of
up to 12 people, k = 3 and 5), and the pages' and the API's split are one function."""

from __future__ import annotations

import pytest

from app.models import Channel
from app.services.results.audiences import audience_summary, channel_split
from app.services.results.figures import CellStatus
from tests.surveys.test_pinning import assert_nothing_pinned, tables

NAMES = [c.value for c in Channel]


@pytest.mark.parametrize("k", [3, 5])
def test_no_channel_split_leaves_a_hidden_channel_one_value(k: int) -> None:
    def view(world):
        split = channel_split(dict(zip(NAMES, world, strict=True)), k)
        reasons = tuple(
            split.shown[c] if split.shown[c] is not None else c in split.primary for c in NAMES
        )
        return (reasons, sum(world)), [split.shown[c] is None for c in NAMES]

    worlds = [w for w in tables(len(NAMES)) if sum(w) >= k]  # an audience shown: k or more
    assert assert_nothing_pinned(worlds, view) > 0


def test_the_summary_shows_the_split_and_hides_every_channel_when_one_is_pinned() -> None:
    def summary(channels):
        return audience_summary(
            "parents", "Parents", "parents", CellStatus.SHOWN, 0, channels, 5, ()
        )

    shown = summary({"email": 20, "open_link": 5, "paper": 0})
    assert (shown.completed, shown.open_link_responses, shown.paper_responses) == (20, 5, 0)
    # paper 1 under k, open link 5 hidden to protect it, 26 - 20 = 6: both worked out
    pinned = summary({"email": 20, "open_link": 5, "paper": 1})
    assert pinned.respondents == 26
    assert (
        pinned.completed,
        pinned.open_link_responses,
        pinned.paper_responses,
        pinned.kiosk_responses,
    ) == (None, None, None, None)

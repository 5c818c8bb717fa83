"""Kiosk answers are a channel of their own in results and on the response-rate dashboard,
shown only at or above k, with complementary suppression like the other channel splits."""

from __future__ import annotations

from app.models import Channel
from app.services.results.audiences import audience_summary
from app.services.results.figures import CellStatus
from surveys.received import received_counts


def _summary(channels: dict[str, int], k: int = 5):
    return audience_summary("parents", "Parents", "parents", CellStatus.SHOWN, 10, channels, k, ())


def test_a_kiosk_channel_of_at_least_k_is_shown() -> None:
    got = _summary({"email": 6, "kiosk": 5})
    assert (got.completed, got.kiosk_responses, got.respondents) == (6, 5, 11)


def test_a_small_kiosk_channel_is_hidden_and_cannot_be_worked_out() -> None:
    got = _summary({"email": 6, "kiosk": 2})
    assert got.kiosk_responses is None
    # The total (8) is shown, so the email figure must go too, or 8 - 6 gives the kiosk's 2.
    assert got.completed is None and got.respondents == 8
    both = _summary({"email": 6, "open_link": 7, "kiosk": 2})
    hidden = [v is None for v in (both.completed, both.open_link_responses, both.kiosk_responses)]
    assert both.kiosk_responses is None and sum(hidden) >= 2


def test_the_dashboard_split_hides_a_small_kiosk_count_the_same_way() -> None:
    channels = tuple(c.value for c in Channel)
    got = received_counts({"parents": {"email": 9, "kiosk": 1}}, 5, channels).audiences["parents"]
    assert got.count == 10 and got.channels["kiosk"] is None and got.channels["email"] is None
    shown = received_counts({"parents": {"email": 9, "kiosk": 6}}, 5, channels)
    assert shown.audiences["parents"].channels["kiosk"] == 6

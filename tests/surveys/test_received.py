"""Received counts per audience: nothing under k, nothing derivable from the total or channels."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from surveys.received import received_counts

CHANNELS = ("email", "open_link", "paper")


def test_the_partners_four_are_hidden_and_the_total_with_them() -> None:
    counts = received_counts(
        {"parents": {"email": 40, "open_link": 8}, "partners": {"email": 4}}, 5, CHANNELS
    )
    partners = counts.audiences["partners"]
    assert partners.count is None and partners.notice == "Fewer than 5"
    assert counts.total is None  # 52 - 48 would give the 4 away
    assert counts.total_notice == "Not shown (protects a smaller group)"
    assert counts.audiences["parents"].count == 48
    assert "not shown" in counts.sentence() and "steps of at least 5 people" in counts.sentence()


def test_zeros_are_shown_and_a_small_round_total_says_so() -> None:
    counts = received_counts({"a": {"email": 2}, "c": {"email": 0}}, 5, CHANNELS)
    assert counts.audiences["c"].count == 0  # zeros are shown
    assert counts.audiences["a"].notice == "Fewer than 5"
    assert counts.total is None and counts.total_notice == "Fewer than 5"


def test_plain_words_when_everything_is_shown() -> None:
    counts = received_counts({"staff": {"email": 7, "paper": 5}}, 5, CHANNELS)
    assert counts.total == 12
    assert counts.sentence() == (
        "12 answers received; results update in steps of at least 5 people, to protect anonymity."
    )
    assert counts.audiences["staff"].channels == {"email": 7, "open_link": 0, "paper": 5}


def test_a_small_channel_hides_its_complement_inside_a_shown_audience() -> None:
    counts = received_counts({"staff": {"email": 20, "open_link": 2}}, 5, CHANNELS)
    staff = counts.audiences["staff"]
    assert staff.count == 22
    assert staff.channels["open_link"] is None and staff.channels["email"] is None


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]),
        st.fixed_dictionaries({c: st.integers(0, 12) for c in CHANNELS}),
        min_size=1,
    ),
    st.integers(3, 7),
)
def test_no_hidden_count_is_under_k_or_derivable(per, k) -> None:
    counts = received_counts(per, k, CHANNELS)
    totals = {a: sum(by.values()) for a, by in per.items()}
    hidden = [a for a, item in counts.audiences.items() if item.count is None]
    for a, item in counts.audiences.items():
        if item.count is not None:
            assert item.count == 0 or item.count >= k
            assert item.count == totals[a]
            shown_channels = [v for v in item.channels.values() if v is not None]
            assert all(v == 0 or v >= k for v in shown_channels)
            missing = [c for c, v in item.channels.items() if v is None]
            assert len(missing) != 1  # one hidden channel would be the count minus the others
    if counts.total is not None:
        assert counts.total == sum(totals.values())
        assert len(hidden) != 1  # the total minus the shown ones would give it away
        if hidden:
            assert sum(totals[a] for a in hidden) >= k  # no small union

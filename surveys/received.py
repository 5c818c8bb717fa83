"""How many answers have been received, per audience, as the staff pages may show it.

The response-rate dashboard, the Reminders page and their fragments show counts of people who
have answered while the results hide the same groups (DESIGN.md 6.5), so they use the results'
own rule (app/services/results/visibility.py, with `surveys.suppression`): an audience's count
appears only at k or more (0 is shown); the all-audiences total is the complementary cell, shown
only when no audience is hidden, so no hidden count can be worked out from the total and the
other audiences (hiding the next smallest audience instead would hide a count the results
show); and within a shown audience the channels
(email, open link, paper) are a second line summing to the audience's count, suppressed the
same way, with no channel shown where a hidden one could still be pinned down
(`surveys.pinning`; the outer line has no total, so its primary cells never can be). Hidden cells
read `surveys.evidence.hidden_figure`: "Fewer than k" only for a group
that is.

Counts of people who have answered are not answers: at or above k they may move one at a time
(DESIGN.md 6.6). The figures themselves update in released batches of at least k.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from surveys.evidence import hidden_figure
from surveys.pinning import guarded_counts
from surveys.suppression import suppress_counts


@dataclass(frozen=True, slots=True)
class ReceivedCount:
    """One audience: its count (or None) and, if shown, its channels (each int or None), with
    the hidden channels that read "fewer than k" (none where the split is concealed)."""

    count: int | None
    notice: str  # "" when shown
    channels: Mapping[str, int | None]
    small: frozenset[str] = frozenset()

    @property
    def shown(self) -> bool:
        return self.count is not None


@dataclass(frozen=True, slots=True)
class ReceivedCounts:
    k: int
    audiences: Mapping[str, ReceivedCount]
    total: int | None
    total_notice: str  # "" when shown

    def sentence(self) -> str:
        """The plain words under the table."""
        steps = f"results update in steps of at least {self.k} people, to protect anonymity"
        if self.total is None:
            return f"The number of answers received is not shown; {steps}."
        noun = "answer" if self.total == 1 else "answers"
        return f"{self.total} {noun} received; {steps}."


def received_counts(
    per_channel: Mapping[str, Mapping[str, int]], k: int, channels: tuple[str, ...]
) -> ReceivedCounts:
    """Suppress answers received per audience (with their total) and per channel within each.

    `per_channel` maps audience -> channel -> people who answered; every audience listed is a
    cell, so the total is exactly their sum (no unlisted gap).
    """
    totals = {aud: sum(by.get(c, 0) for c in channels) for aud, by in per_channel.items()}
    outer = suppress_counts(totals, k, with_total=False)  # primary only: the total complements
    audiences: dict[str, ReceivedCount] = {}
    for aud, count in totals.items():
        shown = outer.shown[aud]
        if shown is None:
            empty = MappingProxyType(dict.fromkeys(channels))
            notice = hidden_figure(aud in outer.primary, k)
            audiences[aud] = ReceivedCount(None, notice, empty)
            continue
        split, _ = guarded_counts({c: per_channel[aud].get(c, 0) for c in channels}, k)
        by_channel = dict.fromkeys(channels) if split.total_suppressed else dict(split.shown)
        small = frozenset() if split.total_suppressed else split.primary
        audiences[aud] = ReceivedCount(count, "", MappingProxyType(by_channel), small)
    grand = sum(totals.values())
    return ReceivedCounts(
        k=k,
        audiences=MappingProxyType(audiences),
        total=None if outer.primary else grand,
        total_notice=hidden_figure(0 < grand < k, k) if outer.primary else "",
    )

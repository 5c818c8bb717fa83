"""Per-audience facts: their order, headcounts by channel, and the overview's columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from app.models import Channel, FeedbackRound
from app.services.results.cells import notice
from app.services.results.figures import AudienceSummary, CellStatus, Column
from app.services.results.query import RoundItem
from surveys.pinning import guarded_counts
from surveys.scales import SCALES
from surveys.suppression import SuppressedCounts


def ordered_audiences(
    rnd: FeedbackRound, items: Iterable[RoundItem], by_channel: dict[str, dict[str, int]]
) -> list[str]:
    """The round's audiences that were asked something, in the round's order; any audience
    with responses but no questionnaire (should not happen) still counts towards the total."""
    asked = {item.audience for item in items}
    ordered = [a for a in rnd.groups if a in asked]
    extra = sorted((asked | set(by_channel)) - set(ordered))
    return ordered + extra


def channel_split(channels: Mapping[str, int], k: int) -> SuppressedCounts:
    """An audience's respondents per channel, as pages, workbook, API and reports show them.

    Channels split a group: each is a smaller group with its own threshold, and the audience's
    count is their total, so the same complementary rule applies; and where the rules would
    still give a hidden channel away (`surveys.pinning`), no channel is shown."""
    return guarded_counts({c.value: channels.get(c.value, 0) for c in Channel}, k)[0]


def audience_summary(
    audience: str,
    label: str,
    phrase: str,
    status: CellStatus,
    invited: int,
    channels: dict[str, int],
    k: int,
    scales: tuple[str, ...],
) -> AudienceSummary:
    completed = open_link = paper = kiosk = respondents = None
    if status in (CellStatus.SHOWN, CellStatus.EMPTY):
        respondents = sum(channels.values())
        split = channel_split(channels, k)
        if not split.total_suppressed:
            completed = split.shown[Channel.EMAIL.value]
            open_link = split.shown[Channel.OPEN_LINK.value]
            paper = split.shown[Channel.PAPER.value]
            kiosk = split.shown[Channel.KIOSK.value]
    return AudienceSummary(
        audience=audience,
        label=label,
        phrase=phrase,
        status=status,
        invited=invited,
        completed=completed,
        open_link_responses=open_link,
        paper_responses=paper,
        kiosk_responses=kiosk,
        respondents=respondents,
        notice=notice(status, k),
        scales=scales,
    )


def columns(
    audiences: list[str], items: Iterable[RoundItem], label: Callable[[str], str]
) -> list[Column]:
    """One column per audience for its main scale group; a second group (rare: an audience
    answering both faces and an adult scale) gets its own column, never pooled."""
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in items:
        groups[item.audience][SCALES[item.scale_id].pooled_group] += 1
    found = []
    for audience in audiences:
        ranked = sorted(groups.get(audience, {"adult": 0}).items(), key=lambda g: -g[1])
        for n, (group, _) in enumerate(ranked):
            key = audience if n == 0 else f"{audience}/{group}"
            name = label(audience) if n == 0 else f"{label(audience)} ({group} scale)"
            found.append(Column(key, audience, group, name))
    return found

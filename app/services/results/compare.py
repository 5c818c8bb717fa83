"""Round versus round (DESIGN.md 7): items asked with identical wording and scale to the same
audience in both rounds, with Newcombe's interval for the change; the rounds' own questions
beside them (`compare_own`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.models import FeedbackRound
from app.services.results.cache import round_results
from app.services.results.change_words import ChangeWords
from app.services.results.compare_own import OwnComparison, compare_own_questions
from app.services.results.figures import Cell, ItemResult, RoundResults
from app.services.results.own_questions import OwnQuestionResult
from surveys.scales import get_scale
from surveys.statistics import Distribution
from surveys.statistics import compare_rounds as compare_distributions


@dataclass(frozen=True, slots=True)
class ItemComparison(ChangeWords):
    audience: str
    audience_label: str
    indicator_id: str
    statement: str
    scale_id: str
    current: Cell
    earlier: Cell
    change: float | None  # percentage points, unrounded
    low: float | None
    high: float | None
    significant: bool | None
    reason: str  # why not compared, "" when compared


@dataclass(frozen=True, slots=True)
class RoundComparison:
    current: RoundResults
    earlier: RoundResults
    items: list[ItemComparison]
    new_items: int  # in the current round with no identical earlier item
    dropped_items: int  # in the earlier round with no identical current item
    # The round's own questions (issue 20): matched ones side by side, and the rest.
    own: list[OwnComparison] = field(default_factory=list)
    own_only_current: list[OwnQuestionResult] = field(default_factory=list)
    own_only_earlier: list[OwnQuestionResult] = field(default_factory=list)


def _match_key(item: ItemResult, labels: dict[str, str]) -> tuple[str, str, str, str]:
    """Same audience (its id and its name: a round's own audience renamed is another group),
    same scale, same words."""
    label = " ".join(labels.get(item.audience, item.audience).split()).casefold()
    return (item.audience, label, item.scale_id, " ".join(item.statement.split()))


def compare_rounds(current: FeedbackRound, earlier: FeedbackRound) -> RoundComparison:
    """Items asked with identical wording and scale to the same audience in both rounds."""
    if current.id == earlier.id:
        raise ValueError("choose a different round to compare with")
    if current.framework_id != earlier.framework_id:
        raise ValueError("rounds on different frameworks cannot be compared")
    if current.organisation_id != earlier.organisation_id:
        raise ValueError("rounds of different organisations cannot be compared")
    now, before = round_results(current), round_results(earlier)

    def index(results: RoundResults) -> dict[tuple[str, ...], ItemResult]:
        names = {a.audience: a.label for a in results.audiences}
        seen: dict[tuple[str, ...], list[ItemResult]] = defaultdict(list)
        for item in results.items:
            seen[_match_key(item, names)].append(item)
        out: dict[tuple[str, ...], ItemResult] = {}
        for key, found in seen.items():
            if len(found) == 1:
                out[key] = found[0]
            else:  # the same words twice for one audience: tell them apart by indicator
                for item in found:
                    out[(*key, item.indicator_id)] = item
        return out

    current_items, earlier_items = index(now), index(before)
    labels = {a.audience: a.label for a in now.audiences}
    comparisons = []
    for key, item in current_items.items():
        old = earlier_items.get(key)
        if old is None:
            continue
        comparisons.append(_compare_item(item, old, labels.get(item.audience, item.audience)))
    matched = sum(1 for key in current_items if key in earlier_items)
    own, own_now, own_before = compare_own_questions(now, before)
    return RoundComparison(
        current=now,
        earlier=before,
        items=comparisons,
        new_items=len(current_items) - matched,
        dropped_items=len(earlier_items) - matched,
        own=own,
        own_only_current=own_now,
        own_only_earlier=own_before,
    )


def _compare_item(item: ItemResult, old: ItemResult, audience_label: str) -> ItemComparison:
    reason = ""
    difference = None
    if item.distribution is None or old.distribution is None:
        reason = "Not compared: one of the rounds cannot show figures for this group."
    else:
        scale = get_scale(item.scale_id)
        difference = compare_distributions(
            Distribution(scale, item.distribution), Distribution(scale, old.distribution)
        )
        if difference is None:
            reason = "Not compared: only Don't know answers in one of the rounds."
    return ItemComparison(
        audience=item.audience,
        audience_label=audience_label,
        indicator_id=item.indicator_id,
        statement=item.statement,
        scale_id=item.scale_id,
        current=item.cell,
        earlier=old.cell,
        change=None if difference is None else difference.difference * 100,
        low=None if difference is None else difference.low * 100,
        high=None if difference is None else difference.high * 100,
        significant=None if difference is None else difference.significant,
        reason=reason,
    )

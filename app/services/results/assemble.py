"""A round's results assembled in memory from the grouped counts, threshold applied.

The pure modules do the arithmetic and the words: `surveys.statistics` (distributions, Wilson
intervals, roll-ups with their clustered intervals, quantity words, disparities),
`surveys.suppression` (threshold k with complementary suppression) and `surveys.evidence` /
`surveys.findings` (sentences).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable

from app.models import FeedbackRound
from app.services.frameworks import framework_of
from app.services.mix import shown
from app.services.results.audiences import audience_summary, columns, ordered_audiences
from app.services.results.cells import hidden_cell, item_distribution, shown_cell
from app.services.results.clusters import rollup_clusters
from app.services.results.figures import CellStatus, ItemResult, RoundResults
from app.services.results.indicators import indicator_results
from app.services.results.own_questions import own_question_results
from app.services.results.query import (
    RoundItem,
    answer_counts,
    invitation_counts,
    respondent_counts,
    round_items,
)
from app.services.results.visibility import audience_visibility
from surveys import evidence as wording
from surveys.findings import third_person
from surveys.questionnaire import audience_phrase
from surveys.scales import get_scale
from surveys.statistics import ItemResult as StatItem
from surveys.statistics import disparities, roll_up


def compute_results(rnd: FeedbackRound) -> RoundResults:
    """Count the round afresh: four queries (and the per-respondent tallies of
    `rollup_clusters` when the answers shown have changed), then everything in memory."""
    k = rnd.threshold
    framework = framework_of(rnd)
    items = round_items(rnd.id)
    cut = shown(rnd.id)  # one cut for every count, so they agree even if a release lands
    counts = answer_counts(rnd.id, cut)
    by_channel = respondent_counts(rnd.id, cut)
    invited = invitation_counts(rnd.id)

    audiences = ordered_audiences(rnd, items, by_channel)
    respondents = {a: sum(by_channel.get(a, {}).values()) for a in audiences}
    visibility = audience_visibility(respondents, k)

    def status_of(audience: str) -> CellStatus:
        if audience in visibility.empty:
            return CellStatus.EMPTY
        if audience in visibility.suppressed:
            return CellStatus.SUPPRESSED
        return CellStatus.SHOWN

    def label(audience: str) -> str:
        return framework.audience_label(audience) if framework else audience

    def phrase(audience: str) -> str:
        return audience_phrase(framework, audience) if framework else audience

    scales_by_audience: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.scale_id not in scales_by_audience[item.audience]:
            scales_by_audience[item.audience].append(item.scale_id)

    summaries = [
        audience_summary(
            audience,
            label(audience),
            phrase(audience),
            status_of(audience),
            invited.get(audience, 0),
            by_channel.get(audience, {}),
            k,
            tuple(scales_by_audience.get(audience, ())),
        )
        for audience in audiences
    ]

    item_results, shown_items = _item_results(items, counts, status_of, phrase, k)

    round_columns = columns(audiences, items, label)
    column_key = {(c.audience, c.pooled_group): c.key for c in round_columns}
    # The percentage pools answers; the interval counts the same answers per respondent.
    rollups = roll_up(shown_items, rollup_clusters(rnd.id, shown_items, counts, cut))
    spreads = disparities(rollups.values(), shown_audiences=visibility.shown)

    indicators = indicator_results(
        rnd,
        framework,
        items,
        item_results,
        rollups,
        spreads,
        column_key,
        respondents,
        status_of,
        phrase,
        k,
    )
    order = {result.indicator_id: n for n, result in enumerate(indicators)}
    rank = {audience: n for n, audience in enumerate(audiences)}
    item_results.sort(
        key=lambda r: (order.get(r.indicator_id, len(order)), rank[r.audience], r.position)
    )

    total = sum(respondents.values()) if visibility.total_shown else None
    return RoundResults(
        round_id=rnd.id,
        round_name=rnd.name,
        framework_id=rnd.framework_id,
        framework_title=framework.title if framework else rnd.framework_id,
        status=rnd.status,
        threshold=k,
        closed_at=rnd.closed_at,
        audiences=summaries,
        columns=round_columns,
        indicators=indicators,
        items=item_results,
        total_respondents=total,
        comments_allowed_audiences=[a for a in audiences if respondents[a] >= k],
        own_questions=own_question_results(rnd, cut, audiences, respondents, status_of, label),
    )


def _item_results(
    items: list[RoundItem],
    counts: dict[uuid.UUID, dict[str, int]],
    status_of: Callable[[str], CellStatus],
    phrase: Callable[[str], str],
    k: int,
) -> tuple[list[ItemResult], list[StatItem]]:
    """Items: one cell each, hidden with their audience or when fewer than k answered them.
    Also returns the shown items' distributions, which the indicator roll-ups pool."""
    item_results: list[ItemResult] = []
    shown_items: list[StatItem] = []
    for item in items:
        scale = get_scale(item.scale_id)
        distribution = item_distribution(scale, counts.get(item.id, {}), item.id)
        status = status_of(item.audience)
        if status == CellStatus.SHOWN and 0 < distribution.n_answered < k:
            status = CellStatus.SUPPRESSED
        if status == CellStatus.SHOWN and distribution.n_answered == 0:
            status = CellStatus.EMPTY
        if status == CellStatus.SHOWN:
            finding = third_person(item.statement)
            text = wording.evidence(
                distribution,
                audience=phrase(item.audience),
                finding=finding,
                statement=None if finding else item.statement,
            )
            # One answer per person: the plain Wilson interval, and people = valid answers.
            cell = shown_cell(
                distribution,
                distribution.n_answered,
                text,
                item.scale_id,
                interval=distribution.interval(),
                people=distribution.base,
            )
            shown_items.append(
                StatItem(str(item.id), item.indicator_id, item.audience, distribution)
            )
        else:
            cell = hidden_cell(status, k, phrase(item.audience), item.scale_id)
        item_results.append(
            ItemResult(
                item_id=item.id,
                indicator_id=item.indicator_id,
                theme_id=item.theme_id,
                section_id=item.section_id,
                audience=item.audience,
                position=item.position,
                statement=item.statement,
                scale_id=item.scale_id,
                distribution=dict(distribution.counts) if status == CellStatus.SHOWN else None,
                cell=cell,
            )
        )
    return item_results, shown_items

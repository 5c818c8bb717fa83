"""Indicator roll-ups: one cell per indicator and column, pooled from the items shown, with the
clustered interval (respondents as clusters) and the number of people behind the answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from app.models import FeedbackRound
from app.services.results.cells import hidden_cell, shown_cell
from app.services.results.figures import Cell, CellStatus, IndicatorResult, ItemResult
from app.services.results.query import RoundItem
from frameworks import Framework
from surveys.findings import indicator_evidence
from surveys.scales import SCALES
from surveys.statistics import Disparity, IndicatorRollup, RollupKey


def indicator_results(
    rnd: FeedbackRound,
    framework: Framework | None,
    items: list[RoundItem],
    item_results: list[ItemResult],
    rollups: dict[RollupKey, IndicatorRollup],
    spreads: list[Disparity],
    column_key: dict[tuple[str, str], str],
    respondents: dict[str, int],
    status_of: Callable[[str], CellStatus],
    phrase: Callable[[str], str],
    k: int,
) -> list[IndicatorResult]:
    asked: dict[str, set[tuple[str, str]]] = defaultdict(set)  # indicator -> (audience, group)
    scale_of: dict[tuple[str, str, str], str] = {}
    for item in items:
        group = SCALES[item.scale_id].pooled_group
        asked[item.indicator_id].add((item.audience, group))
        scale_of.setdefault((item.indicator_id, item.audience, group), item.scale_id)
    hidden_items: dict[tuple[str, str, str], int] = defaultdict(int)
    for result in item_results:
        if result.cell.status == CellStatus.SUPPRESSED:
            key = (result.indicator_id, result.audience, SCALES[result.scale_id].pooled_group)
            hidden_items[key] += 1

    ids = list(rnd.indicator_ids) + sorted(set(asked) - set(rnd.indicator_ids))
    results = []
    for indicator_id in ids:
        title, section_id = indicator_id, ""
        if framework is not None:
            try:
                indicator = framework.indicator(indicator_id)
                title, section_id = indicator.title, indicator.section
            except KeyError:
                pass
        cells: dict[str, Cell] = {}
        for audience, group in sorted(asked.get(indicator_id, ())):
            column = column_key[(audience, group)]
            status = status_of(audience)
            rollup = rollups.get(RollupKey(indicator_id, audience, group))
            scale_id = scale_of[(indicator_id, audience, group)]
            if status == CellStatus.SHOWN and rollup is None:
                # every item of the audience was hidden (fewer than k answered each)
                has_hidden = hidden_items[(indicator_id, audience, group)] > 0
                status = CellStatus.SUPPRESSED if has_hidden else CellStatus.EMPTY
            if status != CellStatus.SHOWN or rollup is None:
                cells[column] = hidden_cell(status, k, phrase(audience), scale_id)
                continue
            pooled, clusters = rollup.pooled, rollup.clusters
            assert clusters is not None  # assemble always counts the answers per respondent
            text = indicator_evidence(
                pooled,
                audience=phrase(audience),
                indicator=f"{indicator_id} {title}",
                statements=len(rollup.items),
                clusters=clusters,
            )
            cells[column] = shown_cell(
                pooled,
                respondents[audience],
                text,
                scale_id,
                interval=rollup.interval(),  # respondents as clusters, never pooled Wilson
                people=clusters.people,
            )
        own = tuple(d for d in spreads if d.indicator == indicator_id)
        results.append(
            IndicatorResult(
                indicator_id=indicator_id,
                title=title,
                section_id=section_id,
                cells=cells,
                disparity=own[0] if own else None,
                disparities=own,
            )
        )
    return results

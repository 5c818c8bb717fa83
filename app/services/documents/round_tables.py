"""The rows of the round workbook's tables, built only from `round_results` (no statistics here).

Every figure comes from `app.services.results`, so the workbook, the CSV and the results pages
show the same numbers. A cell the results hide carries no figure at all: its figure columns read
"fewer than k" (under the threshold), "no responses", or "not shown" (hidden for another
reason the results give), and its note gives the results' own notice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.services.documents.workbook import PERCENT, WRAP, Column
from app.services.results import Cell, CellStatus, IndicatorResult, ItemResult, RoundResults
from frameworks import Framework
from surveys.evidence import hidden_figure
from surveys.scales import get_scale


def lower_first(text: str) -> str:
    """Figure columns are in lower case; the wording itself comes from surveys.evidence."""
    return text[:1].lower() + text[1:]


def hidden_text(cell: Cell, k: int) -> str:
    """What a figure column reads for a cell the results do not show."""
    if cell.status == CellStatus.SUPPRESSED:
        return lower_first(hidden_figure(True, k))
    if cell.status == CellStatus.EMPTY:
        return "no responses"
    return "not shown"  # hidden for any other reason the results give


def proportion(percent: float | None) -> float | None:
    """Results give unrounded percents (0..100); cells hold proportions shown with a % format."""
    return None if percent is None else percent / 100


@dataclass(frozen=True, slots=True)
class Names:
    """Titles for ids, from the framework when it still exists."""

    framework: Framework | None

    def section(self, section_id: str) -> str:
        if self.framework is None or not section_id:
            return section_id
        try:
            return self.framework.section(section_id).title
        except KeyError:
            return section_id


def column_labels(results: RoundResults) -> dict[str, str]:
    return {c.key: c.label for c in results.columns}


# -- Indicators ----------------------------------------------------------------------------------

INDICATOR_COLUMNS = [
    Column("Section", 28, WRAP),
    Column("Indicator", 11),
    Column("Indicator title", 40, WRAP),
    Column("Audience", 24),
    Column("Scale", 22),
    Column("Respondents", 13),
    Column("Answers excluding Don't know", 14),
    Column("People answering", 12),  # of the respondents: the people behind those answers
    Column("Favourable answers", 12),
    Column("% favourable", 12, PERCENT),
    Column("95% CI low", 10, PERCENT),
    Column("95% CI high", 10, PERCENT),
    Column("Quantity word", 15),
    Column("Don't know answers", 12),
    Column("Note", 36, WRAP),
]
PERCENT_COLUMNS = frozenset(n for n, c in enumerate(INDICATOR_COLUMNS) if c.style == PERCENT)


def indicator_rows(results: RoundResults, names: Names) -> Iterator[list[Any]]:
    """One row per indicator and audience column, in the results' order."""
    labels = column_labels(results)
    k = results.threshold
    for indicator in results.indicators:
        for key, cell in indicator.cells.items():
            yield _indicator_row(indicator, labels.get(key, key), cell, k, names)


def _indicator_row(
    indicator: IndicatorResult, audience: str, cell: Cell, k: int, names: Names
) -> list[Any]:
    scale = get_scale(cell.scale_id).title if cell.scale_id else ""
    lead = [
        names.section(indicator.section_id),
        indicator.indicator_id,
        indicator.title,
        audience,
        scale,
    ]
    if cell.shown:
        return [
            *lead,
            cell.respondents,
            cell.base,
            cell.people,
            cell.favourable,
            proportion(cell.percent),
            proportion(cell.ci_low),
            proportion(cell.ci_high),
            cell.word,
            cell.dont_know,
            "Only Don't know answers" if cell.percent is None else None,
        ]
    text = hidden_text(cell, k)
    respondents = cell.respondents if cell.status == CellStatus.EMPTY else text
    return [*lead, respondents, None, None, None, text, None, None, None, None, cell.evidence]


# -- Items ---------------------------------------------------------------------------------------


def item_columns(scale_id: str) -> list[Column]:
    scale = get_scale(scale_id)
    return [
        Column("Section", 24, WRAP),
        Column("Indicator", 11),
        Column("Audience", 22),
        Column("Question", 10),
        Column("Statement", 50, WRAP),
        Column("Respondents", 12),
        *(Column(option.label, 12) for option in scale.options),
        Column("% favourable", 12, PERCENT),
        Column("95% CI low", 10, PERCENT),
        Column("95% CI high", 10, PERCENT),
        Column("Quantity word", 15),
        Column("Note", 30, WRAP),
    ]


def item_row(item: ItemResult, audience: str, k: int, names: Names) -> list[Any]:
    scale = get_scale(item.scale_id)
    cell = item.cell
    lead = [
        names.section(item.section_id),
        item.indicator_id,
        audience,
        f"Q{item.position}",
        item.statement,
    ]
    if cell.shown and item.distribution is not None:
        counts = [item.distribution.get(option.code, 0) for option in scale.options]
        return [
            *lead,
            cell.respondents,
            *counts,
            proportion(cell.percent),
            proportion(cell.ci_low),
            proportion(cell.ci_high),
            cell.word,
            "Only Don't know answers" if cell.percent is None else None,
        ]
    text = hidden_text(cell, k)
    respondents = cell.respondents if cell.status == CellStatus.EMPTY else text
    blanks = [None] * len(scale.options)
    return [*lead, respondents, *blanks, text, None, None, None, cell.evidence]

"""The assessment workbook's Charts sheet: native Excel bar charts (not pictures).

First the agreed levels, one bar per indicator on the framework's rating scale (the worst
level is 1), then per indicator the stakeholder figures of its latest imported round: percent
favourable by audience, exactly as frozen at import. A group the round did not show has no
figures in the payload; it is listed with its notice and never plotted. Each chart's numbers
are written beside it, and blocks are laid out by `round_charts.chart_block`, so no chart
crosses a printed page.
"""

from __future__ import annotations

from typing import Any

from app.models import Assessment, JudgementScope
from app.services.assessment import imports
from app.services.assessment.judgements import judgements_of
from app.services.documents.round_charts import PAGE_BARS, Axis, ChartRows, chart_block
from app.services.documents.round_tables import proportion
from app.services.documents.workbook import NOTE, TITLE, new_sheet, text_cell
from frameworks import Framework
from frameworks.workbook.style import column_widths


def write_assessment_charts(wb: Any, assessment: Assessment, framework: Framework) -> None:
    ws = new_sheet(wb, "Charts", landscape=False)
    column_widths(ws, (30, 14))
    rows = ChartRows(ws)
    scale = framework.rating_scale
    rows.put([text_cell(ws, "Agreed levels and what stakeholders report", TITLE)])
    rows.put(
        [
            text_cell(
                ws,
                f"Agreed levels on the {scale.title} scale, counted from the lowest "
                f"({scale.levels[-1].label} = 1) to the highest ({scale.levels[0].label} = "
                f"{len(scale.levels)}). Stakeholder figures are those imported from each "
                "indicator's latest round; groups under the round's threshold were never "
                "imported with figures and are not plotted.",
                NOTE,
            )
        ]
    )
    _agreed_levels(rows, assessment, framework)
    _stakeholder_figures(rows, assessment, framework)


def _agreed_levels(rows: ChartRows, assessment: Assessment, framework: Framework) -> None:
    judgements = judgements_of(assessment)
    scale = framework.rating_scale
    axis = Axis("Agreed level", len(scale.levels), "0", "Agreed level")
    plotted: list[tuple[str, Any]] = []
    notes: list[tuple[str, str]] = []
    for ind in assessment.indicator_ids:
        judgement = judgements.get((JudgementScope.INDICATOR, ind))
        label = f"{ind} {framework.indicator(ind).title}"
        if judgement is not None and judgement.agreed_rating:
            plotted.append((label, scale.rank(judgement.agreed_rating)))
        else:
            notes.append((label, "not agreed yet"))
    parts = max(1, -(-len(plotted) // PAGE_BARS))
    for n in range(parts):
        part = plotted[n * PAGE_BARS : (n + 1) * PAGE_BARS]
        title = "Agreed levels" + (f" ({n + 1} of {parts})" if parts > 1 else "")
        chart_block(
            rows,
            title,
            part,
            notes if n == parts - 1 else [],
            category="Indicator",
            axis=axis,
            value_style=None,
            empty="No level has been agreed yet.",
        )


def _stakeholder_figures(rows: ChartRows, assessment: Assessment, framework: Framework) -> None:
    latest = imports.latest_stakeholder_views(assessment)
    for ind in assessment.indicator_ids:
        item = latest.get(ind)
        if item is None or not item.payload:
            continue
        payload = item.payload
        k = payload.get("threshold")
        plotted: list[tuple[str, Any]] = []
        notes: list[tuple[str, str]] = []
        for cell in payload.get("cells", []):
            label = cell.get("label") or cell.get("audience", "")
            shown = cell.get("status") == "shown" and not cell.get("suppressed")
            if shown and cell.get("percent") is not None:
                plotted.append((label, proportion(cell["percent"])))
            elif shown:
                notes.append((label, "only Don't know answers"))
            else:
                hidden = f"fewer than {k} responses" if cell.get("status") == "suppressed" else ""
                notes.append((label, f"not shown{f': {hidden}' if hidden else ''}"))
        round_name = payload.get("round", {}).get("name") or "an imported round"
        title = f"{ind} {framework.indicator(ind).title}: {round_name}"
        chart_block(rows, title, plotted, notes)

"""The Charts sheet: one native Excel bar chart per indicator (not a picture).

Each chart plots the percent favourable of the audiences the results show, from a small data
block written beside it, so the chart and its numbers stay together and can be re-styled in
Excel. Hidden audiences are listed under the block with their notice and never plotted.
"""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList

from app.services.documents.round_tables import column_labels, hidden_text, proportion
from app.services.documents.workbook import (
    BOLD,
    HEADER,
    NOTE,
    PERCENT,
    TITLE,
    new_sheet,
    page_break_after,
    styled,
    text_cell,
)
from app.services.results import RoundResults
from frameworks.workbook.style import column_widths

CHART_ROWS = 16  # rows a chart of the default height covers; blocks are at least this tall
CHART_WIDTH_CM = 16
CHART_ROW_CM = 0.5
# Printed upright and one page wide, three chart blocks fill an A4 page: a page break after
# every third keeps each chart whole on one page.
CHARTS_PER_PAGE = 3


class _Rows:
    """Appends rows to a write-only sheet and remembers the number of the last one."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.last = 0

    def put(self, values: list[Any]) -> int:
        self.ws.append(values)
        self.last += 1
        return self.last


def write_charts(wb: Any, results: RoundResults) -> None:
    ws = new_sheet(wb, "Charts", landscape=False)
    column_widths(ws, (30, 14))
    rows = _Rows(ws)
    rows.put([text_cell(ws, "Percent favourable by audience, per indicator", TITLE)])
    rows.put(
        [
            text_cell(
                ws,
                f"Only audiences with {results.threshold} or more respondents are plotted. "
                "The numbers beside each chart are the ones it draws.",
                NOTE,
            )
        ]
    )
    labels = column_labels(results)
    k = results.threshold
    for n, indicator in enumerate(results.indicators):
        if n and n % CHARTS_PER_PAGE == 0:
            page_break_after(ws, rows.last)
        rows.put([])
        title = f"{indicator.indicator_id} {indicator.title}"
        top = rows.put([text_cell(ws, title, BOLD)])
        header = rows.put(
            [text_cell(ws, "Audience", HEADER), text_cell(ws, "% favourable", HEADER)]
        )
        plotted = [
            (labels.get(key, key), cell)
            for key, cell in indicator.cells.items()
            if cell.shown and cell.percent is not None
        ]
        for label, cell in plotted:
            rows.put([text_cell(ws, label), styled(ws, proportion(cell.percent), PERCENT)])
        for key, cell in indicator.cells.items():
            if cell.shown and cell.percent is not None:
                continue
            note = "only Don't know answers" if cell.shown else hidden_text(cell, k)
            rows.put([text_cell(ws, labels.get(key, key)), text_cell(ws, note, NOTE)])
        if not plotted:
            rows.put([text_cell(ws, "No figures can be shown for this indicator.", NOTE)])
            continue
        ws.add_chart(_chart(ws, title, header, len(plotted)), f"D{top}")
        while rows.last < top + CHART_ROWS:  # room for the chart before the next block
            rows.put([])


def _chart(ws: Any, title: str, header: int, n: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long audience names stay readable
    chart.style = 10
    chart.title = title if len(title) <= 80 else title[:79] + "…"
    chart.y_axis.title = "% favourable"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = "0%"
    chart.x_axis.scaling.orientation = "maxMin"  # first audience at the top
    chart.legend = None
    chart.x_axis.delete = False  # openpyxl 3.1 otherwise leaves the axes out in some Excels
    chart.y_axis.delete = False
    chart.add_data(
        Reference(ws, min_col=2, min_row=header, max_row=header + n), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=header + n))
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    chart.width = CHART_WIDTH_CM
    chart.height = (CHART_ROWS - 1) * CHART_ROW_CM
    return chart

"""The Charts sheet: one native Excel bar chart per indicator (not a picture).

Each chart plots the percent favourable of the audiences the results show, from a small data
block written beside it, so the chart and its numbers stay together and can be re-styled in
Excel. Hidden audiences are listed under the block with their notice and never plotted.
"""

from __future__ import annotations

from dataclasses import dataclass
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
PAGE_BARS = CHARTS_PER_PAGE * CHART_ROWS - 8  # the most bars one chart block may have


class ChartRows:
    """Appends rows to a write-only sheet, remembers the number of the last one, and puts a
    page break before every `per_page`-th chart block so no chart crosses a printed page."""

    def __init__(self, ws: Any, per_page: int = CHARTS_PER_PAGE) -> None:
        self.ws = ws
        self.last = 0
        self.blocks = 0
        self.per_page = per_page

    def put(self, values: list[Any]) -> int:
        self.ws.append(values)
        self.last += 1
        return self.last

    def new_page(self) -> None:
        if self.last:
            page_break_after(self.ws, self.last)
        self.blocks = 0


@dataclass(frozen=True, slots=True)
class Axis:
    title: str
    maximum: float
    number_format: str
    column: str  # the data column's header


PERCENT_AXIS = Axis("% favourable", 1, "0%", "% favourable")


def chart_block(
    rows: ChartRows,
    title: str,
    plotted: list[tuple[str, Any]],
    notes: list[tuple[str, str]],
    *,
    category: str = "Audience",
    axis: Axis = PERCENT_AXIS,
    value_style: str | None = PERCENT,
    empty: str = "No figures can be shown for this indicator.",
) -> None:
    """A titled data block (label, value) with a native bar chart of it beside, then `notes`
    (label, why it is not plotted). The block is at least as tall as its chart, so the next
    one starts below it. A block taller than usual gets a page of its own; one taller than a
    page (more than PAGE_BARS bars) is the caller's to split."""
    ws = rows.ws
    chart_rows = max(CHART_ROWS, len(plotted) + 4)
    tall = max(chart_rows, len(plotted) + len(notes) + 2) > CHART_ROWS
    if rows.blocks and (tall or rows.blocks % rows.per_page == 0):
        rows.new_page()
    rows.blocks = rows.per_page if tall else rows.blocks + 1
    rows.put([])
    top = rows.put([text_cell(ws, title, BOLD)])
    header = rows.put([text_cell(ws, category, HEADER), text_cell(ws, axis.column, HEADER)])
    for label, value in plotted:
        rows.put([text_cell(ws, label), styled(ws, value, value_style) if value_style else value])
    for label, note in notes:
        rows.put([text_cell(ws, label), text_cell(ws, note, NOTE)])
    if not plotted:
        rows.put([text_cell(ws, empty, NOTE)])
        return
    ws.add_chart(_chart(ws, title, header, len(plotted), axis, chart_rows), f"D{top}")
    while rows.last < top + chart_rows:  # room for the chart before the next block
        rows.put([])


def write_charts(wb: Any, results: RoundResults) -> None:
    ws = new_sheet(wb, "Charts", landscape=False)
    column_widths(ws, (30, 14))
    rows = ChartRows(ws)
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
    for indicator in results.indicators:
        plotted = [
            (labels.get(key, key), proportion(cell.percent))
            for key, cell in indicator.cells.items()
            if cell.shown and cell.percent is not None
        ]
        notes = [
            (
                labels.get(key, key),
                "only Don't know answers" if cell.shown else hidden_text(cell, k),
            )
            for key, cell in indicator.cells.items()
            if not (cell.shown and cell.percent is not None)
        ]
        chart_block(rows, f"{indicator.indicator_id} {indicator.title}", plotted, notes)


def _chart(ws: Any, title: str, header: int, n: int, axis: Axis, chart_rows: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long audience names stay readable
    chart.style = 10
    chart.title = title if len(title) <= 80 else title[:79] + "…"
    chart.y_axis.title = axis.title
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = axis.maximum
    chart.y_axis.number_format = axis.number_format
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
    chart.height = (chart_rows - 1) * CHART_ROW_CM
    return chart

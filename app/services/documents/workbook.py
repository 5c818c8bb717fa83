"""Workbook plumbing shared by every export: formula-injection safety, styles, streamed sheets.

No Flask and no SQL here, so the round and assessment workbooks, the paper templates and the
benchmark all write cells the same way. The header's colours and wrapping come from
`frameworks.workbook.style`, which the framework template uses too.

Formula injection (OWASP "CSV injection"): a text cell whose first character is one of
``= + - @``, a tab or a carriage return can become a formula when a person edits it (xlsx) or
opens the file (csv). In xlsx we keep the text exactly as written, store it as a string cell and
set Excel's own "quote prefix" flag, which is what Excel does when someone types ``'=1+1``:
the cell shows the text and stays text when edited. In CSV there is no cell type, so the value
is prefixed with a single quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from frameworks.workbook.style import BRAND, HEADER_FILL, HEADER_FONT, WRAP_TOP, column_widths

# OWASP's list, plus LF and the full-width forms some spreadsheet programs also accept.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PERCENT_FORMAT = "0%"
INTEGER_FORMAT = "0"
# Characters Excel refuses in sheet names, and its length limit.
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
# XML 1.0 forbids most control characters; openpyxl raises on them. Tab, LF and CR are allowed.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula (leading spaces do not help)."""
    stripped = text.lstrip(" ")
    return bool(stripped) and (text[0] in FORMULA_TRIGGERS or stripped[0] in FORMULA_TRIGGERS)


def clean_text(text: str) -> str:
    """Drop characters an xlsx file cannot hold (they would make openpyxl raise)."""
    return _ILLEGAL_XML.sub("", text)


def csv_safe(value: Any) -> Any:
    """A CSV field that no spreadsheet will run: formula-like text gets a leading quote."""
    if isinstance(value, str):
        value = clean_text(value)
        if is_formula_like(value):
            return "'" + value
    return value


def text_cell(ws: Any, text: str, style: str | None = None) -> WriteOnlyCell:
    """A cell that holds `text` as text, whatever it starts with."""
    cell = WriteOnlyCell(ws, value=None)
    cell.value = clean_text(text)
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    if style:
        cell.style = style  # before the prefix: a named style resets the cell's flags
    if is_formula_like(cell.value):
        cell.quotePrefix = True
    return cell


def styled(ws: Any, value: Any, style: str) -> WriteOnlyCell:
    if isinstance(value, str):
        return text_cell(ws, value, style)
    cell = WriteOnlyCell(ws, value=value)
    cell.style = style
    return cell


def safe_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """One row for `ws.append`: every string that could be read as a formula becomes text."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str) and (
            (value and (value[0] in FORMULA_TRIGGERS or value[0] == " "))
            or _ILLEGAL_XML.search(value)
        ):
            row.append(text_cell(ws, value))
        else:
            row.append(value)
    return row


# -- styles -----------------------------------------------------------------------------------

HEADER = "chorus header"
TITLE = "chorus title"
WRAP = "chorus wrap"
PERCENT = "chorus percent"
NOTE = "chorus note"
BOLD = "chorus bold"
DATE = "chorus date"


def add_styles(wb: Workbook) -> None:
    """Register the named styles once per workbook (cells then refer to them by name)."""
    thin = Side(style="thin", color="B1B4B6")
    styles = [
        NamedStyle(
            HEADER,
            font=HEADER_FONT,
            fill=HEADER_FILL,
            alignment=WRAP_TOP,
            border=Border(bottom=thin),
        ),
        NamedStyle(TITLE, font=Font(bold=True, size=14, color=BRAND)),
        NamedStyle(WRAP, alignment=WRAP_TOP),
        NamedStyle(PERCENT, number_format=PERCENT_FORMAT),
        NamedStyle(
            NOTE, font=Font(italic=True, color="505A5F"), alignment=Alignment(wrap_text=True)
        ),
        NamedStyle(BOLD, font=Font(bold=True)),
        NamedStyle(DATE, number_format="d mmm yyyy", alignment=Alignment(horizontal="left")),
    ]
    for style in styles:
        wb.add_named_style(style)


def new_workbook(*, write_only: bool = True, title: str = "") -> Workbook:
    """A workbook with Chorus's styles; `title` and the language go in its properties, which
    screen readers and document checkers read (an accessible document names itself)."""
    wb = Workbook(write_only=write_only)
    add_styles(wb)
    wb.properties.title = clean_text(title)[:255] or None
    wb.properties.language = "en-GB"
    wb.properties.creator = "Chorus"
    return wb


# -- printing -----------------------------------------------------------------------------------

A4 = 9  # the paper size code spreadsheet programs use for A4
# The footer: sheet name, then "page 2 of 7" (header/footer codes &A, &P and &N).
FOOTER = "&A, page &P of &N"


def print_setup(ws: Any, *, header_row: int | None = None, landscape: bool = True) -> None:
    """Print one page wide (as many pages tall as it takes), A4, a footer with the sheet's name
    and page number, and the table's header row repeated on every page.

    Call before the first row of a write-only sheet: the fit-to-page flag sits in the sheet's
    properties, which are written with the first row.
    """
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # no limit: long tables run on, never shrunk to one page
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.size = 8
    ws.print_options.horizontalCentered = False
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"


def page_break_after(ws: Any, row: int) -> None:
    """Start a new printed page after `row` (a chart or an indicator block stays whole)."""
    ws.row_breaks.append(Break(id=row))


def new_sheet(wb: Workbook, title: str, *, landscape: bool = True) -> Any:
    """A sheet with the print set-up every Chorus workbook sheet has."""
    ws = wb.create_sheet(title)
    print_setup(ws, landscape=landscape)
    return ws


# -- sheet names and table names --------------------------------------------------------------


def sheet_name(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet name (Excel: at most 31 characters, no []:*?/\\)."""
    base = _SHEET_NAME_BAD.sub(" ", clean_text(text)).strip().strip("'") or "Sheet"
    base = base[:SHEET_NAME_MAX].rstrip()
    lowered = {name.lower() for name in taken}
    name, n = base, 2
    while name.lower() in lowered:
        suffix = f" {n}"
        name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        n += 1
    return name


def table_name(text: str) -> str:
    """An Excel table name: letters, digits and underscores, starting with a letter."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not name or not name[0].isalpha():
        name = "T_" + name
    return name[:200]


# -- a streamed sheet with a header, frozen panes, widths and a filterable table ---------------


# Total column width (in characters) that still prints legibly on upright A4.
PORTRAIT_WIDTH = 110


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float = 14
    style: str | None = None  # named style for the column's data cells (PERCENT, WRAP...)


class TableSheet:
    """A write-only sheet holding one Excel table: optional lines above, a header row, rows.

    Widths are set before the first row (write-only sheets need that), the panes freeze below
    the header, and `close()` adds the table so the reader can filter and sort every column.
    """

    def __init__(
        self,
        wb: Workbook,
        title: str,
        columns: Sequence[Column],
        *,
        table: str,
        preamble: Sequence[str] = (),
    ) -> None:
        self.ws = wb.create_sheet(title)
        self.columns = list(columns)
        # Narrow tables print upright; wide ones on their side. Both fit one page wide.
        print_setup(self.ws, landscape=sum(c.width for c in self.columns) > PORTRAIT_WIDTH)
        self.table = table
        self._styles = [c.style for c in self.columns]
        self._styled = any(self._styles)
        column_widths(self.ws, [c.width for c in self.columns])
        self.header_row = len(preamble) + (2 if preamble else 1)
        self.ws.print_title_rows = f"{self.header_row}:{self.header_row}"
        self.ws.freeze_panes = f"A{self.header_row + 1}"
        for n, line in enumerate(preamble):
            self.ws.append([text_cell(self.ws, line, TITLE if n == 0 else NOTE)])
        if preamble:
            self.ws.append([])
        self.ws.append([text_cell(self.ws, c.header, HEADER) for c in self.columns])
        self.rows = 0

    def append(self, values: Sequence[Any]) -> None:
        if len(values) > len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        if self._styled:
            row = [
                styled(self.ws, value, style) if style and value is not None else value
                for value, style in zip(values, self._styles, strict=False)
            ]
            self.ws.append(safe_row(self.ws, row))
        else:
            self.ws.append(safe_row(self.ws, values))
        self.rows += 1

    def append_trusted(self, values: list[Any]) -> None:
        """A row of values known to be safe (numbers, scale labels): no per-cell checks."""
        self.ws.append(values)
        self.rows += 1

    def close(self) -> None:
        """Add the table over the header and rows (a table needs at least one data row)."""
        if not self.rows:
            return
        last = get_column_letter(len(self.columns))
        ref = f"A{self.header_row}:{last}{self.header_row + self.rows}"
        table = Table(displayName=table_name(self.table), ref=ref)
        # Write-only sheets cannot be read back, so name the columns here (as the cells say).
        table.tableColumns = [
            TableColumn(id=i, name=clean_text(c.header)) for i, c in enumerate(self.columns, 1)
        ]
        table.autoFilter = AutoFilter(ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        # Worksheet.add_table always warns in write-only mode, even with the columns named
        # as above; add it the same way without the warning (openpyxl is pinned below 3.2).
        if self.ws.parent._duplicate_name(table.name):
            raise ValueError(f"two tables are called {table.name}")
        self.ws._tables.add(table)


def unique_headers(headers: Iterable[str]) -> list[str]:
    """Excel table column names must differ (ignoring case); add " (2)" where they repeat."""
    seen: set[str] = set()
    result = []
    for header in headers:
        name, n = header, 2
        while name.lower() in seen:
            name = f"{header} ({n})"
            n += 1
        seen.add(name.lower())
        result.append(name)
    return result


def write_lines(ws: Worksheet | Any, lines: Iterable[Sequence[Any] | str]) -> None:
    """Plain rows for narrative sheets: a str is one text cell, a sequence one row."""
    for line in lines:
        if isinstance(line, str):
            ws.append([text_cell(ws, line)] if line else [])
        else:
            ws.append(safe_row(ws, line))

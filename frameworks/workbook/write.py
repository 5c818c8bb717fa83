"""Writing the import template, or a framework in the same layout, as a workbook.

Writing a framework and reading it back gives an equal `Framework` (tested for the built-ins).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from frameworks.schema import Framework
from frameworks.workbook.drop_downs import add_drop_downs
from frameworks.workbook.framework_rows import rows_of
from frameworks.workbook.instructions import write_instructions
from frameworks.workbook.layout import FRAMEWORK_FIELDS, FRAMEWORK_SHEET, SheetSpec
from frameworks.workbook.sheets import SHEETS
from frameworks.workbook.style import HEADER_FILL, HEADER_FONT, WRAP_TOP


def framework_workbook(framework: Framework | None = None) -> Workbook:
    """The import template (no framework) or a framework written out in the same layout."""
    wb = Workbook()
    write_instructions(wb)
    ws = wb.create_sheet(FRAMEWORK_SHEET.name)
    _header(ws, FRAMEWORK_SHEET)
    data = framework.model_dump(mode="json") if framework else {}
    for n, (label, path, help_text, required) in enumerate(FRAMEWORK_FIELDS, start=2):
        ws.cell(row=n, column=1, value=label).font = Font(bold=required)
        value: Any = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        _put(ws, n, 2, value or None)
        ws.cell(row=n, column=2).alignment = WRAP_TOP
        ws.cell(row=n, column=3, value=("Required. " if required else "") + help_text)
    ws.column_dimensions["B"].number_format = "@"
    for spec in SHEETS:
        sheet = wb.create_sheet(spec.name)
        _header(sheet, spec)
        for r, row in enumerate(rows_of(spec.name, framework) if framework else [], start=2):
            for c, col in enumerate(spec.columns, start=1):
                _put(sheet, r, c, row.get(col.key))
    add_drop_downs(wb, [a.id for a in framework.audiences] if framework else [])
    return wb


def workbook_bytes(framework: Framework | None = None) -> bytes:
    out = io.BytesIO()
    framework_workbook(framework).save(out)
    return out.getvalue()


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula: framework text is not trusted


def _header(ws: Worksheet, spec: SheetSpec) -> None:
    for n, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=n, value=col.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        comment = Comment(col.help, "Chorus")
        comment.width, comment.height = 260, 90
        cell.comment = comment
        letter = get_column_letter(n)
        ws.column_dimensions[letter].width = col.width
        if col.as_text:
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"

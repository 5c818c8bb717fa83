"""The look every Chorus workbook shares: the header's colours, wrapped text, column widths.

Pure openpyxl (no Flask, no SQL), so the framework template here and the exports and paper
templates in `app/` take the same pieces instead of each spelling them out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

BRAND = "1D4F91"  # Chorus blue
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=BRAND)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def column_widths(ws: Any, widths: Iterable[float]) -> None:
    """Set the widths of the first columns, from A rightwards."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

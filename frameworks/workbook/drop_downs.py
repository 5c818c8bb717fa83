"""Drop-down lists (Excel data validations) on the columns that take one of a few words or an id."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from frameworks.schema import ITEM_SCALES, STANDARD_AUDIENCES
from frameworks.workbook.layout import CHOICES, DETAIL_FIELDS, NOTE_KINDS, SheetSpec
from frameworks.workbook.sheets import SHEET

_VALIDATED_ROWS = 2_000


def add_drop_downs(wb: Workbook, extra_audiences: Sequence[str] = ()) -> None:
    """Add the hidden sheet of choices, then a list to each column that has one.
    `extra_audiences`: the ids the framework's Audiences sheet adds, offered after the six."""
    _choices(wb, extra_audiences)
    n_audiences = len(STANDARD_AUDIENCES) + len(extra_audiences)
    # Warnings, not refusals, where a value may be an id defined on another sheet.
    _validate(wb["Items"], SHEET["Items"], "audience", f"={CHOICES}!$A$1:$A${n_audiences}", False)
    _validate(wb["Items"], SHEET["Items"], "scale", _quoted(list(ITEM_SCALES)), True)
    _validate(wb["Themes"], SHEET["Themes"], "stakeholder_report", _quoted(["yes", "no"]), True)
    _validate(
        wb["Standard detail"], SHEET["Standard detail"], "field", _quoted(list(DETAIL_FIELDS)), True
    )
    _validate(wb["Notes"], SHEET["Notes"], "kind", _quoted(list(NOTE_KINDS)), True)

    def ids(sheet: str) -> str:
        return f"={sheet}!$A$2:$A${_validated_rows(wb[sheet])}"

    for sheet in ("Items", "Themes", "Standard detail"):
        _validate(wb[sheet], SHEET[sheet], "indicator", ids("Indicators"), False)
    _validate(wb["Components"], SHEET["Components"], "section", ids("Sections"), False)
    _validate(wb["Indicators"], SHEET["Indicators"], "section", ids("Sections"), False)
    _validate(wb["Sections"], SHEET["Sections"], "group", ids("Groups"), False)


def _choices(wb: Workbook, extra_audiences: Sequence[str]) -> None:
    ws = wb.create_sheet(CHOICES)
    ws.sheet_state = "hidden"
    for n, audience in enumerate([*STANDARD_AUDIENCES, *extra_audiences], start=1):
        ws.cell(row=n, column=1, value=audience)


def _validate(ws: Worksheet, spec: SheetSpec, key: str, formula: str, strict: bool) -> None:
    letter = get_column_letter(spec.columns.index(spec.column(key)) + 1)
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        errorStyle="stop" if strict else "warning",
        error="Choose from the list." if strict else "This is not in the list. Keep it anyway?",
        errorTitle="Check this value",
        showErrorMessage=True,
    )
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{_validated_rows(ws)}")


def _validated_rows(ws: Worksheet) -> int:
    """Down to this row the drop-down lists apply: room to add rows below a written framework."""
    written: int = ws.max_row
    return max(_VALIDATED_ROWS, written + _VALIDATED_ROWS)


def _quoted(values: list[str]) -> str:
    return '"' + ",".join(values) + '"'

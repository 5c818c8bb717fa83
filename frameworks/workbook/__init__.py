"""Frameworks as Excel workbooks: the blank template, a framework written out, and reading back.

One sheet per kind of row (sections, indicators, themes, items, ...), one row per thing, so a
spreadsheet user never packs lists into a cell except an indicator's or thread's links. Reading
a workbook gives the same plain data a YAML file gives, then the schema validates it; every
error names the sheet, row and column it came from ("Items row 7, column C: statement is
empty"), including the schema's own errors where a cell can be found for them.

Writing a framework and reading it back gives an equal `Framework` (tested for the built-ins).
Pure Python + openpyxl: no Flask, no SQL.

The modules: `layout` and `sheets` (what each sheet holds), `write` (with `instructions`,
`framework_rows` and `drop_downs`), `read` (with `reader`, `sheet_reader`, `places` and
`problems`), `upload` (YAML or Excel), `limits`, `bounds` (the zip-bomb guard every workbook
upload shares), and `style`, the look every Chorus workbook
shares. The limits are read from `limits` when they apply: patch them there, not here.
"""

from frameworks.workbook.layout import (
    CHOICES,
    DETAIL_FIELDS,
    DETAIL_LISTS,
    FRAMEWORK_FIELDS,
    FRAMEWORK_SHEET,
    INSTRUCTIONS,
    NO,
    NOTE_KINDS,
    YES,
    Column,
    SheetSpec,
)
from frameworks.workbook.limits import MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED_BYTES
from frameworks.workbook.places import Place
from frameworks.workbook.read import read_workbook
from frameworks.workbook.sheets import SHEET, SHEETS
from frameworks.workbook.upload import WORKBOOK_SUFFIXES, YAML_SUFFIXES, load_upload
from frameworks.workbook.write import framework_workbook, workbook_bytes

__all__ = [
    "CHOICES",
    "DETAIL_FIELDS",
    "DETAIL_LISTS",
    "FRAMEWORK_FIELDS",
    "FRAMEWORK_SHEET",
    "INSTRUCTIONS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "NO",
    "NOTE_KINDS",
    "SHEET",
    "SHEETS",
    "WORKBOOK_SUFFIXES",
    "YAML_SUFFIXES",
    "YES",
    "Column",
    "Place",
    "SheetSpec",
    "framework_workbook",
    "load_upload",
    "read_workbook",
    "workbook_bytes",
]

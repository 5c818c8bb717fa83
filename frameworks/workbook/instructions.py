"""The template's first sheet: how to fill in the workbook, the sheets, and how to write items."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from frameworks.schema import STANDARD_AUDIENCES
from frameworks.workbook.layout import FRAMEWORK_SHEET, INSTRUCTIONS
from frameworks.workbook.sheets import SHEETS
from frameworks.workbook.style import WRAP_TOP


def write_instructions(wb: Workbook) -> None:
    """Turn the workbook's first sheet into the Instructions sheet."""
    ws = wb.active
    ws.title = INSTRUCTIONS
    ws.column_dimensions["A"].width = 110
    lines = [
        ("How to write a framework for Chorus", True),
        ("", False),
        (
            "Fill in the sheets, save the file as Excel (.xlsx), then import it: on the "
            "Frameworks page choose 'Import a framework', or run "
            "flask --app wsgi frameworks import FILE --org 'Your organisation'.",
            False,
        ),
        (
            "Row 1 of each sheet holds the column headings: keep them. Point at a heading to "
            "read what goes in the column. One thing per row; empty rows are skipped.",
            False,
        ),
        (
            "Ids are short codes (2.1, leadership, cw-1). Other sheets refer to them, so type "
            "them exactly the same everywhere.",
            False,
        ),
        (
            "Nothing is imported until the whole workbook is right: every problem is listed "
            "with its sheet, row and column, so you can fix them all at once.",
            False,
        ),
        ("", False),
        ("The sheets", True),
        (f"{FRAMEWORK_SHEET.name} (required): {FRAMEWORK_SHEET.help}", False),
        *[(f"{s.name}{' (required)' if s.required else ''}: {s.help}", False) for s in SHEETS],
        ("", False),
        ("Writing statements for the Items sheet", True),
        (
            "Write in the first person, as the respondent: 'I am kept informed about my child's "
            "progress.'",
            False,
        ),
        (
            "One idea per statement: not 'I am informed and involved'. No 'and/or'. No jargon.",
            False,
        ),
        ("At most 20 words; for children at most 12 short, concrete words.", False),
        (
            "Audiences: "
            + ", ".join(f"{k} ({v})" for k, v in STANDARD_AUDIENCES.items())
            + ", or an id of your own from the Audiences sheet (e.g. elected_members), with "
            "its label and the plural sentences use ('Most elected members ...').",
            False,
        ),
        (
            "Scales: agree4 (strongly agree to strongly disagree), faces3 (three faces, for "
            "children under 12), progress5 (a to e). Leave the scale blank to let Chorus choose.",
            False,
        ),
    ]
    for n, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=n, column=1, value=text)
        cell.alignment = WRAP_TOP
        if bold:
            cell.font = Font(bold=True, size=13 if n == 1 else 11)

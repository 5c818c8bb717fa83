"""Reading the file of a survey run elsewhere (issue 22), CSV or Excel, within bounds, and
writing the template to fill in. The rules of the rows themselves are `surveys.external`.

An .xlsx is a zip: `frameworks.workbook.bounds` refuses one that unpacks too large or holds too
many rows before openpyxl opens it, and stops a sheet that reaches further while it streams.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from app.dates import today as service_day
from app.services.assessment.assessments import AssessmentError
from frameworks.workbook.bounds import WorkbookTooLarge, check_workbook
from frameworks.workbook.uploads import NoSheets, NotAWorkbook, csv_reader, first_sheet_values
from surveys import external as ext

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_SHEET_ROWS = 5_000  # statements x groups; a large staff survey has a few hundred
MAX_COLUMNS = 40
MAX_UNPACKED_BYTES = 20_000_000
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class FileRefused(AssessmentError):
    """The upload's errors: `errors["file"]` says it in a sentence, `cells` lists each one."""

    def __init__(self, message: str, cells: list[ext.CellError] | None = None) -> None:
        super().__init__({"file": message})
        self.cells = cells or []


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise FileRefused("The file is not a CSV text file. Save it as CSV UTF-8 or .xlsx.")
    reader = csv_reader(data.decode("utf-8-sig", errors="replace"))
    try:
        for cells in reader:
            if reader.line_num > MAX_SHEET_ROWS:
                raise FileRefused(f"The file has more than {MAX_SHEET_ROWS:,} rows.")
            yield reader.line_num, [c for c in cells[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise FileRefused(
            f"Row {reader.line_num + 1} could not be read as CSV ({exc}). Check for an "
            "unclosed quotation mark."
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        check_workbook(data, max_unpacked=MAX_UNPACKED_BYTES, max_rows=MAX_SHEET_ROWS)
    except WorkbookTooLarge as exc:
        raise FileRefused(
            f"The workbook is too large to be a survey's results ({exc}). Keep one sheet of "
            "results, or save it as CSV UTF-8."
        ) from None
    try:
        rows = first_sheet_values(data, MAX_SHEET_ROWS, MAX_COLUMNS)
        for number, values in enumerate(rows, start=1):
            yield number, [ext.cell_text(v) for v in values]
    except NotAWorkbook:
        raise FileRefused(
            "The file is not a valid Excel workbook (.xlsx). Save it again from Excel, or as "
            "CSV UTF-8."
        ) from None
    except NoSheets:
        raise FileRefused("The workbook has no sheets.") from None
    except WorkbookTooLarge as exc:
        raise FileRefused(
            f"The sheet “{exc.sheet}” goes beyond row {MAX_SHEET_ROWS:,}. Delete the empty "
            "rows below the results."
        ) from None


def read_file(file_name: str, data: bytes) -> ext.SurveyFile:
    """The survey in a CSV or .xlsx file, or FileRefused with every error by row and column."""
    if not data.strip():
        raise FileRefused("The file is empty. Choose the file of results to import.")
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused("The file is larger than 2 MB, far more than a survey's results need.")
    if data.startswith(XLS_MAGIC):
        raise FileRefused("This is an old Excel file (.xls). Save it as .xlsx or CSV UTF-8.")
    if data.startswith(XLSX_MAGIC):
        rows: Iterator[tuple[int, list[str]]] = _xlsx_rows(data)
    elif Path(file_name).suffix.lower() in (".xlsx", ".xlsm"):
        raise FileRefused("The file is not a valid Excel workbook (.xlsx).")
    else:
        rows = _csv_rows(data)
    try:
        return ext.read_rows(rows, today=service_day())
    except ext.ExternalFileError as exc:
        raise refused(exc.errors) from None


def refused(cells: list[ext.CellError]) -> FileRefused:
    count = len(cells)
    return FileRefused(
        f"Nothing was imported: the file has {count} problem{'s' if count != 1 else ''}. "
        "Correct them and upload it again.",
        cells,
    )


def template_csv() -> bytes:
    """The downloadable template: the heading row and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ext.TEMPLATE_HEADER)
    writer.writerow(ext.TEMPLATE_EXAMPLE)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Results"
    sheet.append(list(ext.TEMPLATE_HEADER))
    sheet.append(list(ext.TEMPLATE_EXAMPLE))
    notes = book.create_sheet("How to fill it in")
    for line in (
        "One row per statement and group.",
        "Counts: one column “count: <answer option>” per option of the survey's scale, or "
        "the columns Favourable, Valid and Don't know instead.",
        "Answered (optional): everyone in the group who answered the statement; it must equal "
        "the sum of the counts.",
        "Indicator (optional): the indicator id a statement is evidence for; you confirm each "
        "one after uploading.",
        "Survey, Start date, End date and Method: the same on every row (one file, one survey).",
        "Groups that fewer people answered than the assessment's threshold are kept out.",
    ):
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

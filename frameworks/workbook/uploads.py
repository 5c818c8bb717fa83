"""Rows of an uploaded table, CSV or .xlsx, for the importers that take one (contacts, a survey run
elsewhere). Each caller words its own refusals; this module only says which one applies."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from frameworks.workbook.bounds import bounded_rows


class NotAWorkbook(ValueError):
    """The bytes are not an .xlsx openpyxl can read."""


class NoSheets(ValueError):
    """The workbook holds no worksheet."""


def csv_reader(text: str) -> Any:
    """A csv reader on `text`, split by the commonest of comma, semicolon and tab in its first
    line (Excel saves CSV with semicolons in much of Europe, and pasted tables carry tabs)."""
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count) if first_line else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def first_sheet_values(data: bytes, max_rows: int, max_col: int) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows as values, streamed within `max_rows` (WorkbookTooLarge past it).
    Call `bounds.check_workbook` first: this opens the file."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise NotAWorkbook from None
    try:
        if not book.worksheets:
            raise NoSheets
        yield from bounded_rows(book.worksheets[0], max_rows, values_only=True, max_col=max_col)
    finally:
        book.close()

"""Reading a framework back from workbook bytes.

Reading gives the same plain data a YAML file gives, then the schema validates it; every error
names the sheet, row and column it came from ("Items row 7, column C: statement is empty"),
including the schema's own errors where a cell can be found for them.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from openpyxl import load_workbook

from frameworks.loader import FrameworkError, parse_framework
from frameworks.schema import Framework
from frameworks.workbook import limits
from frameworks.workbook.bounds import WorkbookTooLarge, check_workbook
from frameworks.workbook.problems import locate
from frameworks.workbook.reader import FrameworkReader

_DUPLICATE_CODES = "rating scale level codes must be unique"


def read_workbook(data: bytes, name: str) -> Framework:
    """A framework from workbook bytes; FrameworkError lines name sheet, row and column."""
    wb = _open(data, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = FrameworkReader(wb, name)
            raw = reader.read()
    finally:
        wb.close()
    lines = [f"{name}: {place}: {message}" for place, message in reader.errors]
    try:
        framework = parse_framework(raw, name)
    except FrameworkError as exc:
        for problem, line in zip(exc.problems, exc.lines, strict=True):
            if problem.message.startswith("duplicate id") or problem.message == _DUPLICATE_CODES:
                continue  # the reader reported each duplicate at its row already
            found = locate(reader.origins, problem)
            if found is None:
                lines.append(line)
            elif (found[0].sheet, found[0].row) not in reader.flagged:
                # A row the reader already reported would only repeat itself here.
                lines.append(f"{name}: {found[0]}: {found[1]}")
        raise FrameworkError(lines or exc.lines) from None
    if lines:
        raise FrameworkError(lines)
    return framework


def _open(data: bytes, name: str) -> Any:
    try:
        # Blank rows below the data are read past (Excel keeps formatted ones), up to a point.
        check_workbook(data, max_unpacked=limits.MAX_UNPACKED_BYTES, max_rows=10 * limits.MAX_ROWS)
    except WorkbookTooLarge as exc:
        # A few kilobytes can unpack to gigabytes; openpyxl would read it all into memory.
        if exc.what == "rows":
            raise FrameworkError(
                [f"{name}: {exc.sheet} sheet: more than {exc.limit:,} rows, empty ones included"]
            ) from None
        raise FrameworkError(
            [
                f"{name}: (file): unpacks to {exc.found // 1_000_000:,} MB, far more than a "
                f"framework needs (at most {exc.limit // 1_000_000} MB)"
            ]
        ) from None
    with warnings.catch_warnings():
        # Excel features openpyxl does not keep (slicers, extensions) only warn; we read values.
        warnings.simplefilter("ignore")
        try:
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise FrameworkError(
                [f"{name}: (file): not an Excel workbook (.xlsx); save it as an Excel workbook"]
            ) from None

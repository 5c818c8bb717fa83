"""Reading a framework back from workbook bytes.

Reading gives the same plain data a YAML file gives, then the schema validates it; every error
names the sheet, row and column it came from ("Items row 7, column C: statement is empty"),
including the schema's own errors where a cell can be found for them.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any

from openpyxl import load_workbook

from frameworks.loader import FrameworkError, parse_framework
from frameworks.schema import Framework
from frameworks.workbook import limits
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


def _unpacked_size(data: bytes) -> int | None:
    """Total uncompressed size of the workbook's parts (None if it is not a zip at all)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _open(data: bytes, name: str) -> Any:
    size = _unpacked_size(data)
    if size is not None and size > limits.MAX_UNPACKED_BYTES:
        # A few kilobytes can unpack to gigabytes; openpyxl would read it all into memory.
        raise FrameworkError(
            [
                f"{name}: (file): unpacks to {size // 1_000_000:,} MB, far more than a framework "
                f"needs (at most {limits.MAX_UNPACKED_BYTES // 1_000_000} MB)"
            ]
        )
    with warnings.catch_warnings():
        # Excel features openpyxl does not keep (slicers, extensions) only warn; we read values.
        warnings.simplefilter("ignore")
        try:
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise FrameworkError(
                [f"{name}: (file): not an Excel workbook (.xlsx); save it as an Excel workbook"]
            ) from None

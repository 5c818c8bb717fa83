"""Reading an uploaded workbook within bounds, for every upload that takes one (a framework,
contacts, paper answers).

An .xlsx is a zip: half a megabyte can unpack to millions of rows, and openpyxl reads a sheet
with no declared size from end to end just to open the file. So `check_workbook` refuses two
things before openpyxl sees the file: an unpacked size over the limit, as the zip's directory
declares it (reading a part stops at its declared size, so this bounds every later step), and a
sheet with more row elements than the limit, counted in the unpacked bytes, which is far faster
than parsing them. While rows then stream, `bounded_rows` refuses a sheet that declares more
rows (its dimension) or reaches further (rows may skip numbers) than the limit.

Each caller words the refusal its own way from `WorkbookTooLarge`'s numbers.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any, Literal
from xml.etree import ElementTree

_ROW_TAG = re.compile(rb"<(?:\w{1,20}:)?row[\s/>]")  # <row ...>, <row/>, <x:row>
_LONGEST_TAG = 26
_CHUNK = 1 << 20
_NOT_READABLE = (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error)
_NOT_READABLE_TOO = (NotImplementedError, ElementTree.ParseError)


class WorkbookTooLarge(ValueError):
    """More than a bound allows: `what` is "unpacked" (bytes) or "rows" (of `sheet`)."""

    def __init__(
        self, what: Literal["unpacked", "rows"], found: int, limit: int, sheet: str = ""
    ) -> None:
        noun = "bytes unpacked" if what == "unpacked" else f"rows in sheet {sheet!r}"
        super().__init__(f"more than {limit:,} {noun} (found {found:,})")
        self.what = what
        self.found = found  # for rows, counting may stop soon after passing the limit
        self.limit = limit
        self.sheet = sheet


def unpacked_size(data: bytes) -> int | None:
    """Total uncompressed size the zip's directory declares (None if it is not a zip at all)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except _NOT_READABLE:
        return None


def check_workbook(data: bytes, *, max_unpacked: int, max_rows: int) -> None:
    """WorkbookTooLarge before openpyxl opens the file, if it unpacks to more than
    `max_unpacked` bytes or any part holds more than `max_rows` rows. A file that is not a
    readable zip passes: the workbook reader then says it is not a workbook."""
    size = unpacked_size(data)
    if size is None:
        return
    if size > max_unpacked:
        raise WorkbookTooLarge("unpacked", size, max_unpacked)
    over = _sheet_over(data, max_rows)
    if over is not None:
        raise WorkbookTooLarge("rows", over[1], max_rows, over[0])


def _sheet_over(data: bytes, max_rows: int) -> tuple[str, int] | None:
    """The first part holding more than `max_rows` rows, and its count (None if none does)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = _sheet_names(archive)
            # Every part, not only xl/worksheets/: openpyxl follows the workbook's links.
            for info in archive.infolist():
                with archive.open(info) as part:
                    rows = _count_rows(part, stop_after=max_rows)
                if rows > max_rows:
                    return names.get(info.filename, info.filename), rows
    except (*_NOT_READABLE, *_NOT_READABLE_TOO):
        pass  # not a readable zip: the workbook reader says so
    return None


def _count_rows(part: IO[bytes], stop_after: int) -> int:
    """Row elements in a part's bytes, stopping once there are more than `stop_after`."""
    count = 0
    tail = b""
    while chunk := part.read(_CHUNK):
        window = tail + chunk
        # A tag cut by the chunk boundary is whole in this window and was not counted before.
        count += sum(1 for m in _ROW_TAG.finditer(window) if m.end() > len(tail))
        if count > stop_after:
            break
        tail = window[-_LONGEST_TAG:]
    return count


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> sheet name ('xl/worksheets/sheet2.xml' -> 'Entry'), for the message."""
    ns = {
        "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    r_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {}
    for rel in rels.iterfind("rel:Relationship", ns):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return {
        targets[sheet.get(r_id)]: sheet.get("name", "")
        for sheet in book.iterfind("main:sheets/main:sheet", ns)
        if sheet.get(r_id) in targets
    }


def bounded_rows(ws: Any, max_rows: int, **iter_rows: Any) -> Iterator[tuple[Any, ...]]:
    """`ws.iter_rows(**iter_rows)`, refusing a sheet of more than `max_rows` rows (empty rows
    count too): by its declared dimension before the first row, then by counting as they come.
    """
    declared = ws.max_row if isinstance(getattr(ws, "max_row", None), int) else None
    if declared is not None and declared > max_rows:
        raise WorkbookTooLarge("rows", declared, max_rows, ws.title)
    stop = iter_rows.get("max_row")
    iter_rows["max_row"] = min(stop, max_rows + 1) if stop else max_rows + 1
    first = iter_rows.get("min_row") or 1
    for number, row in enumerate(ws.iter_rows(**iter_rows), start=first):
        if number > max_rows:
            raise WorkbookTooLarge("rows", number, max_rows, ws.title)
        yield row

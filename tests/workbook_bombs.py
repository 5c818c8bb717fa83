"""Zip-bomb workbooks for tests: a real .xlsx with one sheet inflated to millions of rows, a
few hundred kilobytes on disk, built in memory in about a second."""

from __future__ import annotations

import io
import re
import zipfile

FAT_ROW = '<row><c t="inlineStr"><is><t>someone@example.org</t></is></c></row>'  # 66 bytes
THIN_ROW = "<row/>"  # 6 bytes: millions of them stay under any size limit
_CHUNK = 10_000


def sheet_part(xlsx: bytes, sheet: str) -> str:
    """The zip member holding `sheet` (e.g. 'xl/worksheets/sheet2.xml')."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rel_id = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book)
    assert rel_id, f"no sheet {sheet!r}"
    target = re.search(rf'<Relationship [^>]*Id="{rel_id.group(1)}"[^>]*Target="([^"]+)"', rels)
    if target is None:  # attributes in the other order
        target = re.search(rf'Target="([^"]+)"[^>]*Id="{rel_id.group(1)}"', rels)
    assert target
    path = target.group(1).lstrip("/")
    return path if path.startswith("xl/") else f"xl/{path}"


def inflated(
    xlsx: bytes,
    sheet: str,
    extra_rows: int,
    *,
    row: str = FAT_ROW,
    dimension: str | None = None,
) -> bytes:
    """`xlsx` with `extra_rows` copies of `row` after the sheet's own rows. The sheet's
    <dimension> is dropped (as some writers do) unless `dimension` gives one ('A1:B3000000')."""
    part = sheet_part(xlsx, sheet)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != part:
                target.writestr(info, data)
                continue
            xml = re.sub(r"<dimension [^>]*/>", "", data.decode())
            if dimension:
                xml = xml.replace("<sheetData", f'<dimension ref="{dimension}"/><sheetData', 1)
            xml = xml.replace("<sheetData/>", "<sheetData></sheetData>")
            head, tail = xml.split("</sheetData>", 1)
            with target.open(part, "w", force_zip64=True) as stream:
                stream.write(head.encode())
                block = (row * _CHUNK).encode()
                for _ in range(extra_rows // _CHUNK):
                    stream.write(block)
                stream.write((row * (extra_rows % _CHUNK)).encode())
                stream.write(("</sheetData>" + tail).encode())
    return out.getvalue()


def unpacked(xlsx: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return sum(info.file_size for info in archive.infolist())

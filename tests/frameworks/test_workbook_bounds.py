"""The zip-bomb guard every workbook upload shares: refused by declared size, declared rows,
or counted rows, before openpyxl reads the whole sheet."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import Workbook, load_workbook

from frameworks.workbook.bounds import WorkbookTooLarge, bounded_rows, check_workbook
from tests.workbook_bombs import THIN_ROW, inflated, unpacked


def _book(*rows: list[str]) -> bytes:
    wb = Workbook()
    wb.active.title = "People"
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rows(data: bytes, max_rows: int) -> list[tuple[object, ...]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(bounded_rows(wb["People"], max_rows, values_only=True))
    finally:
        wb.close()


def test_three_million_rows_are_refused_by_declared_size_without_unpacking() -> None:
    bomb = inflated(_book(["email"]), "People", 3_000_000)
    assert len(bomb) < 1_000_000 and unpacked(bomb) > 190_000_000
    started = time.perf_counter()
    with pytest.raises(WorkbookTooLarge) as refused:
        check_workbook(bomb, max_unpacked=25_000_000, max_rows=1000)
    assert time.perf_counter() - started < 0.5
    assert (refused.value.what, refused.value.limit) == ("unpacked", 25_000_000)
    assert refused.value.found == unpacked(bomb)


def test_a_declared_dimension_beyond_the_cap_is_refused_before_the_first_row() -> None:
    bomb = inflated(_book(["email"], ["a@example.org"]), "People", 0, dimension="A1:B3000000")
    with pytest.raises(WorkbookTooLarge) as refused:
        _rows(bomb, 1000)
    assert (refused.value.what, refused.value.found, refused.value.sheet) == (
        "rows",
        3_000_000,
        "People",
    )


@pytest.mark.parametrize("dimension", [None, "A1:A1"], ids=["no-dimension", "lying-dimension"])
def test_rows_are_counted_in_the_bytes_before_openpyxl_opens_the_file(
    dimension: str | None,
) -> None:
    # Empty rows stay under any size limit (six bytes each), and openpyxl would read a sheet
    # with no dimension from end to end just to open the file (15 s for these).
    bomb = inflated(_book(["email"]), "People", 3_000_000, row=THIN_ROW, dimension=dimension)
    assert unpacked(bomb) < 25_000_000
    started = time.perf_counter()
    with pytest.raises(WorkbookTooLarge) as refused:
        check_workbook(bomb, max_unpacked=25_000_000, max_rows=1000)
    assert time.perf_counter() - started < 1
    found = refused.value
    assert (found.what, found.limit, found.sheet) == ("rows", 1000, "People")
    assert 1000 < found.found < 3_000_000  # counting stopped soon after the limit


def test_rows_that_skip_far_ahead_are_refused_as_they_stream() -> None:
    # Two row elements, but openpyxl would hand over three million empty rows in between.
    far = '<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = inflated(_book(["email"]), "People", 1, row=far, dimension="A1:A1")
    check_workbook(bomb, max_unpacked=25_000_000, max_rows=1000)
    started = time.perf_counter()
    with pytest.raises(WorkbookTooLarge) as refused:
        _rows(bomb, 1000)
    assert time.perf_counter() - started < 1
    assert (refused.value.what, refused.value.found) == ("rows", 1001)


def test_a_sheet_within_the_bounds_reads_every_row() -> None:
    data = _book(["email"], ["a@example.org"], ["b@example.org"])
    check_workbook(data, max_unpacked=25_000_000, max_rows=3)
    assert _rows(data, 3) == [("email",), ("a@example.org",), ("b@example.org",)]
    with pytest.raises(WorkbookTooLarge):
        _rows(data, 2)


def test_something_that_is_not_a_zip_is_left_to_the_workbook_reader() -> None:
    # openpyxl then says it is not a workbook
    check_workbook(b"not a zip", max_unpacked=10, max_rows=1)

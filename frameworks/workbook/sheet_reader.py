"""Reading the rows of one sheet: headings checked, blank rows skipped, cells turned into text,
and every error and every piece of data tied to the cell it came from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from frameworks.workbook import limits
from frameworks.workbook.layout import SheetSpec
from frameworks.workbook.places import Origin, Place, Row


class SheetReader:
    """Reads sheets laid out as a `SheetSpec` says, collecting errors rather than stopping."""

    def __init__(self, wb: Any, name: str):
        self.wb = wb
        self.name = name
        self.errors: list[tuple[Place, str]] = []
        self.origins: dict[tuple[Any, ...], Origin] = {}
        self.flagged: set[tuple[str, int | None]] = set()

    # .. errors and origins ..................................................................

    def error(self, place: Place, message: str) -> None:
        self.errors.append((place, message))
        self.flagged.add((place.sheet, place.row))

    def note(
        self,
        loc: tuple[Any, ...],
        sheet: str,
        row: Row | None,
        column: str | None = None,
        spec: SheetSpec | None = None,
    ) -> None:
        col = row.columns.get(column) if (row and column) else None
        place = Place(sheet, row.number if row else None, col)
        headers = {c.key: c.header for c in spec.columns} if spec else {}
        label = headers.get(column, column) if column else None
        self.origins[loc] = Origin(place, dict(row.columns) if row else {}, headers, label)

    # .. cells ..................................................................................

    def text(self, sheet: str, row: Row, key: str) -> str:
        """A cell as text ('' when blank); numbers become their shortest text."""
        value = row.values.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        if isinstance(value, dt.datetime | dt.date | dt.time):
            self.error(
                row.place(sheet, key),
                f"Excel has turned this into a date or time ({value}); format the column as "
                "Text and type it again",
            )
            return ""
        self.error(row.place(sheet, key), f"cannot read this cell ({type(value).__name__})")
        return ""

    def put(self, target: dict[str, Any], key: str, text: str) -> None:
        """Set a (possibly dotted) key, leaving blanks out so the schema's defaults apply."""
        if not text:
            return
        *parents, last = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = text

    # .. sheets ...................................................................................

    def rows(self, spec: SheetSpec) -> list[Row] | None:
        """Data rows of a sheet (None when it is missing); checks the headings first."""
        if spec.name not in self.wb.sheetnames:
            if spec.required:
                self.error(Place(spec.name), "this sheet is missing (start from the template)")
            return None
        ws = self.wb[spec.name]
        raw = ws.iter_rows(
            min_row=1, max_row=limits.MAX_ROWS + 1, max_col=limits.MAX_COLUMNS, values_only=True
        )
        header = next(raw, None) or ()
        by_heading = {c.header: c for c in spec.columns}
        columns: dict[str, int] = {}
        for n, heading in enumerate(header, start=1):
            if heading is None or str(heading).strip() == "":
                continue
            text = " ".join(str(heading).split()).lower()
            col = by_heading.get(text)
            if col is None:
                known = ", ".join(repr(c.header) for c in spec.columns)
                self.error(
                    Place(spec.name, 1, n), f"unknown column {str(heading)!r} (columns: {known})"
                )
            elif col.key in columns:
                self.error(Place(spec.name, 1, n), f"a second {col.header!r} column")
            else:
                columns[col.key] = n
        missing = [c.header for c in spec.columns if c.required and c.key not in columns]
        for heading in missing:
            self.error(Place(spec.name, 1), f"no {heading!r} column")
        if missing:
            return []
        out: list[Row] = []
        for number, values in enumerate(raw, start=2):
            if number > limits.MAX_ROWS:
                if any(v not in (None, "") for v in values):
                    self.error(Place(spec.name), f"more than {limits.MAX_ROWS:,} rows")
                break
            cells = {
                key: values[n - 1] if n - 1 < len(values) else None for key, n in columns.items()
            }
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            out.append(Row(number, cells, columns))
        return out

    def unique(self, spec: SheetSpec, rows: list[tuple[Row, str]], what: str = "id") -> None:
        first: dict[str, int] = {}
        for row, ident in rows:
            if not ident:
                continue
            if ident in first:
                self.error(
                    row.place(spec.name, what),
                    f"duplicate {what} {ident!r} (first on row {first[ident]})",
                )
            else:
                first[ident] = row.number

    def lookup(
        self, spec: SheetSpec, row: Row, key: str, known: dict[str, int], where: str
    ) -> int | None:
        ident = self.text(spec.name, row, key)
        if not ident:
            self.error(row.place(spec.name, key), f"{key} is empty")
            return None
        if ident not in known:
            self.error(row.place(spec.name, key), f"no {key} {ident!r} in the {where} sheet")
            return None
        return known[ident]

"""Where a piece of framework data came from: a sheet, a row, a cell; so every error names it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Place:
    """A cell (or a row, or a whole sheet) that a piece of framework data came from."""

    sheet: str
    row: int | None = None
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.sheet} sheet"
        if self.column is None:
            return f"{self.sheet} row {self.row}"
        return f"{self.sheet} row {self.row}, column {get_column_letter(self.column)}"


@dataclass
class Row:
    """A data row of a sheet, its cells by column key."""

    number: int
    values: dict[str, Any]  # column key -> raw cell value (None when blank)
    columns: dict[str, int]  # column key -> 1-based column

    def place(self, sheet: str, key: str | None = None) -> Place:
        return Place(sheet, self.number, self.columns.get(key) if key else None)


@dataclass
class Origin:
    """Where a piece of data came from, with its row's columns and headings, so a problem found
    deeper inside it can still be pointed at the right cell."""

    place: Place
    columns: dict[str, int] = field(default_factory=dict)  # column key -> 1-based column
    headers: dict[str, str] = field(default_factory=dict)  # column key -> heading
    label: str | None = None  # what the place itself holds, for "... is empty"

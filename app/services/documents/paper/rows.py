"""Checking each typed-in row of the Entry sheet, and what the check found.

A row is imported only when every cell in it is right; its errors name the row and column.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from app.services.documents.paper.layout import (
    COMMENT,
    OWN,
    OWN_TEXT,
    REFERENCE,
    ROLE,
    EntryColumn,
)
from app.services.documents.paper.text import cell_text, short
from app.services.documents.workbook import clean_text
from surveys import question_types as qt
from surveys.questionnaire import FREE_TEXT_MAX_CHARS


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem with a row, or with one cell of it."""

    row: int
    column: str  # letter; "" for a whole-row problem
    header: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
            if self.header:
                where += f" ({short(self.header)})"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class PaperRow:
    """One typed-in paper questionnaire, checked and ready to import."""

    row: int
    answers: dict[str, str]  # item id -> scale code
    role: str | None
    comments: tuple[tuple[str, str, str], ...]  # (section id, prompt code, text)
    # The round's own questions: (question id, chosen values, words), checked.
    own: tuple[tuple[str, tuple[str, ...], str], ...] = ()


@dataclass
class PaperCheck:
    """Everything found in an uploaded file: good rows, errors by row and column."""

    round_id: uuid.UUID
    audience: str
    audience_label: str
    rows: list[PaperRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    empty_rows: int = 0

    @property
    def error_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def valid(self) -> bool:
        return not self.errors


def _is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f"


def check_row(
    check: PaperCheck, columns: Sequence[EntryColumn], number: int, cells: list[Any]
) -> None:
    values = [getattr(c, "value", None) for c in cells]
    stray = [cells[i] for i in range(len(columns), len(cells)) if cell_text(values[i])]
    filled = [
        (column, cells[i], values[i])
        for i, column in enumerate(columns)
        if i < len(cells) and column.kind != REFERENCE and cell_text(values[i])
    ]
    if not filled and not stray:
        check.empty_rows += 1
        return
    errors: list[RowError] = []
    for cell in stray:
        errors.append(
            RowError(
                number,
                get_column_letter(cell.column),
                "",
                f"there is no question in this column (the template's last column is "
                f"{columns[-1].letter}); move the value to the right column or delete it.",
            )
        )
    answers: dict[str, str] = {}
    role: str | None = None
    comments: list[tuple[str, str, str]] = []
    own_values: dict[str, list[str]] = {}
    own_words: dict[str, str] = {}
    for column, cell, value in filled:
        error = None
        if _is_formula(cell):
            error = "contains a formula; type the answer itself."
        elif column.kind == OWN_TEXT:
            own_words[column.key] = clean_text(str(value).strip())
        elif column.kind == OWN:
            error = _own_values(column, cell_text(value), own_values)
        elif column.kind == COMMENT:
            text = clean_text(str(value).strip())
            if len(text) > FREE_TEXT_MAX_CHARS:
                error = (
                    f"the comment is {len(text)} characters long; the questionnaire allows "
                    f"{FREE_TEXT_MAX_CHARS}."
                )
            else:
                section_id, prompt = column.key.split("/", 1)
                comments.append((section_id, prompt, text))
        else:
            code = column.match(cell_text(value))
            if code is None:
                error = f"'{short(cell_text(value), 40)}' is not one of {', '.join(column.labels)}."
            elif column.kind == ROLE:
                role = code
            else:
                answers[column.key] = code
        if error:
            errors.append(RowError(number, column.letter, column.header, error))
    own = _own_answers(columns, number, own_values, own_words, errors)
    if not errors and not answers and not comments and not own:
        errors.append(
            RowError(
                number,
                "",
                "",
                "no question is answered. Type the answers, or clear the row if the "
                "questionnaire came back blank.",
            )
        )
    if errors:
        check.errors.extend(errors)
        return
    check.rows.append(PaperRow(number, answers, role, tuple(comments), tuple(own)))


def _own_values(column: EntryColumn, typed: str, found: dict[str, list[str]]) -> str | None:
    """The values a typed cell names: option labels (several split by ";"), or a number."""
    spec = column.spec
    assert spec is not None
    if spec.kind == qt.Kind.NUMBER:
        found[column.key] = [typed]
        return None
    labels = [typed] if column.options else [p for p in typed.replace(",", ";").split(";")]
    choices = EntryColumn(column.letter, column.kind, column.key, column.header, spec.choices)
    values = []
    for label in (p.strip() for p in labels):
        if not label:
            continue
        code = choices.match(label)
        if code is None:
            return f"'{short(label, 40)}' is not one of {', '.join(choices.labels)}."
        values.append(code)
    found[column.key] = values
    return None


def _own_answers(
    columns: Sequence[EntryColumn],
    number: int,
    values: dict[str, list[str]],
    words: dict[str, str],
    errors: list[RowError],
) -> list[tuple[str, tuple[str, ...], str]]:
    """Each own question's cells checked as its respondent page checks them."""
    found = []
    for column in columns:
        if column.spec is None or (
            column.kind == OWN_TEXT and column.spec.kind != qt.Kind.FREE_TEXT
        ):
            continue
        chosen, said = values.get(column.key, []), words.get(column.key, "")
        if not chosen and not said:
            continue
        try:
            given = qt.parse_answer(column.spec, chosen, said)
        except qt.QuestionError as refused:
            errors.append(RowError(number, column.letter, column.header, str(refused)))
            continue
        if not given.blank:
            found.append((column.key, given.values, given.text))
    return found

"""Checking an uploaded template as a whole before any row: an xlsx of a sensible size, made for
this round and audience, with the template's sheets and columns unchanged and some
questionnaires typed in. A file that fails any of these is rejected outright (PaperError).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from app.models import FeedbackRound
from app.services.documents.paper.errors import PaperError
from app.services.documents.paper.layout import (
    ENTRY_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INFO_SHEET,
    LISTS_SHEET,
    OWN,
    OWN_TEXT,
    TEMPLATE_FORMAT,
    TEMPLATE_MARKER,
    EntryColumn,
    entry_columns,
)
from app.services.documents.paper.live import ensure_live, questionnaire_for
from app.services.documents.paper.rows import PaperCheck, check_row
from app.services.documents.paper.text import cell_text, normal, short
from app.services.documents.workbook import clean_text
from frameworks.workbook.bounds import WorkbookTooLarge, bounded_rows, check_workbook

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_QUESTIONNAIRES = 5000  # per file; more is a sign of a wrong file, and bounds the work
MAX_SHEET_ROWS = 20000  # rows looked at, empty ones included (a zip bomb of empty rows)
MAX_UNPACKED_BYTES = 40_000_000  # 5,000 questionnaires of 60 questions unpack to about 20 MB
EXTRA_COLUMNS_CHECKED = 30  # beyond the template's columns, to catch typing in the wrong place


def check_upload(rnd: FeedbackRound, data: bytes, audience_labels: dict[str, str]) -> PaperCheck:
    """Read and check an uploaded template; PaperError for problems with the file as a whole."""
    ensure_live(rnd)
    wb = _open_workbook(data)
    try:
        return _check(rnd, wb, audience_labels)
    finally:
        wb.close()


def _check(rnd: FeedbackRound, wb: Any, audience_labels: dict[str, str]) -> PaperCheck:
    info = _info(wb)
    if info.get("round_id") != str(rnd.id):
        other = info.get("round_name") or "another round"
        raise PaperError(
            f"This template was made for a different round ({short(other)!r}), not "
            f"{short(rnd.name)!r}. Download this round's template and type the "
            "questionnaires into it."
        )
    audience = info.get("audience", "")
    questionnaire = questionnaire_for(rnd, audience)
    if questionnaire is None:
        raise PaperError("This template is for an audience this round does not ask.")
    label = audience_labels.get(audience, audience)
    _refuse_not_asked(rnd, audience, label, info["columns"])
    columns = entry_columns(questionnaire)
    expected = [(c.letter, c.kind, c.key) for c in columns]
    if info.get("questionnaire_id") != str(questionnaire.id) or info["columns"] != expected:
        raise PaperError(
            f"The questions in this template no longer match the round's questionnaire for "
            f"{label}. Download a fresh template and type the questionnaires into it."
        )
    if ENTRY_SHEET not in wb.sheetnames:
        visible = [n for n in wb.sheetnames if n not in (LISTS_SHEET, INFO_SHEET)]
        raise PaperError(
            f"There is no sheet called '{ENTRY_SHEET}' (this file has: "
            f"{', '.join(repr(n) for n in visible)}). It may have been renamed: rename it back "
            f"to '{ENTRY_SHEET}' and upload the file again."
        )
    check = PaperCheck(round_id=rnd.id, audience=audience, audience_label=label)
    width = len(columns) + EXTRA_COLUMNS_CHECKED
    rows = bounded_rows(wb[ENTRY_SHEET], MAX_SHEET_ROWS, min_row=HEADER_ROW, max_col=width)
    try:
        header = next(rows, None)
        _check_header(columns, list(header or ()))
        for number, cells in enumerate(rows, start=FIRST_DATA_ROW):
            check_row(check, columns, number, list(cells))
            if number - FIRST_DATA_ROW + 1 - check.empty_rows > MAX_QUESTIONNAIRES:
                raise PaperError(
                    f"The file has more than {MAX_QUESTIONNAIRES} questionnaires. Split them "
                    "into several files and upload them one at a time."
                )
    except WorkbookTooLarge:
        raise _beyond_the_last_row(ENTRY_SHEET) from None
    if not check.rows and not check.errors:
        raise PaperError(
            f"The '{ENTRY_SHEET}' sheet has no questionnaires typed in. Type one paper "
            "questionnaire per row from row 2, then upload the file again."
        )
    return check


def _refuse_not_asked(
    rnd: FeedbackRound, audience: str, label: str, columns: Sequence[tuple[str, str, str]]
) -> None:
    """A template holding a column for an own question this audience is not asked (made
    before the coordinator narrowed it, or edited) is refused by name."""
    from app.services.questions import questions_of

    keys = {key for _, kind, key in columns if kind in (OWN, OWN_TEXT)}
    for question in questions_of(rnd.id):
        if str(question.id) in keys and not question.asks(audience):
            raise PaperError(
                f"This template has a column for the question “{short(question.text)}”, which "
                f"this round does not ask of {label}. Download a fresh template and type the "
                "questionnaires into it."
            )


def _beyond_the_last_row(sheet: str) -> PaperError:
    return PaperError(
        f"The '{sheet}' sheet goes beyond row {MAX_SHEET_ROWS:,}. Split the questionnaires "
        "into several files and upload them one at a time."
    )


def _check_header(columns: Sequence[EntryColumn], header: list[Any]) -> None:
    problems: list[str] = []
    for index, column in enumerate(columns):
        found = cell_text(header[index].value) if index < len(header) else ""
        if normal(found) != normal(clean_text(column.header)):
            shown = f"'{short(found)}'" if found else "empty"
            problems.append(
                f"column {column.letter} should be '{short(column.header)}' but is {shown}"
            )
    for cell in header[len(columns) :]:
        if cell_text(cell.value):
            problems.append(
                f"column {get_column_letter(cell.column)} has a heading "
                f"'{short(cell_text(cell.value))}' that is not in the template"
            )
    if problems:
        listed = "; ".join(problems[:5]) + ("; and more" if len(problems) > 5 else "")
        raise PaperError(
            f"The columns of the '{ENTRY_SHEET}' sheet have changed: {listed}. Columns must "
            "not be moved, added or deleted. Download a fresh template and copy the answers "
            "into it."
        )


def _open_workbook(data: bytes) -> Any:
    if not data:
        raise PaperError("The file is empty. Choose the filled-in paper template (.xlsx).")
    if len(data) > MAX_UPLOAD_BYTES:
        raise PaperError(
            f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Split the "
            "questionnaires into several files and upload them one at a time."
        )
    not_xlsx = PaperError(
        "This file is not an Excel workbook (.xlsx). Download the paper template from this "
        "page, type the questionnaires into it and upload it as it was saved by Excel "
        "(not .xls, .csv or .ods)."
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise not_xlsx
    try:
        check_workbook(data, max_unpacked=MAX_UNPACKED_BYTES, max_rows=MAX_SHEET_ROWS)
    except WorkbookTooLarge as exc:
        if exc.what == "rows":
            raise _beyond_the_last_row(exc.sheet) from None
        raise PaperError(
            f"The file unpacks to {exc.found // 1_000_000:,} MB, far more than "
            f"{MAX_QUESTIONNAIRES:,} questionnaires need. Download a fresh template and type "
            "the questionnaires into it."
        ) from None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for damaged or foreign files
        raise not_xlsx from None


def _info(wb: Any) -> dict[str, Any]:
    if INFO_SHEET not in wb.sheetnames:
        raise PaperError(
            "This file is not a Chorus paper template, or its hidden 'Chorus' sheet was "
            "removed or renamed. Download the template from this page and type the "
            "questionnaires into it."
        )
    rows = [list(r) for r in wb[INFO_SHEET].iter_rows(max_row=1000, max_col=3, values_only=True)]
    if not rows or rows[0][:1] != [TEMPLATE_MARKER]:
        raise PaperError(
            "The hidden 'Chorus' sheet of this file has been changed, so the file cannot be "
            "checked. Download a fresh template from this page."
        )
    if rows[0][1] != TEMPLATE_FORMAT:
        raise PaperError(
            "This template was made by another version of Chorus. Download a fresh template."
        )
    info: dict[str, Any] = {}
    for row in rows[1:6]:
        if row and row[0]:
            info[str(row[0])] = "" if row[1] is None else str(row[1])
    info["columns"] = [
        (str(r[0] or ""), str(r[1] or ""), str(r[2] or "")) for r in rows[7:] if any(r)
    ]
    return info

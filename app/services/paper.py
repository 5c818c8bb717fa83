"""Paper questionnaires: an Excel entry template per audience, and importing what was typed in.

The template has an Instructions sheet, an Entry sheet (one row per paper questionnaire, one
column per item, drop-down lists of each item's answers), a hidden Answers sheet holding those
lists, and a hidden Chorus sheet naming the round, the audience and the item behind each column,
so a template from another round, or one whose columns were moved, is recognised.

Importing checks the whole file first. File-level problems (not an xlsx, too big, another
round, a renamed sheet, changed columns, no questionnaires) reject it outright; cell problems
are reported by row and column, and nothing is imported unless every row is valid or the
coordinator asked for the valid rows alone. Imported responses have channel `paper` and count in
results like any other (DESIGN.md 6.1: a response holds round, audience, channel, language,
role and answers; nothing ties it to who typed it or when, beyond the per-day counter).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import insert, select

from app.exports.workbook import HEADER, NOTE, TITLE, WRAP, add_styles, clean_text, text_cell
from app.extensions import db
from app.models import (
    Answer,
    Channel,
    Comment,
    CommentPrompt,
    FeedbackRound,
    PaperImport,
    Questionnaire,
    Response,
    ResponseDayCount,
    RoundStatus,
)
from app.services.responding import insert_for_dialect
from surveys.questionnaire import FREE_TEXT_MAX_CHARS, FREE_TEXT_PROMPTS
from surveys.scales import get_scale

TEMPLATE_FORMAT = 1
TEMPLATE_MARKER = "chorus-paper-template"
INSTRUCTIONS_SHEET = "Instructions"
ENTRY_SHEET = "Entry"
LISTS_SHEET = "Answers"
INFO_SHEET = "Chorus"

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_QUESTIONNAIRES = 5000  # per file; more is a sign of a wrong file, and bounds the work
MAX_SHEET_ROWS = 20000  # rows looked at, empty ones included (a zip bomb of empty rows)
VALIDATED_ROWS = 2000  # rows that get drop-down lists in a fresh template
HEADER_ROW = 1
FIRST_DATA_ROW = 2
EXTRA_COLUMNS_CHECKED = 30  # beyond the template's columns, to catch typing in the wrong place

REFERENCE = "reference"
ITEM = "item"
ROLE = "role"
COMMENT = "comment"


class PaperError(ValueError):
    """The file as a whole cannot be used: nothing is imported. The message says why."""


@dataclass(frozen=True, slots=True)
class EntryColumn:
    letter: str
    kind: str  # reference | item | role | comment
    key: str  # item id, "role", or "section_id/prompt_code"
    header: str
    options: tuple[tuple[str, str], ...] = ()  # (code, label) for items and the role

    def match(self, text: str) -> str | None:
        """The code whose label `text` is (case, spacing and curly apostrophes forgiven)."""
        wanted = _normal(text)
        for code, label in self.options:
            if _normal(label) == wanted:
                return code
        return None

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.options]


def _normal(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").split()).casefold()


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str  # letter; "" for a whole-row problem
    header: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
            if self.header:
                where += f" ({_short(self.header)})"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class PaperRow:
    """One typed-in paper questionnaire, checked and ready to import."""

    row: int
    answers: dict[str, str]  # item id -> scale code
    role: str | None
    comments: tuple[tuple[str, str, str], ...]  # (section id, prompt code, text)


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


# -- the columns of an audience's template ------------------------------------------------------


def entry_columns(questionnaire: Questionnaire) -> list[EntryColumn]:
    """Reference, one column per item (in questionnaire order), the role, then free text."""
    columns: list[tuple[str, str, str, tuple[tuple[str, str], ...]]] = [
        (REFERENCE, "", "Paper reference (optional, not imported)", ())
    ]
    for n, item in enumerate(questionnaire.items, start=1):
        scale = get_scale(item.scale_id)
        options = tuple((o.code, o.label) for o in scale.options)
        columns.append((ITEM, str(item.id), f"Q{n}. {item.statement}", options))
    role = questionnaire.role_question
    if role:
        options = tuple((str(o["code"]), str(o["label"])) for o in role["options"])
        columns.append((ROLE, "role", str(role["prompt"]), options))
    asked = {item.section_id for item in questionnaire.items}
    for section in questionnaire.sections:
        if not section.get("free_text") or section["id"] not in asked:
            continue
        for prompt in FREE_TEXT_PROMPTS:
            columns.append(
                (
                    COMMENT,
                    f"{section['id']}/{prompt.code}",
                    f"{section['title']}: {prompt.prompt}",
                    (),
                )
            )
    return [
        EntryColumn(get_column_letter(n), kind, key, header, options)
        for n, (kind, key, header, options) in enumerate(columns, start=1)
    ]


def questionnaire_for(rnd: FeedbackRound, audience: str) -> Questionnaire | None:
    return next((q for q in rnd.questionnaires if q.audience == audience), None)


def ensure_live(rnd: FeedbackRound) -> None:
    if rnd.status == RoundStatus.DRAFT:
        raise PaperError(
            "This round has not been launched yet, so its questions may still change. "
            "Launch it first, then download the paper templates."
        )
    if rnd.status == RoundStatus.CLOSED:
        raise PaperError(
            "This round is closed, so no more questionnaires can be added. "
            "Late questionnaires can go into a new round."
        )


# -- writing the template ------------------------------------------------------------------------


def build_template(
    rnd: FeedbackRound, questionnaire: Questionnaire, audience_label: str, upload_url: str = ""
) -> bytes:
    """The entry template for one audience of a live round, as xlsx bytes."""
    ensure_live(rnd)
    columns = entry_columns(questionnaire)
    wb = Workbook()
    add_styles(wb)
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    entry = wb.create_sheet(ENTRY_SHEET)
    lists = wb.create_sheet(LISTS_SHEET)
    info = wb.create_sheet(INFO_SHEET)

    _write_instructions(instructions, rnd, audience_label, columns, upload_url)
    _write_entry(entry, lists, columns)
    _write_info(info, rnd, questionnaire, columns)
    lists.sheet_state = "hidden"
    info.sheet_state = "hidden"
    wb.active = 1  # open on the Entry sheet
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_instructions(
    ws: Any,
    rnd: FeedbackRound,
    audience_label: str,
    columns: Sequence[EntryColumn],
    upload_url: str,
) -> None:
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 100
    lines: list[tuple[str, str, str | None]] = [
        ("", f"Paper questionnaires: {audience_label}", TITLE),
        ("", f"Round: {rnd.name}", None),
        ("", "", None),
        ("", "How to type in paper questionnaires", HEADER),
        ("1.", "Use the Entry sheet. Type one paper questionnaire per row, from row 2 down.", WRAP),
        (
            "2.",
            "For each question choose the answer from the cell's drop-down list, or type it "
            "exactly as listed below. Leave the cell empty if the person did not answer.",
            WRAP,
        ),
        (
            "3.",
            "Type comments as they were written. Coordinators can hide a comment after import, "
            "but cannot edit it.",
            WRAP,
        ),
        (
            "4.",
            "The first column is for your own reference (for example the number you wrote on "
            "the form). It is not imported.",
            WRAP,
        ),
        (
            "5.",
            "Do not rename, move, add or delete sheets or columns: Chorus uses them to check "
            "the file belongs to this round and audience.",
            WRAP,
        ),
        (
            "6.",
            "Upload the file on the round's paper questionnaires page"
            + (f" ({upload_url})" if upload_url else "")
            + ". Every row is checked first; errors are listed by row and column.",
            WRAP,
        ),
        (
            "7.",
            "Each upload adds the questionnaires in the file. If you import some rows and fix "
            "the others later, upload a file holding only the fixed rows, or they will count "
            "twice.",
            WRAP,
        ),
        ("", "", None),
        ("", "Questions and the answers allowed", HEADER),
    ]
    for number, text, style in lines:
        ws.append([number, text_cell(ws, text, style) if text else None])
        if style == HEADER:
            ws.cell(row=ws.max_row, column=1).style = HEADER
    for column in columns:
        if column.kind == REFERENCE:
            continue
        allowed = (
            "; ".join(column.labels)
            if column.options
            else f"free text, up to {FREE_TEXT_MAX_CHARS} characters"
        )
        ws.append([column.letter, text_cell(ws, column.header, WRAP)])
        ws.append([None, text_cell(ws, f"Answers: {allowed}", NOTE)])


def _write_entry(ws: Any, lists: Any, columns: Sequence[EntryColumn]) -> None:
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1D4F91")
    wrap = Alignment(wrap_text=True, vertical="top")
    list_ranges: dict[tuple[str, ...], str] = {}
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index)
        cell.value = clean_text(column.header)
        cell.data_type = "s"
        cell.font, cell.fill, cell.alignment = header_font, header_fill, wrap
        ws.column_dimensions[column.letter].width = {REFERENCE: 16, COMMENT: 40}.get(
            column.kind, 22
        )
        if not column.options:
            continue
        labels = tuple(column.labels)
        if labels not in list_ranges:
            list_col = get_column_letter(len(list_ranges) + 1)
            for row, label in enumerate(labels, start=1):
                lists.cell(row=row, column=len(list_ranges) + 1, value=label)
            list_ranges[labels] = f"{LISTS_SHEET}!${list_col}$1:${list_col}${len(labels)}"
        validation = DataValidation(
            type="list",
            formula1=f"={list_ranges[labels]}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not one of the answers",
            error="Choose an answer from the list, or leave the cell empty.",
            promptTitle="Answer",
            prompt="Choose from the list",
            showInputMessage=False,
        )
        validation.add(f"{column.letter}{FIRST_DATA_ROW}:{column.letter}{VALIDATED_ROWS + 1}")
        ws.add_data_validation(validation)
    ws.row_dimensions[HEADER_ROW].height = 90
    ws.freeze_panes = "B2"


def _write_info(
    ws: Any, rnd: FeedbackRound, questionnaire: Questionnaire, columns: Sequence[EntryColumn]
) -> None:
    ws.append([TEMPLATE_MARKER, TEMPLATE_FORMAT])
    ws.append(["round_id", str(rnd.id)])
    ws.append(["round_name", text_cell(ws, rnd.name)])
    ws.append(["audience", questionnaire.audience])
    ws.append(["questionnaire_id", str(questionnaire.id)])
    ws.append([])
    ws.append(["column", "kind", "key"])
    for column in columns:
        ws.append([column.letter, column.kind, column.key])


# -- reading an upload ---------------------------------------------------------------------------


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
            f"This template was made for a different round ({_short(other)!r}), not "
            f"{_short(rnd.name)!r}. Download this round's template and type the "
            "questionnaires into it."
        )
    audience = info.get("audience", "")
    questionnaire = questionnaire_for(rnd, audience)
    if questionnaire is None:
        raise PaperError("This template is for an audience this round does not ask.")
    label = audience_labels.get(audience, audience)
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
    sheet = wb[ENTRY_SHEET]
    if (sheet.max_row or 0) > MAX_SHEET_ROWS:
        raise PaperError(
            f"The '{ENTRY_SHEET}' sheet goes beyond row {MAX_SHEET_ROWS:,}. Split the "
            "questionnaires into several files and upload them one at a time."
        )
    width = len(columns) + EXTRA_COLUMNS_CHECKED
    rows = sheet.iter_rows(min_row=HEADER_ROW, max_row=MAX_SHEET_ROWS, max_col=width)
    header = next(rows, None)
    _check_header(columns, list(header or ()))
    for number, cells in enumerate(rows, start=FIRST_DATA_ROW):
        _check_row(check, columns, number, list(cells))
        if number - FIRST_DATA_ROW + 1 - check.empty_rows > MAX_QUESTIONNAIRES:
            raise PaperError(
                f"The file has more than {MAX_QUESTIONNAIRES} questionnaires. Split them into "
                "several files and upload them one at a time."
            )
    if not check.rows and not check.errors:
        raise PaperError(
            f"The '{ENTRY_SHEET}' sheet has no questionnaires typed in. Type one paper "
            "questionnaire per row from row 2, then upload the file again."
        )
    return check


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _check_header(columns: Sequence[EntryColumn], header: list[Any]) -> None:
    problems: list[str] = []
    for index, column in enumerate(columns):
        found = _text(header[index].value) if index < len(header) else ""
        if _normal(found) != _normal(clean_text(column.header)):
            shown = f"'{_short(found)}'" if found else "empty"
            problems.append(
                f"column {column.letter} should be '{_short(column.header)}' but is {shown}"
            )
    for cell in header[len(columns) :]:
        if _text(cell.value):
            problems.append(
                f"column {get_column_letter(cell.column)} has a heading "
                f"'{_short(_text(cell.value))}' that is not in the template"
            )
    if problems:
        listed = "; ".join(problems[:5]) + ("; and more" if len(problems) > 5 else "")
        raise PaperError(
            f"The columns of the '{ENTRY_SHEET}' sheet have changed: {listed}. Columns must "
            "not be moved, added or deleted. Download a fresh template and copy the answers "
            "into it."
        )


def _is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f"


def _check_row(
    check: PaperCheck, columns: Sequence[EntryColumn], number: int, cells: list[Any]
) -> None:
    values = [getattr(c, "value", None) for c in cells]
    stray = [cells[i] for i in range(len(columns), len(cells)) if _text(values[i])]
    filled = [
        (column, cells[i], values[i])
        for i, column in enumerate(columns)
        if i < len(cells) and column.kind != REFERENCE and _text(values[i])
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
    for column, cell, value in filled:
        error = None
        if _is_formula(cell):
            error = "contains a formula; type the answer itself."
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
            code = column.match(_text(value))
            if code is None:
                error = f"'{_short(_text(value), 40)}' is not one of {', '.join(column.labels)}."
            elif column.kind == ROLE:
                role = code
            else:
                answers[column.key] = code
        if error:
            errors.append(RowError(number, column.letter, column.header, error))
    if not errors and not answers and not comments:
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
    check.rows.append(PaperRow(number, answers, role, tuple(comments)))


# -- importing -----------------------------------------------------------------------------------


class DuplicateBatch(PaperError):
    """The same questionnaires were imported before; the coordinator may confirm and repeat."""


def fingerprint(secret: str, audience: str, rows: Sequence[PaperRow]) -> str:
    """A keyed digest of the rows' content, ignoring row numbers and order (a re-sorted or
    re-saved copy of a file is the same batch). Keyed, so the stored value reveals nothing."""
    canonical = sorted(
        json.dumps([sorted(r.answers.items()), r.role, sorted(r.comments)]) for r in rows
    )
    message = json.dumps([audience, canonical]).encode()
    return hmac.new(secret.encode(), b"paper-import\0" + message, hashlib.sha256).hexdigest()


def import_rows(
    rnd: FeedbackRound,
    audience: str,
    rows: Sequence[PaperRow],
    today: date,
    *,
    secret: str,
    audience_label: str = "",
    allow_duplicate: bool = False,
) -> int:
    """Insert one paper response per row (answers, comments) and count them for today.

    Raises DuplicateBatch, changing nothing, when the very same questionnaires were imported
    before, unless `allow_duplicate` (the coordinator confirmed they are different forms).
    """
    ensure_live(rnd)
    if questionnaire_for(rnd, audience) is None:
        raise PaperError("This round does not ask that audience.")
    if not rows:
        return 0
    digest = fingerprint(secret, audience, rows)
    earlier = db.session.execute(
        select(PaperImport).where(PaperImport.round_id == rnd.id, PaperImport.fingerprint == digest)
    ).scalar_one_or_none()
    if earlier is not None and not allow_duplicate:
        what = (
            "This questionnaire was" if len(rows) == 1 else f"These {len(rows)} questionnaires were"
        )
        when = f"{earlier.imported_on.day} {earlier.imported_on:%B %Y}"
        raise DuplicateBatch(
            f"{what} already imported for {audience_label or audience} on {when}, so nothing "
            "was imported this time. If they really are other paper questionnaires that happen "
            'to have the same answers, tick "Import them again" and upload the file again.'
        )
    if earlier is None:
        # Flushed first: of two simultaneous uploads of one batch, the second fails here.
        db.session.add(
            PaperImport(
                round_id=rnd.id,
                audience=audience,
                fingerprint=digest,
                questionnaires=len(rows),
                imported_on=today,
            )
        )
        db.session.flush()
    responses, answers, comments = [], [], []
    for row in rows:
        response_id = uuid.uuid4()
        responses.append(
            {
                "id": response_id,
                "round_id": rnd.id,
                "audience": audience,
                "channel": Channel.PAPER,
                "language": "en",
                "role": row.role,
            }
        )
        answers.extend(
            {"response_id": response_id, "item_id": uuid.UUID(item), "round_id": rnd.id, "value": v}
            for item, v in row.answers.items()
        )
        comments.extend(
            {
                "id": uuid.uuid4(),
                "round_id": rnd.id,
                "response_id": response_id,
                "section_id": section_id,
                "prompt": CommentPrompt(prompt),
                "text": text,
                "hidden": False,
            }
            for section_id, prompt, text in row.comments
        )
    db.session.execute(insert(Response), responses)
    for chunk in _chunks(answers, 5000):
        db.session.execute(insert(Answer), chunk)
    if comments:
        db.session.execute(insert(Comment), comments)
    _count_day(rnd.id, audience, today, len(rows))
    db.session.flush()
    return len(rows)


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _count_day(round_id: uuid.UUID, audience: str, day: date, n: int) -> None:
    """Add to today's paper count (an upsert, so two imports at once cannot collide)."""
    key = {"round_id": round_id, "audience": audience, "channel": Channel.PAPER.value, "day": day}
    statement = insert_for_dialect()(ResponseDayCount).values(**key, count=n)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={"count": ResponseDayCount.count + n}
        )
    )

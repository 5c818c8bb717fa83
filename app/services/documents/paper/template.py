"""Writing an audience's entry template: Instructions, the Entry sheet with a drop-down list of
answers per question, a hidden Answers sheet holding those lists, and a hidden Chorus sheet
naming the round, the audience and the item behind each column."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.models import FeedbackRound, Questionnaire
from app.services.documents.paper.layout import (
    COMMENT,
    ENTRY_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INFO_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    OWN_TEXT,
    REFERENCE,
    TEMPLATE_FORMAT,
    TEMPLATE_MARKER,
    EntryColumn,
    entry_columns,
    own_allowed,
)
from app.services.documents.paper.live import ensure_live
from app.services.documents.workbook import (
    HEADER,
    NOTE,
    TITLE,
    WRAP,
    add_styles,
    clean_text,
    text_cell,
)
from frameworks.workbook.style import HEADER_FILL, HEADER_FONT, WRAP_TOP, column_widths
from surveys.questionnaire import FREE_TEXT_MAX_CHARS

VALIDATED_ROWS = 2000  # rows that get drop-down lists in a fresh template


def build_template(
    rnd: FeedbackRound, questionnaire: Questionnaire, audience_label: str, upload_url: str = ""
) -> bytes:
    """The entry template for one audience of a live round, as xlsx bytes."""
    ensure_live(rnd)
    columns = entry_columns(questionnaire)
    wb = Workbook()
    add_styles(wb)
    # An accessible document names itself and its language (screen readers, document checkers).
    wb.properties.title = clean_text(f"Paper questionnaires: {audience_label}, {rnd.name}")[:255]
    wb.properties.language = "en-GB"
    wb.properties.creator = "Chorus"
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
    column_widths(ws, (14, 100))
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
            own_allowed(column)
            if column.spec is not None
            else "; ".join(column.labels)
            if column.options
            else f"free text, up to {FREE_TEXT_MAX_CHARS} characters"
        )
        ws.append([column.letter, text_cell(ws, column.header, WRAP)])
        ws.append([None, text_cell(ws, f"Answers: {allowed}", NOTE)])


def _write_entry(ws: Any, lists: Any, columns: Sequence[EntryColumn]) -> None:
    list_ranges: dict[tuple[str, ...], str] = {}
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index)
        cell.value = clean_text(column.header)
        cell.data_type = "s"
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP_TOP
        ws.column_dimensions[column.letter].width = {
            REFERENCE: 16,
            COMMENT: 40,
            OWN_TEXT: 40,
        }.get(column.kind, 22)
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
    # The questions head every printed page too, so a printout can be read row by row.
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


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

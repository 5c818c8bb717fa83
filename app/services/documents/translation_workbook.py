"""The translation workbook (issue 17): a round's questionnaire words, one row per part, English
beside one column per language the round offers, and a status column; filled in by a
translator and imported back all or nothing, every problem named by row and column.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.i18n import DEFAULT, LANGUAGES
from app.services.documents.workbook import is_formula_like
from app.services.translations import LIMITS, Part, parts, placeholders, translated
from frameworks.workbook.bounds import WorkbookTooLarge, check_workbook

SHEET = "Translations"
FIXED = ("Questionnaire", "Part", "Key", "Where", "English")
STATUS = "Status"
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass(frozen=True)
class CellError:
    row: int
    column: str  # the spreadsheet's column letter ("" for the whole file)
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class TranslationFileError(ValueError):
    def __init__(self, errors: Sequence[CellError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = list(errors)


def _header(code: str) -> str:
    lang = LANGUAGES[code]
    return f"{code}: {lang.english_name} ({lang.own_name})"


def export(rnd: Any, labels: dict[str, str]) -> bytes:
    codes = [c for c in rnd.languages or [] if c != DEFAULT and c in LANGUAGES]
    by_audience = {q.audience: q for q in rnd.questionnaires}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([*FIXED, *(_header(c) for c in codes), STATUS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for part in parts(rnd, labels):
        q = by_audience.get(part.audience)  # None for the round's own questions
        values = [translated(q, c, part.kind, part.key) for c in codes]
        gaps = [c for c, v in zip(codes, values, strict=True) if not v]
        status = "Complete" if not gaps else "Missing: " + ", ".join(gaps)
        ws.append([part.audience, part.kind, part.key, part.label, part.english, *values, status])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # text, even "=..." a translator typed: never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for n, width in enumerate([14, 9, 38, 28, 60, *([60] * len(codes)), 18], start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = "F2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read(rnd: Any, labels: dict[str, str], data: bytes) -> dict[tuple[str, str, str, str], str]:
    """Every translated cell, keyed (audience, kind, key, code); raises TranslationFileError
    listing every problem (nothing is imported from a file with any)."""
    if len(data) > MAX_BYTES or not zipfile.is_zipfile(io.BytesIO(data)):
        raise TranslationFileError(
            [CellError(0, "", "This is not a translation workbook (.xlsx) from this page.")]
        )
    try:
        check_workbook(data, max_unpacked=MAX_UNPACKED, max_rows=MAX_ROWS)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except WorkbookTooLarge:
        raise TranslationFileError([CellError(0, "", "The file is far too large.")]) from None
    except Exception:  # openpyxl raises many kinds for damaged files
        raise TranslationFileError([CellError(0, "", "The file could not be read.")]) from None
    if SHEET not in wb.sheetnames:
        raise TranslationFileError([CellError(1, "", f"There is no sheet called “{SHEET}”.")])
    rows = list(wb[SHEET].iter_rows(max_row=MAX_ROWS))
    if not rows:
        raise TranslationFileError([CellError(1, "", "The sheet is empty.")])
    errors: list[CellError] = []
    header = [("" if c.value is None else str(c.value)).strip() for c in rows[0]]
    position = {name: i for i, name in enumerate(header)}
    for name in FIXED:
        if name not in position:
            errors.append(CellError(1, "", f"The column “{name}” is missing."))
    offered = set(rnd.languages or [])
    codes: dict[int, str] = {}
    for i, name in enumerate(header):
        if name in FIXED or name == STATUS or not name:
            continue
        code = name.split(":", 1)[0].strip()
        if code not in LANGUAGES:
            errors.append(CellError(1, _col(i), f"“{name}” is not a language Chorus knows."))
        elif code == DEFAULT or code not in offered:
            errors.append(
                CellError(1, _col(i), f"This round does not offer {LANGUAGES[code].english_name}.")
            )
        else:
            codes[i] = code
    if errors:
        raise TranslationFileError(errors)
    expected = {(p.audience, p.kind, p.key): p for p in parts(rnd, labels)}
    found: dict[tuple[str, str, str, str], str] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = list(row)
        value = _reader(cells)
        if all(value(i) in (None, "") for i in range(len(header))):
            continue
        key = tuple(str(value(position[n]) or "").strip() for n in FIXED[:3])
        part: Part | None = expected.get(key)  # type: ignore[arg-type]
        if part is None:
            errors.append(
                CellError(
                    number,
                    _col(position["Key"]),
                    "This row is not part of "
                    "the round's questionnaires. Download a fresh workbook.",
                )
            )
            continue
        if str(value(position["English"]) or "") != part.english:
            errors.append(
                CellError(
                    number,
                    _col(position["English"]),
                    "The English text has been changed. Change the wording in Chorus, not here.",
                )
            )
            continue
        for i, code in codes.items():
            cell = cells[i] if i < len(cells) else None
            raw = None if cell is None else cell.value
            if raw is None:
                found[(*key, code)] = ""  # type: ignore[index]
                continue
            text = str(raw).strip()
            if getattr(cell, "data_type", "") == "f" or is_formula_like(text):
                errors.append(
                    CellError(
                        number,
                        _col(i),
                        "This cell holds a formula. Type the translation as plain text.",
                    )
                )
            elif len(text) > LIMITS[part.kind]:
                errors.append(
                    CellError(
                        number,
                        _col(i),
                        f"This is {len(text):,} characters: at most {LIMITS[part.kind]:,} fit.",
                    )
                )
            elif text and placeholders(text) != placeholders(part.english):
                errors.append(
                    CellError(
                        number,
                        _col(i),
                        "The translation must keep the same placeholders as the English.",
                    )
                )
            else:
                found[(*key, code)] = text  # type: ignore[index]
    if errors:
        raise TranslationFileError(errors)
    return found


def _reader(cells: list[Any]) -> Any:
    def value(i: int) -> Any:
        return cells[i].value if i < len(cells) else None

    return value


def _col(index: int) -> str:
    return get_column_letter(index + 1)

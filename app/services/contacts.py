"""Contacts per audience, before launch: parse an upload or a pasted list, check every row,
and add only what the coordinator chose.

Parsing never writes. A file with errors imports nothing: the coordinator either fixes it or
chooses "import only the valid rows". Between those two steps the valid rows travel in a signed,
compressed form field (`sign_pending` / `load_pending`), so nothing is stored in the database or
on one machine's disk (the app stays stateless behind a load balancer) and nobody can slip in
rows the checks never saw.
"""

from __future__ import annotations

import csv
import difflib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, insert, select

from app.extensions import db
from app.i18n import LANGUAGES
from app.models import Contact, FeedbackRound
from app.services.rounds import ensure_draft
from frameworks.workbook.bounds import WorkbookTooLarge, check_workbook
from frameworks.workbook.uploads import NoSheets, NotAWorkbook, csv_reader, first_sheet_values

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_SHEET_ROWS = 2 * MAX_ROWS  # rows looked at in a workbook, empty ones included
MAX_UNPACKED_BYTES = 25_000_000  # 20,000 contacts with ten columns unpack to about 13 MB
MAX_NAME = 200
MAX_EMAIL = 320
PENDING_MAX_AGE_SECONDS = 60 * 60
SHOWN_ERRORS = 200  # the report lists this many; the rest are counted

EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "emailaddress", "mail"}
NAME_HEADERS = {"name", "full name", "fullname", "display name"}
LANGUAGE_HEADERS = {"language", "preferred language", "lang", "iaith"}
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
HEADER_MAX_COLUMNS = 50


class ContactFileError(ValueError):
    """The whole file is unusable (too big, wrong format, no header): nothing was read."""


@dataclass(frozen=True)
class ContactRow:
    row: int  # the spreadsheet row (header is usually row 1) or the pasted line
    email: str
    name: str = ""
    language: str = ""  # an app/i18n.py code: the invitation is sent in it (if offered)


def language_code(text: str) -> str | None:
    """A language cell as a code: "cy", "Welsh" or "Cymraeg" alike; "" for blank; None if
    Chorus has no such interface language."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return ""
    for lang in LANGUAGES.values():
        if wanted in {lang.code, lang.english_name.casefold(), lang.own_name.casefold()}:
            return lang.code
    return None


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass
class ParseResult:
    unit: str  # "Row" for files, "Line" for pasted lists
    valid: list[ContactRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:SHOWN_ERRORS]

    @property
    def hidden_error_count(self) -> int:
        return max(0, len(self.errors) - SHOWN_ERRORS)


# -- reading --------------------------------------------------------------------------------


def parse_upload(filename: str, data: bytes, existing: dict[str, str]) -> ParseResult:
    """Check an uploaded CSV or XLSX file. `existing` maps casefolded emails already in the
    round to their audience label (for "already a contact" errors)."""
    if len(data) > MAX_FILE_BYTES:
        raise ContactFileError(
            "The file is larger than 5 MB. Split it into smaller files, or remove columns other "
            "than email and name."
        )
    if not data.strip():
        raise ContactFileError("The file is empty.")
    if data.startswith(XLS_MAGIC):
        raise ContactFileError(
            "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as "
            "CSV UTF-8, then upload it again."
        )
    if data.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(data)
    else:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            raise ContactFileError("The file is not a valid Excel workbook (.xlsx).")
        rows = _csv_rows(data)
    return _check_rows(rows, existing)


def parse_pasted(text: str, existing: dict[str, str]) -> ParseResult:
    """One address per line; "Name <address>" and lists separated by ; or , also work."""
    result = ParseResult(unit="Line")
    entries: list[tuple[int, str, str]] = []
    lines = text.splitlines()
    if len(lines) > MAX_ROWS:
        raise ContactFileError(
            f"The list has more than {MAX_ROWS:,} lines. Paste it in smaller parts, or upload "
            "a file."
        )
    for number, line in enumerate(lines, start=1):
        for entry in _split_pasted(line):
            entries.append((number, *entry))
    if len(entries) > MAX_ROWS:
        raise ContactFileError(f"The list has more than {MAX_ROWS:,} addresses. Paste it in parts.")
    seen: dict[str, int] = {}
    for number, email, name in entries:
        _check_one(result, number, email, name, seen, existing)
    if not entries and not result.errors:
        raise ContactFileError("Paste at least one email address.")
    return result


def _split_pasted(line: str) -> Iterator[tuple[str, str]]:
    line = line.strip()
    if not line:
        return
    parts = [p for p in line.split(";")] if "<" in line else line.replace(";", ",").split(",")
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if "<" in part and part.endswith(">"):
            name, _, address = part[:-1].rpartition("<")
            yield address.strip(), name.strip().strip('"').strip()
        else:
            yield part, ""


def _decode_header_cells(cells: Sequence[object]) -> list[str]:
    return [_cell(c) for c in cells[:HEADER_MAX_COLUMNS]]


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContactFileError(
            "The file is saved as UTF-16 (“Unicode text”). Save it as CSV UTF-8, then upload "
            "it again."
        )
    if b"\x00" in data:
        raise ContactFileError(
            "The file is not a CSV text file. Upload a CSV (saved as CSV UTF-8) or an Excel "
            "workbook (.xlsx)."
        )
    # surrogateescape keeps undecodable bytes so each bad row can be named, not the whole file.
    text = data.decode("utf-8-sig", errors="surrogateescape")
    reader = csv_reader(text)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ContactFileError(
            f"Row {reader.line_num + 1} could not be read as CSV ({exc}). Check for an "
            "unclosed quotation mark."
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        check_workbook(data, max_unpacked=MAX_UNPACKED_BYTES, max_rows=MAX_SHEET_ROWS)
    except WorkbookTooLarge as exc:
        if exc.what == "rows":
            raise _too_many_rows(exc.sheet) from None
        raise ContactFileError(
            f"The workbook unpacks to {exc.found // 1_000_000:,} MB, far more than "
            f"{MAX_ROWS:,} contacts need. Save only the email and name columns as CSV UTF-8, "
            "then upload that."
        ) from None
    try:
        rows = first_sheet_values(data, MAX_SHEET_ROWS, HEADER_MAX_COLUMNS)
        for number, values in enumerate(rows, start=1):
            yield number, [_cell(v) for v in values]
    except NotAWorkbook:
        raise ContactFileError(
            "The file is not a valid Excel workbook (.xlsx). Save it again from Excel, or as "
            "CSV UTF-8."
        ) from None
    except NoSheets:
        raise ContactFileError("The workbook has no sheets.") from None
    except WorkbookTooLarge as exc:
        raise _too_many_rows(exc.sheet) from None


def _too_many_rows(sheet: str) -> ContactFileError:
    return ContactFileError(
        f"The sheet “{sheet}” goes beyond row {MAX_SHEET_ROWS:,}. Delete the empty rows below "
        "the contacts, or split them into smaller files and upload them one at a time."
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _normal_header(value: str) -> str:
    return " ".join(value.replace("\ufeff", "").replace("_", " ").split()).lower()


@dataclass(frozen=True)
class _Columns:
    email: int
    name: int | None
    language: int | None = None


def _find_columns(header_row: int, header: list[str], result: ParseResult) -> _Columns:
    names = [_normal_header(h) for h in header]
    email_cols = [i for i, h in enumerate(names) if h in EMAIL_HEADERS]
    name_cols = [i for i, h in enumerate(names) if h in NAME_HEADERS]
    language_cols = [i for i, h in enumerate(names) if h in LANGUAGE_HEADERS]
    shown = ", ".join(f"“{h}”" for h in header if h) or "nothing"
    if len(email_cols) > 1:
        raise ContactFileError(
            f"Row {header_row} has more than one email column. Keep one column called “email”."
        )
    if not email_cols:
        if any("@" in h for h in header):
            raise ContactFileError(
                f"Row {header_row} looks like an email address, not a header. Add a first row "
                "with the column names “email” (and “name” if you have names), then upload "
                "the file again."
            )
        close = [h for h in header if difflib.get_close_matches(_normal_header(h), ["email"], 1)]
        if close:
            raise ContactFileError(
                f"Row {header_row}: the column “{close[0]}” looks like a misspelling of "
                "“email”. Rename it to “email” and upload the file again."
            )
        raise ContactFileError(
            f"Row {header_row} must be a header naming the columns, with one called “email” "
            f"(and optionally “name”). We found {shown}."
        )
    name_col = name_cols[0] if name_cols else None
    if len(name_cols) > 1:
        result.errors.append(
            RowError(header_row, "There is more than one name column. Keep one called “name”.")
        )
    for i, (raw, h) in enumerate(zip(header, names, strict=True)):
        if i in email_cols or i in name_cols or i in language_cols[:1] or not h:
            continue
        if name_col is None and difflib.get_close_matches(h, ["name"], 1, cutoff=0.7):
            result.errors.append(
                RowError(
                    header_row,
                    f"The column “{raw}” looks like a misspelling of “name”. Rename it to "
                    "“name” so greetings use the names, or remove it.",
                )
            )
        else:
            result.notes.append(
                f"The column “{raw}” was ignored: only email, name and language are used."
            )
    return _Columns(email_cols[0], name_col, language_cols[0] if language_cols else None)


def _read_table(
    rows: Iterable[tuple[int, list[str]]],
) -> tuple[int, list[str], list[tuple[int, list[str] | None]]]:
    """The header row, its cells, and the rows below (None for a blank row), without trailing
    blank rows. Counting happens here, before any checking, so a huge file fails fast."""
    header_row, header = 0, None
    body: list[tuple[int, list[str] | None]] = []
    data_rows = 0
    for number, cells in rows:
        filled = any(c.strip() for c in cells)
        if header is None:
            if filled:
                header_row, header = number, cells
            continue
        if not filled:
            body.append((number, None))
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise ContactFileError(
                f"The file has more than {MAX_ROWS:,} rows of contacts. Split it into smaller "
                "files and upload them one at a time."
            )
        body.append((number, cells))
    if header is None:
        raise ContactFileError("The file is empty.")
    while body and body[-1][1] is None:
        body.pop()  # blank rows at the end are harmless
    if not body:
        raise ContactFileError(
            f"The file has a header in row {header_row} but no contacts below it."
        )
    return header_row, header, body


def _check_rows(rows: Iterable[tuple[int, list[str]]], existing: dict[str, str]) -> ParseResult:
    header_row, header, body = _read_table(rows)
    result = ParseResult(unit="Row")
    columns = _find_columns(header_row, _decode_header_cells(header), result)
    seen: dict[str, int] = {}
    for number, cells in body:
        if cells is None:
            result.errors.append(RowError(number, "The row is empty. Delete it, or fill it in."))
            continue
        email = cells[columns.email] if columns.email < len(cells) else ""
        name = cells[columns.name] if columns.name is not None and columns.name < len(cells) else ""
        if _has_bad_bytes(email) or _has_bad_bytes(name):
            result.errors.append(
                RowError(
                    number,
                    "Some characters are not UTF-8 text (often an accented letter from an "
                    "older spreadsheet). Save the file as “CSV UTF-8” and upload it again.",
                )
            )
            continue
        column = columns.language
        language = cells[column] if column is not None and column < len(cells) else ""
        code = language_code(language)
        if code is None:
            shown = language if len(language) <= 40 else language[:37] + "…"
            offered = ", ".join(f"{lang.english_name} ({lang.code})" for lang in LANGUAGES.values())
            result.errors.append(
                RowError(number, f"“{shown}” is not a language Chorus offers: use {offered}.")
            )
            continue
        _check_one(result, number, email, name, seen, existing, code)
    return result


def check_entries(entries: Sequence[tuple[str, str]], existing: dict[str, str]) -> ParseResult:
    """Check (email, name) pairs sent one by one (the API) by the same rules as a file's rows;
    numbered from 1 in the order given."""
    if len(entries) > MAX_ROWS:
        raise ContactFileError(f"Send at most {MAX_ROWS:,} contacts at a time.")
    result = ParseResult(unit="Contact")
    seen: dict[str, int] = {}
    for number, (email, name) in enumerate(entries, start=1):
        _check_one(result, number, email, name, seen, existing)
    return result


def _has_bad_bytes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _check_one(
    result: ParseResult,
    number: int,
    raw_email: str,
    raw_name: str,
    seen: dict[str, int],
    existing: dict[str, str],
    language: str = "",
) -> None:
    email = raw_email.strip()
    name = " ".join(raw_name.split())
    if not email:
        result.errors.append(RowError(number, "There is no email address."))
        return
    shown = email if len(email) <= 80 else email[:77] + "…"
    if len(email) > MAX_EMAIL:
        result.errors.append(RowError(number, f"“{shown}” is too long to be an email address."))
        return
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        result.errors.append(
            RowError(number, f"“{shown}” is not a valid email address: {_reason(exc)}")
        )
        return
    if len(name) > MAX_NAME:
        result.errors.append(RowError(number, f"The name is longer than {MAX_NAME} characters."))
        return
    key = email.casefold()
    if key in seen:
        where = f"{result.unit.lower()} {seen[key]}"
        result.errors.append(RowError(number, f"{email} is already in {where}."))
        return
    seen[key] = number
    if key in existing:
        result.errors.append(
            RowError(number, f"{email} is already a contact in this round ({existing[key]}).")
        )
        return
    result.valid.append(ContactRow(number, email, name, language))


def _reason(exc: EmailNotValidError) -> str:
    text = str(exc).strip()
    return text[0].lower() + text[1:] if text else "it is not in the form name@example.org."


# -- the valid rows between "check" and "import only the valid rows" ------------------------


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="chorus-contacts-pending")


def sign_pending(
    secret: str, round_id: uuid.UUID, audience: str, rows: Sequence[ContactRow]
) -> str:
    payload = {
        "r": str(round_id),
        "a": audience,
        "rows": [[r.row, r.email, r.name, r.language] for r in rows],
    }
    return _serializer(secret).dumps(payload)


def load_pending(
    secret: str, token: str, round_id: uuid.UUID, audience: str
) -> list[ContactRow] | None:
    """The rows signed for this round and audience, or None if tampered with or expired."""
    try:
        payload = _serializer(secret).loads(token, max_age=PENDING_MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    if payload.get("r") != str(round_id) or payload.get("a") != audience:
        return None
    return [
        ContactRow(
            int(row[0]), str(row[1]), str(row[2]), language_code(str(row[3:4] and row[3])) or ""
        )
        for row in payload["rows"]
    ]


# -- queries and writes ---------------------------------------------------------------------


def existing_emails(rnd: FeedbackRound, labels: dict[str, str]) -> dict[str, str]:
    """Casefolded email -> audience label, for every contact already in the round."""
    rows = db.session.execute(
        select(Contact.email, Contact.audience).where(Contact.round_id == rnd.id)
    )
    return {email.casefold(): labels.get(aud, aud) for email, aud in rows}


def add_contacts(rnd: FeedbackRound, audience: str, rows: Sequence[ContactRow]) -> tuple[int, int]:
    """Insert the rows not already in the round; return (added, skipped as duplicates)."""
    ensure_draft(rnd)
    have = {
        e.casefold()
        for e in db.session.execute(
            select(Contact.email).where(Contact.round_id == rnd.id)
        ).scalars()
    }
    new: list[dict[str, object]] = []
    for row in rows:
        key = row.email.casefold()
        if key in have:
            continue
        have.add(key)
        new.append(
            {
                "id": uuid.uuid4(),
                "round_id": rnd.id,
                "audience": audience,
                "email": row.email,
                "name": row.name[:MAX_NAME],
                "language": row.language or None,
            }
        )
    if new:
        db.session.execute(insert(Contact), new)
    db.session.flush()
    return len(new), len(rows) - len(new)


def contact_counts(round_id: uuid.UUID) -> dict[str, int]:
    rows = db.session.execute(
        select(Contact.audience, func.count())
        .where(Contact.round_id == round_id)
        .group_by(Contact.audience)
    )
    return {aud: n for aud, n in rows}


def contacts_page(
    round_id: uuid.UUID, audience: str | None, page: int, per_page: int = 100
) -> tuple[list[Contact], int]:
    """One page of contacts (by email), and how many match."""
    query = select(Contact).where(Contact.round_id == round_id)
    count = select(func.count()).select_from(Contact).where(Contact.round_id == round_id)
    if audience:
        query = query.where(Contact.audience == audience)
        count = count.where(Contact.audience == audience)
    total = db.session.execute(count).scalar_one()
    rows = db.session.execute(
        query.order_by(Contact.email).offset((page - 1) * per_page).limit(per_page)
    ).scalars()
    return list(rows), total


def remove_contact(rnd: FeedbackRound, contact_id: uuid.UUID) -> bool:
    ensure_draft(rnd)
    result = db.session.execute(
        delete(Contact).where(Contact.round_id == rnd.id, Contact.id == contact_id)
    )
    db.session.flush()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def remove_audience_contacts(rnd: FeedbackRound, audience: str) -> int:
    ensure_draft(rnd)
    result = db.session.execute(
        delete(Contact).where(Contact.round_id == rnd.id, Contact.audience == audience)
    )
    db.session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]

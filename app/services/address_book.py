"""An organisation's address book (issue 16): people in named groups, reusable in any round.

An upload is CSV text with columns email, name (optional) and group; one broken row refuses the
whole upload with each problem by row, so nothing half-imports. A group is added to a round's
audience as contacts (a draft) or as late invitations (a launched round). Flushes; the caller
commits.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import AddressBookEntry
from app.services.contacts import MAX_ROWS, ContactRow, ParseResult, RowError, _check_one

GROUP_MAX = 100
HEADERS = {
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "name": "name",
    "group": "group",
    "group name": "group",
}


@dataclass
class BookUpload:
    rows: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, email, name, group
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class BookError(ValueError):
    """The whole upload is unusable (no header, too long); the message says why."""


def parse_book(text: str) -> BookUpload:
    """Check an upload; every broken row is reported with its number."""
    lines = text.replace("\r\n", "\n").strip("\ufeff").strip()
    if not lines:
        raise BookError("Paste or upload at least a header row and one person.")
    reader = csv.reader(io.StringIO(lines))
    header = [h.strip().lower() for h in next(reader)]
    columns = {HEADERS[h]: n for n, h in enumerate(header) if h in HEADERS}
    if "email" not in columns or "group" not in columns:
        raise BookError(
            "The first row must name the columns, with at least “email” and “group” "
            "(and “name” if you have names)."
        )
    result = BookUpload()
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise BookError(f"The upload has more than {MAX_ROWS:,} people. Split it up.")
        if not any(c.strip() for c in cells):
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            n = columns.get(key)
            return cells[n].strip() if n is not None and n < len(cells) else ""

        group = " ".join(cell("group").split())
        if not group:
            result.errors.append(RowError(number, "There is no group."))
            continue
        if len(group) > GROUP_MAX:
            result.errors.append(
                RowError(number, f"The group name is longer than {GROUP_MAX} characters.")
            )
            continue
        check = ParseResult(unit="Row")
        _check_one(check, number, cell("email"), cell("name"), {}, {})
        if check.errors:
            result.errors.extend(check.errors)
            continue
        row = check.valid[0]
        key = (group.casefold(), row.email.casefold())
        if key in seen:
            result.errors.append(
                RowError(number, f"{row.email} is already in {group} (row {seen[key]}).")
            )
            continue
        seen[key] = number
        result.rows.append((number, row.email, row.name, group))
    if not result.rows and not result.errors:
        raise BookError("The upload has a header row but nobody in it.")
    return result


def import_book(org_id: uuid.UUID, upload: BookUpload) -> tuple[int, int]:
    """Add the rows (updating the name of anyone already in that group); (added, updated)."""
    existing = {
        (e.group_name.casefold(), e.email.casefold()): e
        for e in db.session.execute(
            select(AddressBookEntry).where(AddressBookEntry.organisation_id == org_id)
        ).scalars()
    }
    added = updated = 0
    for _, email, name, group in upload.rows:
        entry = existing.get((group.casefold(), email.casefold()))
        if entry is not None:
            if name and entry.name != name:
                entry.name = name
                updated += 1
            continue
        db.session.add(
            AddressBookEntry(
                organisation_id=org_id, email=email, name=name, audience="", group_name=group
            )
        )
        added += 1
    db.session.flush()
    return added, updated


def groups(org_id: uuid.UUID) -> list[tuple[str, int]]:
    return [
        (g, n)
        for g, n in db.session.execute(
            select(AddressBookEntry.group_name, func.count())
            .where(AddressBookEntry.organisation_id == org_id)
            .group_by(AddressBookEntry.group_name)
            .order_by(AddressBookEntry.group_name)
        )
    ]


def entries(org_id: uuid.UUID, group: str | None = None) -> list[AddressBookEntry]:
    query = select(AddressBookEntry).where(AddressBookEntry.organisation_id == org_id)
    if group is not None:
        query = query.where(AddressBookEntry.group_name == group)
    return list(
        db.session.execute(
            query.order_by(AddressBookEntry.group_name, AddressBookEntry.email)
        ).scalars()
    )


def group_rows(org_id: uuid.UUID, group: str) -> list[ContactRow]:
    return [ContactRow(n, e.email, e.name) for n, e in enumerate(entries(org_id, group), 1)]


def remove_entry(org_id: uuid.UUID, entry_id: uuid.UUID) -> bool:
    result = db.session.execute(
        delete(AddressBookEntry).where(
            AddressBookEntry.organisation_id == org_id, AddressBookEntry.id == entry_id
        )
    )
    db.session.flush()
    return bool(result.rowcount)  # type: ignore[attr-defined]  # DML: a CursorResult


def remove_group(org_id: uuid.UUID, group: str) -> int:
    result = db.session.execute(
        delete(AddressBookEntry).where(
            AddressBookEntry.organisation_id == org_id, AddressBookEntry.group_name == group
        )
    )
    db.session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]  # DML: a CursorResult

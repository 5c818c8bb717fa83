"""Contacts: every row checked, a row-numbered report, nothing imported until chosen."""

from __future__ import annotations

import io
import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import Contact, Role
from app.services import contacts as svc
from app.services.contacts import ContactFileError, parse_pasted, parse_upload
from tests.app.invitations.builders import add_contacts, do_launch, make_round
from tests.support import csrf_token, login
from tests.workbook_bombs import FAT_ROW, THIN_ROW, inflated, unpacked


def _errors(result: svc.ParseResult) -> dict[int, str]:
    return {e.row: e.message for e in result.errors}


# -- parsing ----------------------------------------------------------------------------------


def test_headers_tolerate_case_spaces_and_a_bom_and_names_are_kept() -> None:
    data = "\ufeff  E-Mail Address ,  NAME \r\nAnn@Example.org, Ann  Smith \r\nbob@example.org,\r\n"
    result = parse_upload("c.csv", data.encode(), {})
    assert result.ok
    assert [(r.row, r.email, r.name) for r in result.valid] == [
        (2, "Ann@example.org", "Ann Smith"),
        (3, "bob@example.org", ""),
    ]


def test_semicolon_separated_files_from_european_excel_work() -> None:
    result = parse_upload("c.csv", b"name;email\nAnn;ann@example.org\n", {})
    assert [(r.email, r.name) for r in result.valid] == [("ann@example.org", "Ann")]


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"emial,name\na@example.org,A\n", "“emial” looks like a misspelling of “email”"),
        (b"a@example.org\nb@example.org\n", "looks like an email address, not a header"),
        (b"address,who\nx,y\n", "with one called “email”"),
        (b"email,Email\na@example.org,b@example.org\n", "more than one email column"),
        (b"", "empty"),
        (b"email,name\n\n\n", "no contacts below it"),
        (b"\xd0\xcf\x11\xe0rest", "old Excel file (.xls)"),
        (b"\xff\xfee\x00m\x00", "UTF-16"),
    ],
)
def test_unusable_files_are_refused_with_a_specific_reason(content: bytes, expected: str) -> None:
    with pytest.raises(ContactFileError) as refused:
        parse_upload("c.csv", content, {})
    assert expected in str(refused.value)


def test_every_bad_row_is_reported_by_its_row_number() -> None:
    content = (
        (
            "email,name\n"  # 1
            "good@example.org,Good\n"  # 2
            "not-an-address,Bad\n"  # 3
            "GOOD@example.org,Again\n"  # 4: duplicate of row 2, case-insensitively
            "\n"  # 5: empty, in the middle
            ",Nobody\n"  # 6: a name but no address
            "taken@example.org,Taken\n"  # 7: already a contact in this round
            "x@example.org," + "n" * 201 + "\n"  # 8: name too long
            "ok@example.org,Ok\n"  # 9
            "\n\n"  # trailing blanks: fine
        ).encode()
    )
    content = content.replace(b"ok@example.org,Ok", "ok@example.org,Zo\u00eb".encode("cp1252"))
    content += b"last@example.org,Last\n"  # 12, after the blanks at 10 and 11
    result = parse_upload("c.csv", content, {"taken@example.org": "Staff"})
    errors = _errors(result)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "not a valid email address" in errors[3]
    assert "already in row 2" in errors[4]
    assert "empty" in errors[5] and "empty" in errors[10]
    assert "no email address" in errors[6]
    assert "already a contact in this round (Staff)" in errors[7]
    assert "longer than 200" in errors[8]
    assert "not UTF-8" in errors[9]
    assert [r.row for r in result.valid] == [2, 12]


def test_size_and_row_limits() -> None:
    with pytest.raises(ContactFileError, match="larger than 5 MB"):
        parse_upload("c.csv", b"email\n" + b"a" * (5 * 1024 * 1024), {})
    rows = "".join(f"p{i}@example.org\n" for i in range(svc.MAX_ROWS + 1))
    with pytest.raises(ContactFileError, match="more than 20,000 rows"):
        parse_upload("c.csv", ("email\n" + rows).encode(), {})
    exactly = "".join(f"p{i}@example.org\n" for i in range(svc.MAX_ROWS))
    assert len(parse_upload("c.csv", ("email\n" + exactly).encode(), {}).valid) == svc.MAX_ROWS


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_files_are_read_with_spreadsheet_row_numbers() -> None:
    data = _xlsx(
        [
            ["Name", "Email", "Phone"],
            ["Ann", "ann@example.org", 123],
            ["Bob", "bob@@example.org", None],
            [None, None, None],
            ["Cy", "cy@example.org", None],
        ]
    )
    result = parse_upload("people.xlsx", data, {})
    assert [(r.row, r.email, r.name) for r in result.valid] == [
        (2, "ann@example.org", "Ann"),
        (5, "cy@example.org", "Cy"),
    ]
    assert sorted(_errors(result)) == [3, 4]
    assert any("“Phone” was ignored" in note for note in result.notes)


def test_a_broken_workbook_is_refused() -> None:
    with pytest.raises(ContactFileError, match="not a valid Excel workbook"):
        parse_upload("people.xlsx", b"PK\x03\x04 this is not really a zip", {})


def test_pasted_lists_accept_names_and_several_separators() -> None:
    text = "Ann Smith <ann@example.org>; bob@example.org\n\ncy@example.org, dee@example.org\nnope\n"
    result = parse_pasted(text, {})
    assert [(r.row, r.email, r.name) for r in result.valid] == [
        (1, "ann@example.org", "Ann Smith"),
        (1, "bob@example.org", ""),
        (3, "cy@example.org", ""),
        (3, "dee@example.org", ""),
    ]
    assert result.unit == "Line" and sorted(_errors(result)) == [4]


def test_the_pending_rows_cannot_be_tampered_with_or_moved() -> None:
    import uuid

    rows = [svc.ContactRow(2, "a@example.org", "A")]
    rid = uuid.uuid4()
    token = svc.sign_pending("secret", rid, "parents", rows)
    assert svc.load_pending("secret", token, rid, "parents") == rows
    assert svc.load_pending("secret", token, rid, "staff") is None
    assert svc.load_pending("secret", token, uuid.uuid4(), "parents") is None
    assert svc.load_pending("other-secret", token, rid, "parents") is None
    assert svc.load_pending("secret", token[:-2] + "xx", rid, "parents") is None


# -- pages ------------------------------------------------------------------------------------


def _contacts(app: Flask, round_id) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [
            (c.audience, c.email, c.name)
            for c in db.session.execute(
                select(Contact).where(Contact.round_id == round_id).order_by(Contact.email)
            ).scalars()
        ]


def _upload(client: FlaskClient, round_id, audience: str, content: bytes, name: str = "c.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/rounds/{round_id}/contacts/upload",
        data={
            "csrf_token": csrf_token(client, "/"),
            "audience": audience,
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def test_a_clean_file_is_imported(app: Flask, client: FlaskClient, coordinator) -> None:  # type: ignore[no-untyped-def]
    round_id = make_round(app)
    response = _upload(client, round_id, "parents", b"email,name\na@example.org,Ann\n")
    assert response.status_code == 303
    assert _contacts(app, round_id) == [("parents", "a@example.org", "Ann")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added 1 contact for Parents" in page and "a@example.org" in page


def test_a_bad_file_imports_nothing_until_the_coordinator_chooses_the_valid_rows(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(app)
    content = b"email,name\na@example.org,Ann\nbroken,Bob\nc@example.org,Cy\n"
    response = _upload(client, round_id, "staff", content)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "1 problem in c.csv. Nothing has been imported." in html
    assert re.search(r"<th scope=\"row\" class=\"num\">3</th><td>“broken” is not a valid", html)
    assert _contacts(app, round_id) == []

    pending = re.search(r'name="pending" value="([^"]+)"', html)
    assert pending and "Import only the 2 valid rows" in html
    tampered = client.post(
        f"/rounds/{round_id}/contacts/import-valid",
        data={
            "csrf_token": csrf_token(client, "/"),
            "audience": "staff",
            "pending": pending.group(1)[:-3] + "abc",
        },
    )
    assert tampered.status_code == 303 and _contacts(app, round_id) == []

    chosen = client.post(
        f"/rounds/{round_id}/contacts/import-valid",
        data={
            "csrf_token": csrf_token(client, "/"),
            "audience": "staff",
            "pending": pending.group(1),
        },
    )
    assert chosen.status_code == 303
    assert _contacts(app, round_id) == [
        ("staff", "a@example.org", "Ann"),
        ("staff", "c@example.org", "Cy"),
    ]
    # Choosing twice adds nothing twice.
    client.post(
        f"/rounds/{round_id}/contacts/import-valid",
        data={
            "csrf_token": csrf_token(client, "/"),
            "audience": "staff",
            "pending": pending.group(1),
        },
    )
    assert len(_contacts(app, round_id)) == 2


def test_file_level_problems_are_shown_on_the_field(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(app)
    response = _upload(client, round_id, "parents", b"emial\na@example.org\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and 'href="#file"' in html
    assert "misspelling of “email”" in html
    missing = client.post(
        f"/rounds/{round_id}/contacts/upload",
        data={"csrf_token": csrf_token(client, "/"), "audience": "nobody"},
    )
    assert missing.status_code == 422
    text = missing.get_data(as_text=True)
    assert "Choose who these contacts are" in text and "Choose a CSV or Excel" in text
    assert _contacts(app, round_id) == []


def test_duplicates_against_the_round_are_reported(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", ["a@example.org"])
    response = _upload(client, round_id, "staff", b"email\nA@example.org\nb@example.org\n")
    assert response.status_code == 422
    assert "already a contact in this round (Parents and carers)" in response.get_data(as_text=True)
    assert len(_contacts(app, round_id)) == 1


def test_paste_remove_and_remove_all(app: Flask, client: FlaskClient, coordinator) -> None:  # type: ignore[no-untyped-def]
    round_id = make_round(app)
    token = csrf_token(client, "/")
    response = client.post(
        f"/rounds/{round_id}/contacts/paste",
        data={
            "csrf_token": token,
            "audience": "parents",
            "addresses": "Ann <a@example.org>\nb@example.org\nc@example.org",
        },
    )
    assert response.status_code == 303 and len(_contacts(app, round_id)) == 3
    bad = client.post(
        f"/rounds/{round_id}/contacts/paste",
        data={"csrf_token": token, "audience": "parents", "addresses": "d@example.org\nnope"},
    )
    assert bad.status_code == 422 and "Line" in bad.get_data(as_text=True)
    assert len(_contacts(app, round_id)) == 3

    with app.app_context():
        contact_id = db.session.execute(
            select(Contact.id).where(Contact.email == "b@example.org")
        ).scalar_one()
    removed = client.post(
        f"/rounds/{round_id}/contacts/remove",
        data={"csrf_token": token, "contact_id": str(contact_id)},
    )
    assert removed.status_code == 303
    assert [c[1] for c in _contacts(app, round_id)] == ["a@example.org", "c@example.org"]

    unconfirmed = client.post(
        f"/rounds/{round_id}/contacts/remove-audience",
        data={"csrf_token": token, "audience": "parents"},
    )
    assert unconfirmed.status_code == 422 and len(_contacts(app, round_id)) == 2
    confirmed = client.post(
        f"/rounds/{round_id}/contacts/remove-audience",
        data={"csrf_token": token, "audience": "parents", "confirm": "yes"},
    )
    assert confirmed.status_code == 303 and _contacts(app, round_id) == []


def test_contacts_cannot_change_after_launch(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", ["a@example.org"])
    do_launch(app, round_id)
    assert client.get(f"/rounds/{round_id}/contacts").status_code == 303
    response = _upload(client, round_id, "parents", b"email\nz@example.org\n")
    assert response.status_code == 409
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Contact)).scalar_one() == 0


def test_only_coordinators_manage_contacts(app: Flask, client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    round_id = make_round(app)
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    login(client, "viewer@a.example")
    assert client.get(f"/rounds/{round_id}/contacts").status_code == 403
    assert _upload(client, round_id, "parents", b"email\na@example.org\n").status_code == 403
    assert _contacts(app, round_id) == []


def test_contacts_left_without_a_questionnaire_are_shown_and_can_be_removed(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(app)
    with app.app_context():
        db.session.add(Contact(round_id=round_id, audience="community", email="z@example.org"))
        db.session.commit()
    page = client.get(f"/rounds/{round_id}/contacts").get_data(as_text=True)
    assert "No questionnaire" in page and "no longer has a questionnaire" in page
    assert "z@example.org" in client.get(f"/rounds/{round_id}/contacts?show=community").get_data(
        as_text=True
    )
    response = client.post(
        f"/rounds/{round_id}/contacts/remove-audience",
        data={"csrf_token": csrf_token(client, "/"), "audience": "community", "confirm": "yes"},
    )
    assert response.status_code == 303 and _contacts(app, round_id) == []


# -- zip bombs: refused before the sheet is read ------------------------------------------------


def _header_only_workbook() -> bytes:
    wb = Workbook()
    wb.active.title = "Contacts"
    wb.active.append(["email", "name"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("rows", "row", "expected"),
    [
        (1_000_000, FAT_ROW, "MB, far more than 20,000 contacts need. Save only the email"),
        (3_000_000, THIN_ROW, "The sheet “Contacts” goes beyond row 40,000. Delete the empty"),
    ],
    ids=["declared-size", "row-count"],
)
def test_a_zip_bomb_workbook_is_refused_fast_and_imports_nothing(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
    rows: int,
    row: str,
    expected: str,
) -> None:
    # Before the guard, a half-megabyte file of three million rows took 41 s to refuse.
    round_id = make_round(app)
    bomb = inflated(_header_only_workbook(), "Contacts", rows, row=row)
    assert len(bomb) < 500_000
    form = MultiDict(
        {
            "csrf_token": csrf_token(client, "/"),
            "audience": "parents",
            "file": FileStorage(io.BytesIO(bomb), filename="people.xlsx"),
        }
    )
    boundary, body = encode_multipart(form)
    started = time.perf_counter()
    response = client.post(
        f"/rounds/{round_id}/contacts/upload",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert time.perf_counter() - started < 3
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    if row == FAT_ROW:
        assert f"The workbook unpacks to {unpacked(bomb) // 1_000_000} MB" in response.get_data(
            as_text=True
        )
    assert _contacts(app, round_id) == []

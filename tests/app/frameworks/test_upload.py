"""Coordinators import frameworks through the web: checked fully first, nothing stored on error."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import AuditEntry, CustomFramework, FeedbackRound, Role, User
from app.services.accounts import get_or_create_organisation
from app.services.frameworks import get_framework
from frameworks.loader import parse_framework
from frameworks.workbook import workbook_bytes
from tests.app.factories_frameworks import private_definition
from tests.support import csrf_token, login

URL = "/frameworks/import"


def yaml_bytes(definition: dict[str, Any]) -> bytes:
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True).encode("utf-8")


def post(
    client: FlaskClient,
    data: bytes | None,
    filename: str = "ours.yaml",
    replace: bool = False,
    token: str | None = None,
) -> Any:
    form: dict[str, Any] = {"csrf_token": token or csrf_token(client, "/frameworks/")}
    if data is not None:
        form["framework_file"] = FileStorage(io.BytesIO(data), filename=filename)
    if replace:
        form["replace"] = "yes"
    # Encoded in memory: werkzeug's test client spools bodies over 500 KB to a temporary file
    # it never closes, which filterwarnings=error would report against a later test.
    boundary, body = encode_multipart(MultiDict(form))
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def stored(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (row.framework_id, row.title)
            for row in db.session.execute(select(CustomFramework)).scalars()
        ]


def problems_listed(response: Any) -> list[str]:
    body = response.get_data(as_text=True)
    section = body.split('id="problems-heading"', 1)[1]
    return [re.sub(r"\s+", " ", li).strip() for li in re.findall(r"<li>(.*?)</li>", section, re.S)]


def summary_of(response: Any) -> str:
    body = response.get_data(as_text=True)
    match = re.search(r'<div class="error-summary"[^>]*data-autofocus>(.*?)</div>', body, re.S)
    assert match, "no error summary"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


# -- success ---------------------------------------------------------------------------------


def test_yaml_upload_imports_and_redirects(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    response = post(client, yaml_bytes(private_definition()))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/frameworks/private-standards/")
    assert stored(app) == [("private-standards", "Private standards")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Private standards was imported: 1 section, 1 indicator and 1 item." in page
    with app.app_context():
        (entry,) = db.session.execute(select(AuditEntry)).scalars()
        assert (entry.action, entry.object_id, entry.actor_id) == (
            "framework.imported",
            "private-standards",
            coordinator.id,
        )


def test_workbook_upload_imports(app: Flask, client: FlaskClient, coordinator: User) -> None:
    framework = parse_framework(private_definition("from-excel"), "x.yaml")
    response = post(client, workbook_bytes(framework), "ours.xlsx")
    assert response.status_code == 303
    with app.app_context():
        org = get_or_create_organisation("Org A")
        assert get_framework(org.id, "from-excel") == framework


def test_template_filled_in_by_hand_imports(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    """The journey a coordinator follows: download the template, fill it in, upload it."""
    wb = load_workbook(io.BytesIO(client.get("/frameworks/template.xlsx").data))
    values = {
        "id": "our-play-standards",
        "title": "Our play standards",
        "source document": "Play policy 2024",
        "source title": "Play policy",
        "rating scale id": "yn",
        "rating scale title": "Yes or no",
        "good from": "yes",
    }
    sheet = wb["Framework"]
    for row in range(2, sheet.max_row + 1):
        label = sheet.cell(row=row, column=1).value
        if label in values:
            sheet.cell(row=row, column=2, value=values[label])
    wb["Scale"].append(["yes", "Yes"])
    wb["Scale"].append(["no", "No"])
    wb["Sections"].append(["play", "Play"])
    wb["Indicators"].append(["play-1", "Safe places to play", "play"])
    wb["Items"].append(["play-1", "children", "I feel safe when I play here."])
    wb["Items"].append(["play-1", "Parents and carers", "My child has safe places to play."])
    out = io.BytesIO()
    wb.save(out)
    response = post(client, out.getvalue(), "play.xlsx")
    assert response.status_code == 303, summary_of(response)
    with app.app_context():
        fw = get_framework(get_or_create_organisation("Org A").id, "our-play-standards")
    assert set(fw.indicator("play-1").items) == {"children", "parents"}


# -- errors: every line shown, nothing stored -----------------------------------------------------


def test_bad_yaml_lists_every_problem_and_stores_nothing(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    definition = private_definition()
    definition["indicators"][0]["items"]["staff"] = ["   "]
    definition["indicators"][0]["items"]["teachers"] = ["I teach."]
    definition["sections"][0]["title"] = ""
    response = post(client, yaml_bytes(definition))
    assert response.status_code == 422
    assert stored(app) == []
    assert summary_of(response).startswith("There is a problem ours.yaml has 3 problems")
    assert "Nothing was imported" in summary_of(response)
    assert problems_listed(response) == [
        "ours.yaml: sections[0].title: title is empty",
        "ours.yaml: indicators[0].items.staff[0].statement: statement is empty",
        "ours.yaml: indicators[0].items.teachers: unknown audience &#39;teachers&#39;",
    ]
    body = response.get_data(as_text=True)
    assert 'href="#framework_file"' in body
    assert 'aria-describedby="framework_file-hint framework_file-error"' in body


def test_bad_workbook_names_sheet_row_and_column(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    wb = load_workbook(io.BytesIO(workbook_bytes(parse_framework(private_definition(), "x"))))
    wb["Items"]["C2"] = ""
    wb["Items"].append(["p-9", "staff", "I am not attached."])
    out = io.BytesIO()
    wb.save(out)
    response = post(client, out.getvalue(), "ours.xlsx")
    assert response.status_code == 422
    assert problems_listed(response) == [
        "ours.xlsx: Items row 3, column A: no indicator &#39;p-9&#39; in the Indicators sheet",
        "ours.xlsx: Items row 2, column C: statement is empty",
    ]
    assert stored(app) == []


def test_single_problem_is_shown_in_the_summary(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    response = post(client, b"a: [b", "ours.yaml")
    assert response.status_code == 422
    assert "ours.yaml: line 1, column 6: not valid YAML" in summary_of(response)
    assert 'id="problems-heading"' not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (None, "", "Choose a YAML file or an Excel workbook to import."),
        (b"", "ours.yaml", "ours.yaml is empty."),
        (b"not a zip", "ours.xlsx", "ours.xlsx: (file): not an Excel workbook (.xlsx)"),
        (b"a,b\n1,2\n", "ours.csv", "ours.csv: (file): use a YAML file (.yaml or .yml)"),
        (b"id: x\ntitle: Caf\xe9\n", "ours.yaml", "ours.yaml: line 2 (byte 17): not valid UTF-8"),
        (b"id: a\nid: b\n", "ours.yaml", "ours.yaml: line 2, column 1: duplicate key"),
        # libyaml's own nesting limit once hid this one, and the file then gave a bare 500.
        (b"[" * 100_000, "deep.yaml", "deep.yaml: line 1, column 25: nested more than 24 levels"),
        (b"id: 2024-13-45\n", "ours.yaml", "ours.yaml: line 1, column 5: cannot read this as a"),
    ],
    ids=["no-file", "empty", "not-zip", "csv", "latin-1", "duplicate", "deep", "bad-date"],
)
def test_unusable_files_are_422(
    app: Flask,
    client: FlaskClient,
    coordinator: User,
    data: bytes | None,
    filename: str,
    expected: str,
) -> None:
    response = post(client, data, filename)
    assert response.status_code == 422
    assert expected in summary_of(response).replace("&#39;", "'")
    assert stored(app) == []


def test_too_large_file(app: Flask, client: FlaskClient, coordinator: User) -> None:
    response = post(client, b"#" * (5 * 1024 * 1024 + 1), "big.yaml")
    assert response.status_code == 422
    assert "big.yaml is larger than 5 MB" in summary_of(response)
    assert stored(app) == []


def test_builtin_id_is_refused_even_with_replace(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    for replace in (False, True):
        response = post(
            client, yaml_bytes(private_definition("hmie-children-services")), replace=replace
        )
        assert response.status_code == 422
        assert "is the id of a built-in framework" in summary_of(response)
    assert stored(app) == []


def test_same_id_needs_replace(app: Flask, client: FlaskClient, coordinator: User) -> None:
    assert post(client, yaml_bytes(private_definition())).status_code == 303
    second = private_definition()
    second["title"] = "Private standards, second edition"
    response = post(client, yaml_bytes(second))
    assert response.status_code == 422
    assert "already has a framework with the id" in summary_of(response)
    assert stored(app) == [("private-standards", "Private standards")]
    # The form keeps what was chosen, so ticking Replace is the only change needed.
    response = post(client, yaml_bytes(second), replace=True)
    assert response.status_code == 303
    assert stored(app) == [("private-standards", "Private standards, second edition")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was replaced" in page


def test_replacement_may_not_drop_indicators_a_round_uses(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    assert post(client, yaml_bytes(private_definition())).status_code == 303
    with app.app_context():
        org = get_or_create_organisation("Org A")
        db.session.add(
            FeedbackRound(
                organisation_id=org.id,
                name="Spring survey",
                framework_id="private-standards",
                opens_on=dt.date(2026, 3, 1),
                closes_on=dt.date(2026, 3, 31),
                indicator_ids=["p-1"],
                audiences=["staff"],
            )
        )
        db.session.commit()
    changed = private_definition()
    changed["indicators"][0]["id"] = "p-2"
    response = post(client, yaml_bytes(changed), replace=True)
    assert response.status_code == 422
    assert (
        "Feedback round &#39;Spring survey&#39; uses indicators this version leaves out: p-1"
        in (response.get_data(as_text=True))
    )
    with app.app_context():
        fw = get_framework(get_or_create_organisation("Org A").id, "private-standards")
    assert [i.id for i in fw.indicators] == ["p-1"]


def test_same_id_in_another_organisation_is_independent(
    app: Flask, client: FlaskClient, coordinator: User, make_user: Callable[..., User]
) -> None:
    assert post(client, yaml_bytes(private_definition())).status_code == 303
    make_user("coord@b.example", "Org B", Role.COORDINATOR)
    other = app.test_client()
    login(other, "coord@b.example")
    assert other.get("/frameworks/private-standards/").status_code == 404
    assert post(other, yaml_bytes(private_definition())).status_code == 303
    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(CustomFramework)).scalar()
    assert count == 2


# -- who may import ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SAT_MEMBER, Role.VIEWER])
def test_only_coordinators_import(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], role: Role
) -> None:
    make_user("member@a.example", "Org A", role)
    login(client, "member@a.example")
    assert client.get(URL).status_code == 403
    assert post(client, yaml_bytes(private_definition())).status_code == 403
    assert stored(app) == []
    assert client.get("/frameworks/template.xlsx").status_code == 200  # drafting is for all


def test_upload_without_csrf_token_changes_nothing(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    response = client.post(
        URL,
        data={"framework_file": (io.BytesIO(yaml_bytes(private_definition())), "ours.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert stored(app) == []


def test_import_form_is_accessible(client: FlaskClient, coordinator: User) -> None:
    body = client.get(URL).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in body
    assert '<label for="framework_file">' in body
    assert '<label for="replace">' in body
    assert 'name="csrf_token"' in body
    assert "style=" not in body
    assert "<script>" not in body

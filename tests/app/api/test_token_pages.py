"""Settings, API tokens: coordinators make a token (its secret shown once), list and revoke;
other roles cannot; bad input is 422 and makes nothing."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, AuditEntry, Role
from tests.app.results.helpers import row_of, text_of
from tests.support import csrf_token, login

PAGE = "/settings/api-tokens/"


def _make(client: FlaskClient, **form: object) -> tuple[int, str]:
    data = {
        "csrf_token": csrf_token(client, PAGE),
        "name": "Power BI",
        "permissions": ["read_results"],
        "days": "90",
        **form,
    }
    response = client.post(PAGE, data=data)
    return response.status_code, response.get_data(as_text=True)


def _tokens(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(ApiToken)).scalar_one()


def test_a_new_token_is_shown_once_and_works(app: Flask, client: FlaskClient, coordinator) -> None:
    status, html = _make(client)
    assert status == 200
    secret = re.search(r'id="new-secret"[^>]*value="(chorus_[^"]+)"', html)
    assert secret is not None
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert api.get("/api/v1/rounds", headers=headers).status_code == 200
    again = client.get(PAGE).get_data(as_text=True)
    assert secret.group(1) not in again  # never shown again
    row = row_of(again, "Power BI")
    assert "read_results" in row and "Revoke" in row
    assert "Never" not in row  # its last use is shown
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action)).scalars().all()
        assert "api_token.created" in actions


def test_revoke_stops_the_token(app: Flask, client: FlaskClient, coordinator) -> None:
    _, html = _make(client)
    secret = re.search(r'value="(chorus_[^"]+)"', html)
    assert secret is not None
    action = re.search(r'action="(/settings/api-tokens/[0-9a-f-]+/revoke)"', html)
    assert action is not None
    revoked = client.post(action.group(1), data={"csrf_token": csrf_token(client, PAGE)})
    assert revoked.status_code == 303
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert app.test_client().get("/api/v1/rounds", headers=headers).status_code == 401
    assert "Revoked" in row_of(client.get(PAGE).get_data(as_text=True), "Power BI")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": " "}, "Enter a name"),
        ({"permissions": []}, "Choose at least one permission"),
        ({"permissions": ["everything"]}, "Choose at least one permission"),
        ({"days": "0"}, "Choose between 1 and 366 days"),
        ({"days": "soon"}, "Choose between 1 and 366 days"),
    ],
)
def test_bad_input_is_422_and_makes_nothing(
    app: Flask, client: FlaskClient, coordinator, form, message
) -> None:
    status, html = _make(client, **form)
    assert status == 422
    assert message in text_of(html) and "error-summary" in html
    assert _tokens(app) == 0


@pytest.mark.parametrize("role", [Role.SAT_MEMBER, Role.VIEWER])
def test_only_coordinators(app: Flask, client: FlaskClient, make_user, role: Role) -> None:
    make_user("someone@a.example", "Org A", role)
    login(client, "someone@a.example")
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/")
    response = client.post(
        PAGE, data={"csrf_token": token, "name": "x", "permissions": ["read_results"], "days": "30"}
    )
    assert response.status_code == 403
    assert _tokens(app) == 0


def test_the_docs_page_lists_every_operation(client: FlaskClient) -> None:
    from app.api.registry import OPERATIONS

    html = client.get("/api/v1/docs").get_data(as_text=True)
    for op in OPERATIONS:
        assert f'id="{op.name}"' in html
    assert "<script" not in html.split("</head>")[1]  # no external or inline scripts
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"

"""The account and demo commands."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Membership, Role, User
from tests.support import login


def test_users_create_reads_the_password_from_stdin(app: Flask, client: FlaskClient) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "New@Council.example",
            "--org",
            "Council",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        membership = db.session.execute(select(Membership)).scalar_one()
    assert user.email == "new@council.example"
    assert membership.role == Role.VIEWER
    login(client, "new@council.example", "a long enough password")


def test_users_create_refuses_a_short_password_and_creates_nothing(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.example",
            "--org",
            "Council",
            "--role",
            "coordinator",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    with app.app_context():
        assert db.session.execute(select(User)).first() is None


def test_users_create_refuses_an_unknown_role(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.example",
            "--org",
            "Council",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 2
    assert "admin" in result.output


def test_demo_prints_credentials_that_work(app: Flask, client: FlaskClient) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output
    assert "coordinator@demo.chorus.test" in result.output
    assert "demo password 123" in result.output
    login(client, "coordinator@demo.chorus.test", "demo password 123")
    assert client.get("/").status_code == 200
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0
    assert "already exists" in again.output

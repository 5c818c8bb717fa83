"""Signing in and out; every page but a few needs it."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import PASSWORD, csrf_token, dummy_url, login


def test_login_page_is_public(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert "Sign in to Chorus" in response.get_data(as_text=True)


def test_pages_need_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_every_non_public_route_redirects_to_login(app: Flask, client: FlaskClient) -> None:
    public = {"auth.login", "main.health", "static"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public or getattr(
            app.view_functions[rule.endpoint], "chorus_public", False
        ):
            continue
        if "GET" not in rule.methods:
            continue
        response = client.get(dummy_url(app, rule))
        assert response.status_code == 302, (rule.rule, response.status_code)
        assert "/login" in response.headers["Location"]


def test_sign_in_and_out(client: FlaskClient, make_user) -> None:
    make_user("someone@a.example")
    login(client, "someone@a.example")
    home = client.get("/")
    assert home.status_code == 200
    assert "someone@a.example" in home.get_data(as_text=True)
    out = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert out.status_code == 303
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("nobody@a.example", PASSWORD), ("someone@a.example", "wrong password here")],
)
def test_same_message_for_unknown_user_and_wrong_password(
    client: FlaskClient, make_user, email: str, password: str
) -> None:
    make_user("someone@a.example")
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The email address or password is not right" in body
    assert client.get("/").status_code == 302


def test_email_is_case_insensitive(client: FlaskClient, make_user) -> None:
    make_user("mixed@a.example")
    login(client, "MIXED@A.example")


def test_next_only_goes_to_this_site(client: FlaskClient, make_user) -> None:
    make_user("someone@a.example")
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": "someone@a.example", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited(client: FlaskClient, make_user) -> None:
    make_user("someone@a.example")
    token = csrf_token(client)
    statuses = [
        client.post(
            "/login",
            data={"email": "someone@a.example", "password": "nope nope nope", "csrf_token": token},
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[-1] == 429


def test_passwords_are_never_logged(client: FlaskClient, make_user, caplog) -> None:
    make_user("someone@a.example")
    secret = "a very secret wrong password"
    with caplog.at_level(logging.DEBUG):
        client.post(
            "/login",
            data={
                "email": "someone@a.example",
                "password": secret,
                "csrf_token": csrf_token(client),
            },
        )
        login(client, "someone@a.example")
    assert secret not in caplog.text
    assert PASSWORD not in caplog.text


def test_passwords_are_hashed(app: Flask, make_user) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    make_user("someone@a.example")
    with app.app_context():
        stored = db.session.execute(select(User.password_hash)).scalar_one()
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def _attempt(
    client: FlaskClient, email: str, password: str, token: str, address: str
) -> TestResponse:
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


# A CSRF token is signed with the second it was made, so two pages a second apart differ there.
_CSRF = re.compile(r'(name="csrf-token" content=|name="csrf_token" value=)"[^"]*"')


def _without(body: str, *values: str) -> str:
    for value in values:
        body = body.replace(value, "...")
    return _CSRF.sub(r'\1"..."', body)


def _limit_headers(response: TestResponse) -> str:
    """The limit and what is left (not the reset time, which moves with the clock)."""
    shown = ("X-RateLimit-Limit", "X-RateLimit-Remaining")
    return " ".join(f"{name}={response.headers.get(name)}" for name in shown)


def test_guesses_spread_over_many_clients_are_limited_per_account(
    app: Flask, client: FlaskClient, make_user
) -> None:
    make_user("someone@a.example")
    make_user("other@a.example")
    token = csrf_token(client)
    limit = 20  # LOGIN_ACCOUNT_RATE_LIMIT's default, "20 per hour"
    statuses = [
        _attempt(client, "someone@a.example", f"guess {i}", token, f"10.0.0.{i}").status_code
        for i in range(limit + 1)
    ]
    assert statuses == [422] * limit + [429]
    # Each client made one attempt, far under LOGIN_RATE_LIMIT: the account is what is limited,
    # even for the right password from a new client, until the window passes.
    assert _attempt(client, "someone@a.example", PASSWORD, token, "10.9.9.9").status_code == 429
    assert client.get("/").status_code == 302
    # Another account is untouched.
    assert _attempt(client, "other@a.example", PASSWORD, token, "10.9.9.8").status_code == 303


def test_account_limit_answers_alike_for_unknown_and_real_addresses(
    app: Flask, client: FlaskClient, make_user, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per hour")
    make_user("someone@a.example")
    token = csrf_token(client)
    answers = {}
    for email in ("someone@a.example", "nobody@a.example"):
        replies = [_attempt(client, email, "wrong", token, f"10.1.0.{i}") for i in range(4)]
        assert [r.status_code for r in replies] == [422, 422, 422, 429], email
        answers[email] = [_without(r.get_data(as_text=True), email, token) for r in replies]
        answers[email].append(_limit_headers(replies[-1]))
    assert answers["someone@a.example"] == answers["nobody@a.example"]
    assert "Too many attempts" in answers["nobody@a.example"][-2]


def test_account_limit_counts_the_address_however_it_is_typed(
    app: Flask, client: FlaskClient, make_user, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per hour")
    make_user("someone@a.example")
    token = csrf_token(client)
    spellings = ["someone@a.example", "  SOMEONE@a.example", "Someone@A.Example  "]
    for i, email in enumerate(spellings):
        assert _attempt(client, email, "wrong", token, f"10.2.0.{i}").status_code == 422
    assert _attempt(client, "someone@A.EXAMPLE", "wrong", token, "10.2.0.9").status_code == 429


def test_successful_sign_ins_do_not_count_against_the_account(
    app: Flask, client: FlaskClient, make_user, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "2 per hour")
    make_user("someone@a.example")
    for i in range(3):
        token = csrf_token(client)
        assert (
            _attempt(client, "someone@a.example", PASSWORD, token, f"10.3.0.{i}").status_code == 303
        )
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    token = csrf_token(client)
    assert _attempt(client, "someone@a.example", "wrong", token, "10.3.1.1").status_code == 422
    assert _attempt(client, "someone@a.example", "wrong", token, "10.3.1.2").status_code == 422
    assert _attempt(client, "someone@a.example", PASSWORD, token, "10.3.1.3").status_code == 429

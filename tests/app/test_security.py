"""Security baseline: CSRF, headers, cookies, error pages, health."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Organisation
from tests.support import PASSWORD, csrf_token, login


def test_post_without_csrf_token_is_refused_and_changes_nothing(
    client: FlaskClient, make_user
) -> None:
    make_user("someone@a.example")
    response = client.post(
        "/login", data={"email": "someone@a.example", "password": "correct horse battery staple"}
    )
    assert response.status_code == 400
    assert "nothing was changed" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in


def test_wrong_csrf_token_is_refused(client: FlaskClient, app: Flask, make_user) -> None:
    make_user("a@a.example", "Org A")
    make_user("a@a.example", "Org B")  # a second membership for the same person
    login(client, "a@a.example")
    with app.app_context():
        org_b = db.session.execute(select(Organisation).where(Organisation.name == "Org B"))
        org_b_id = str(org_b.scalar_one().id)
    response = client.post(
        "/organisation", data={"organisation_id": org_b_id, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "<h1>Org A</h1>" in client.get("/").get_data(as_text=True)
    # The same request with the real token does switch: the refusal above was the token.
    client.post(
        "/organisation", data={"organisation_id": org_b_id, "csrf_token": csrf_token(client, "/")}
    )
    assert "<h1>Org B</h1>" in client.get("/").get_data(as_text=True)


def test_htmx_requests_send_the_token_as_a_header(client: FlaskClient, make_user) -> None:
    make_user("someone@a.example")
    login(client, "someone@a.example")
    token = csrf_token(client, "/")
    response = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 303


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "HX-Request" in response.headers["Vary"]


def test_pages_have_no_inline_script(client: FlaskClient) -> None:
    body = client.get("/login").get_data(as_text=True)
    assert "<script>" not in body
    assert " on" + "click=" not in body
    assert re.search(r'src="/static/js/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js"', body)


def test_session_cookie_is_httponly_and_lax(client: FlaskClient, make_user) -> None:
    make_user("someone@a.example")
    login(client, "someone@a.example")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_htmx_error_gets_fragment_only(client: FlaskClient) -> None:
    response = client.get("/no/such/page", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in body
    assert "<html" not in body


def test_health(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_static_htmx_is_vendored(client: FlaskClient) -> None:
    response = client.get("/static/js/htmx-2.0.11.min.js", follow_redirects=True)
    assert response.status_code == 200
    assert b"htmx" in response.data[:200]
    response.close()


def test_an_unhandled_error_on_a_token_url_logs_no_token(tmp_path, caplog) -> None:
    import logging

    from app import create_app
    from app.tenancy import public

    app = create_app(
        {
            "SECRET_KEY": "k",
            "DEBUG": False,
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "INSTANCE_PATH": str(tmp_path),
            "MAIL_WORKER_IN_PROCESS": False,
        }
    )
    token = "T" * 43

    @app.get("/r/<token>/explode-for-test")
    @public
    def explode(token: str) -> str:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get(f"/r/{token}/explode-for-test")
    assert response.status_code == 500
    assert "Exception on /r/[redacted]" in caplog.text
    assert token not in caplog.text


def test_hsts_on_https_responses(client: FlaskClient) -> None:
    for path in ("/login", "/no/such/page", "/static/js/htmx-2.0.11.min.js"):
        response = client.get(path, base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        ), path
        response.close()


def test_no_hsts_over_plain_http(client: FlaskClient) -> None:
    response = client.get("/login")
    assert "Strict-Transport-Security" not in response.headers
    # A forwarded-proto header from an untrusted client changes nothing.
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def _app_behind_proxies(tmp_path, count: int) -> Flask:
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "DATABASE_URL": f"sqlite:///{tmp_path}/proxy.db",
            "INSTANCE_PATH": str(tmp_path),
            "TRUSTED_PROXIES": count,
        }
    )


def test_hsts_behind_a_trusted_proxy_that_terminated_https(tmp_path) -> None:
    client = _app_behind_proxies(tmp_path, 1).test_client()
    https = client.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = client.get("/health", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers


def test_forms_work_over_https_without_a_referer(client: FlaskClient, make_user) -> None:
    """Browsers send no Referer under Referrer-Policy: no-referrer; HTTPS forms still work."""
    make_user("someone@a.example")
    https = "https://localhost"
    token = csrf_token(client, https + "/login")
    response = client.post(
        "/login",
        base_url=https,
        data={"email": "someone@a.example", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303
    # The token is still required.
    client.post("/logout", base_url=https, data={"csrf_token": csrf_token(client, https + "/")})
    refused = client.post(
        "/login", base_url=https, data={"email": "someone@a.example", "password": PASSWORD}
    )
    assert refused.status_code == 400


def test_vary_names_each_request_header_once() -> None:
    from flask import Response

    from app.security import add_vary

    response = Response("x")
    add_vary(response, "HX-Request")
    assert response.headers["Vary"] == "HX-Request"
    add_vary(response, "hx-request")  # header names are not case-sensitive
    add_vary(response, "Accept-Encoding")
    assert response.headers["Vary"] == "HX-Request, Accept-Encoding"
    assert response.vary.as_set() == {"hx-request", "accept-encoding"}

"""Helpers shared by tests: sign in and CSRF the way a browser does; real services required."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule, UUIDConverter

PASSWORD = "correct horse battery staple"

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The token a real browser would have, read from a page's meta tag."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = _CSRF_META.search(page)
    assert match, f"no CSRF meta tag on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


def dummy_url(app: Flask, rule: Rule, **values: Any) -> str:
    """Build a URL for `rule`, filling arguments not given with values of the right type."""
    for name in rule.arguments:
        if name in values:
            continue
        converter = rule._converters[name]
        if isinstance(converter, UUIDConverter):
            values[name] = uuid.uuid4()
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, method=None)


def release_due(app: Flask) -> int:
    """The mix's release step as the mail worker runs it: audiences with at least k waiting,
    and everything of rounds no longer taking answers."""
    from app.services.mix import release_waiting

    with app.app_context():
        return release_waiting()


def release_all(app: Flask) -> int:
    """Release every sealed submission however few, as the close does (tests that look at one
    response right after sending)."""
    from app.services.mix import release_waiting

    with app.app_context():
        return release_waiting(everything=True)

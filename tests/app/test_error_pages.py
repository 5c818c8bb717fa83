"""The friendly error page keeps what HTTP requires of each status."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_method_not_allowed_names_the_allowed_methods(client: FlaskClient) -> None:
    response = client.delete("/health")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert "POST" not in response.headers["Allow"]

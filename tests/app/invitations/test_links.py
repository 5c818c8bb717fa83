"""The links in emails and posters point at the routes that serve them."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from app.services import links


@pytest.mark.parametrize(
    "endpoint, argument, build",
    [
        ("respond.enter_invitation", "token", links.invitation_path),
        ("respond.enter_open_link", "code", links.open_link_path),
        ("optout.unsubscribe", "token", links.unsubscribe_path),
        ("auth.reset", "signed", links.reset_path),
    ],
)
def test_paths_match_the_routes(app: Flask, endpoint: str, argument: str, build) -> None:  # type: ignore[no-untyped-def]
    assert endpoint in app.view_functions
    with app.test_request_context():
        assert url_for(endpoint, **{argument: "Abc_123-xyz"}) == build("Abc_123-xyz")


def test_base_url_prefers_the_configured_address(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        assert links.invitation_url("t") == "http://127.0.0.1:5000/r/t"  # no request
    with app.test_request_context(base_url="https://chorus.example.gov.uk"):
        assert links.open_link_url("c") == "https://chorus.example.gov.uk/o/c"
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://feedback.example.org/")
    with app.app_context():
        assert links.unsubscribe_url("t") == "https://feedback.example.org/unsubscribe/t"
    assert links.short_display("https://feedback.example.org/o/c") == "feedback.example.org/o/c"

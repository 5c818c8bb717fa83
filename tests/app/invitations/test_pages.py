"""Every invitation page renders whole, and as its HTMX block, for a coordinator."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.app.invitations.builders import add_contacts, launched_round, make_round


@pytest.mark.parametrize("htmx", [False, True])
def test_every_page_renders(
    app: Flask,
    client: FlaskClient,
    coordinator,
    no_smtp,
    htmx: bool,  # type: ignore[no-untyped-def]
) -> None:
    draft = make_round(app, name="Draft round")
    add_contacts(app, draft, "parents", ["a@example.org"])
    live = launched_round(app, {"parents": 2, "staff": 1})
    urls = [
        f"/rounds/{draft}/contacts",
        f"/rounds/{draft}/contacts?show=parents&page=1",
        f"/rounds/{draft}/launch",
        f"/rounds/{draft}/responses",
        f"/rounds/{live}/responses",
        f"/rounds/{live}/invitations",
        f"/rounds/{live}/invitations?audience=staff&delivery=queued&q=staff&page=2",
        f"/rounds/{live}/reminders",
        f"/rounds/{live}/open-links",
        f"/rounds/{live}/open-links/parents/poster",
        f"/rounds/{live}/launch",
        "/rounds/outbox",
        f"/rounds/outbox?round={live}&status=queued&page=1",
        "/rounds/outbox?round=not-a-uuid&status=nonsense&page=x",
    ]
    headers = {"HX-Request": "true"} if htmx else {}
    for url in urls:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        whole = "<html" in html
        if "poster" in url:
            assert whole  # a page to print, never swapped
        else:
            assert whole is not htmx, url

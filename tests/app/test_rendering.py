"""An HTMX request gets one block of a page, and that block can call the macros its template
imports at the top (jinja2-fragments skips the top level, where the imports run)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.models import User
from app.rendering import top_level_imports
from tests.app.factories_assessment import assessment_id


def test_a_block_alone_calls_the_macros_imported_at_the_top(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    url = f"/assessments/{assessment_id(app, 'Org A')}/evidence"
    whole = client.get(url)
    block = client.get(url, headers={"HX-Request": "true"})
    assert (whole.status_code, block.status_code) == (200, 200)
    body = block.get_data(as_text=True)
    assert "<html" not in body and "Triangulation per indicator" in body


def test_top_level_imports_are_found_by_name(app: Flask) -> None:
    with app.app_context():
        names = top_level_imports("assessment/evidence.html")
    assert set(names) == {"triangulation_tag", "external_tag"}
    assert all(callable(macro) for macro in names.values())

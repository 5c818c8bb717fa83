"""One error summary and one field error for every staff form: app/templates/_forms.html."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, render_template_string

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def render(app: Flask, source: str, **context: object) -> str:
    with app.test_request_context():
        html = render_template_string('{% import "_forms.html" as forms %}' + source, **context)
    return re.sub(r"\s+", " ", html).strip()


def test_the_summary_links_each_message_to_its_field_and_takes_focus(app: Flask) -> None:
    html = render(
        app,
        "{{ forms.error_summary(errors, {'framework_id': 'framework', 'round': none}) }}",
        errors={"name": "Enter a name.", "framework_id": "Choose one.", "round": "Locked."},
    )
    assert html.startswith(
        '<div class="error-summary" role="alert" tabindex="-1" data-autofocus> '
        "<h2>There is a problem</h2>"
    )
    assert '<li><a href="#name">Enter a name.</a></li>' in html
    assert '<li><a href="#framework">Choose one.</a></li>' in html
    assert "<li>Locked.</li>" in html


def test_no_messages_no_summary(app: Flask) -> None:
    for errors in (None, {}, {"name": None}, [], [(None, "")]):
        assert render(app, "{{ forms.error_summary(errors) }}", errors=errors) == ""


def test_plain_messages_a_title_a_note_a_body_and_no_focus(app: Flask) -> None:
    html = render(
        app,
        "{{ forms.error_summary(['No contacts.'], title='Not launched', note='Nothing was "
        "changed.', autofocus=false) }}",
    )
    assert "data-autofocus" not in html and "<h2>Not launched</h2>" in html
    assert "<li>No contacts.</li>" in html and html.endswith("<p>Nothing was changed.</p> </div>")
    body = render(
        app, "{% call forms.error_summary(title='3 problems') %}<p>Fix them.</p>{% endcall %}"
    )
    assert "<h2>3 problems</h2>" in body and "<p>Fix them.</p>" in body and "<ul>" not in body


def test_the_field_error_has_the_id_its_input_describes(app: Flask) -> None:
    html = render(
        app,
        "{{ forms.field_error(errors, 'intro', id='intro-text') }}",
        errors={"intro": "Too long."},
    )
    assert html == (
        '<p class="error-message" id="intro-text-error">'
        '<span class="visually-hidden">Error:</span> Too long.</p>'
    )
    assert render(app, "{{ forms.field_error(errors, 'name') }}", errors={}) == ""
    assert render(app, "{{ forms.field_error(none, 'name') }}") == ""


def test_no_template_writes_its_own_summary_or_field_error() -> None:
    """The respondent pages keep their own compact markup (classes es/err)."""
    copies = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if path.name != "_forms.html"
        and re.search(r'class="error-(summary|message)"[^>]*(data-autofocus|id=)', path.read_text())
    ]
    assert copies == []

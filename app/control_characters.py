"""Refuse text nobody types: NUL and the other control characters, in every form field, query
string, upload's file name and path, before any view runs.

PostgreSQL refuses NUL in text (the write would fail deep inside a view as a 500), and an xlsx
file cannot hold the other C0 controls, so an export would fail later. One check per request
covers every form and changes nothing: the answer is a 400 page that names the field. Tab, line
feed and carriage return are ordinary text.

The respondent's pages are the exception: they remove such characters from what people type
(`app.services.responding.page_form.clean_text`), because someone answering on a phone must
never lose their answers over a character they cannot see.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHOWN_NAME = 40  # characters of a field's name shown back
CLEANED_BY_THE_PAGE = frozenset({"respond"})  # blueprints that clean their own text


def init_control_character_guard(app: Flask) -> None:
    app.before_request(refuse_control_characters)


def refuse_control_characters() -> None:
    if CONTROL.search(request.path):
        abort(404, "Check the address: it contains an invisible control character.")
    if request.blueprint in CLEANED_BY_THE_PAGE:
        return
    for name, value in request.args.items(multi=True):
        if CONTROL.search(name) or CONTROL.search(value):
            abort(
                400,
                f"Nothing was changed: the page address (its {_shown(name)} part) contains an "
                "invisible control character. Check the address and try again.",
            )
    for name, value in request.form.items(multi=True):
        if not isinstance(name, str) or not isinstance(value, str):
            # werkzeug gives None for a multipart part whose name it cannot read.
            abort(400, "Nothing was changed: the form could not be read. Go back and try again.")
        if CONTROL.search(name) or CONTROL.search(value):
            abort(
                400,
                f"Nothing was changed: the {_shown(name)} field contains an invisible control "
                "character (often copied in from another program). Go back, remove it or type "
                "that text again, and send the form again.",
            )
    for name, upload in request.files.items(multi=True):
        if not isinstance(name, str):
            abort(400, "Nothing was changed: the form could not be read. Go back and try again.")
        if CONTROL.search(name) or CONTROL.search(upload.filename or ""):
            abort(
                400,
                "Nothing was changed: the name of the file you chose contains an invisible "
                "control character. Rename the file and upload it again.",
            )


def _shown(name: str) -> str:
    """A field's name as it can be shown: readable, short, in quotes."""
    clean = CONTROL.sub("", name).strip()[:_SHOWN_NAME]
    return f"“{clean}”" if clean else "unnamed"

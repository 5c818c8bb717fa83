"""The questions of a frozen questionnaire's page, and its check page's rows, rendered once
per process.

Rendering 40 radio groups through nested macros is most of a respondent page's CPU. A launched
questionnaire never changes (DESIGN.md section 2), so a page as first shown (no answers chosen,
no errors) is the same markup for everyone: it is kept on the cached shape and reused. Pages
with answers or errors are rendered afresh, so nothing anyone typed or chose is ever held.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from flask import Response, current_app, g, make_response, request
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from app.csrf import generate_csrf
from app.extensions import htmx
from app.rendering import render_page
from app.respond import gzip_splice
from app.security import add_vary
from app.services.responding import Page, Shape
from app.services.responding.check import CheckRow, check_rows


def _variant() -> str:
    """What else the markup depends on: the interface language, once there is a choice."""
    if "babel" in current_app.extensions:
        from flask_babel import get_locale  # type: ignore[import-untyped]

        return str(get_locale() or "")
    return ""


def cached_questions(
    macro: Callable[..., Markup],
    shape: Shape,
    page: Page,
    values: Mapping[str, Any],
    errors: Mapping[str, Any],
    *args: Any,
) -> Markup:
    if values or errors or not shape.frozen:
        return macro(shape, page, values, errors, *args)
    key = (page.number, _variant(), *args)
    found: Markup | None = shape.rendered.get(key)
    if found is None:
        found = shape.rendered[key] = Markup(macro(shape, page, values, errors, *args))
    return found


_ANSWER = "\x00answer\x00"  # where a check row's answer goes; no label or address contains it


def check_row_renderer(
    shape: Shape, form: Mapping[str, Any], change: Callable[[int], str]
) -> Callable[[CheckRow, int], Markup] | None:
    """The check page's rows with everything but the answer rendered once per process.

    A row's label and Change link depend only on the questionnaire, the language, the kind of
    device and whether the row is answered; both forms of every row and the words of every
    option are rendered together the first time, so what is kept never depends on anyone's
    answers. Words a respondent typed are always rendered afresh.
    """
    if not shape.frozen:
        return None
    macros: Any = current_app.jinja_env.get_template("respond/_macros.html").module
    key = ("check", _variant(), request.script_root, bool(form.get("kiosk")))
    kept = shape.rendered.get(key)
    if kept is None:
        kept = shape.rendered[key] = _check_pieces(shape, form, change, macros)
    pieces, chosen_words = kept

    def row_html(row: CheckRow, _number: int) -> Markup:
        before, after = pieces[(row.field, row.answered)]
        if row.chosen is not None and row.question is None:
            answer = chosen_words[(_scale_key(row), row.chosen.code)]
        elif row.answered:
            answer = str(macros.check_answer(shape, row))  # typed words: never kept
        else:
            answer = chosen_words[("", "box" if row.box else "")]
        return Markup(before + answer + after)

    return row_html


def _scale_key(row: CheckRow) -> str:
    return row.item.scale.id if row.item else "role"


def _check_pieces(
    shape: Shape, form: Mapping[str, Any], change: Callable[[int], str], macros: Any
) -> tuple[dict[tuple[str, bool], tuple[str, str]], dict[tuple[str, str], str]]:
    pieces: dict[tuple[str, bool], tuple[str, str]] = {}
    words: dict[tuple[str, str], str] = {}
    for group in check_rows(shape, None):
        for row in group.rows:
            for answered in (False, True):
                # An answered row differs only in its link's words ("Change", not "Answer").
                stand_in = replace(row, text="x") if answered and not row.answered else row
                html = str(
                    macros.check_row(
                        shape, stand_in, form, change, None, _ANSWER, group.page.number
                    )
                )
                before, after = html.split(_ANSWER)
                pieces[(row.field, answered)] = (before, after)
            if row.chosen is None and row.question is None and (row.item or row.role):
                options = row.item.scale.options if row.item else row.role.options  # type: ignore[union-attr]
                for option in options:
                    words.setdefault(
                        (_scale_key(row), option.code),
                        str(macros.check_answer(shape, replace(row, chosen=option))),
                    )
    words[("", "")] = str(macros.no_answer(shape, None))
    words[("", "box")] = str(macros.no_answer(shape, True))
    return pieces, words


# -- whole pages as first shown -------------------------------------------------------------------

_HOLE = re.compile("\x00([a-z0-9]+)\x00")


def hole(name: str) -> str:
    """Where a kept page takes a value of this request's (its CSRF token, a grant)."""
    return f"\x00{name}\x00"


def kept_page(
    shape: Shape,
    key: tuple[Any, ...],
    template: str,
    block: str,
    context: Callable[[], dict[str, Any]],
    fill: Mapping[str, str],
    status: int = 200,
    *,
    in_gzip: bool = True,
) -> Response:
    """A page as first shown, rendered once per process with a hole for each value that is this
    request's own: `context()` has `hole(name)` where `fill[name]` goes; the CSRF token is one.

    What is kept is the markup everyone is shown (no answers, no errors; `key` says everything
    else it depends on); the values filled in are escaped as the template would escape them
    (Markup goes in as it is). `in_gzip`: the values are short, so the page may go out spliced
    in gzip (the check page's rows are not: that page is compressed as any other answer).
    """
    swapping = bool(htmx) and not htmx.boosted
    key = ("page", _variant(), request.script_root, swapping, *key)
    pieces: list[str] | None = shape.rendered.get(key)
    if pieces is None:
        field = str(current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token")
        mine = g.pop(field, None)
        setattr(g, field, hole("csrf"))  # the template's csrf_token() gives the hole
        try:
            body = render_page(template, block=block, **context()).get_data(as_text=True)
        finally:
            g.pop(field)
            if mine is not None:
                setattr(g, field, mine)
        pieces = shape.rendered[key] = _HOLE.split(body)
    values = {**fill, "csrf": generate_csrf()}
    filled = [str(escape(values[name])) for name in pieces[1::2]]
    body = pieces[0] + "".join(
        value + piece for value, piece in zip(filled, pieces[2::2], strict=True)
    )
    response = make_response(body, status)
    add_vary(response, "HX-Request")
    # Gzip is chosen once the page is the answer itself (`in_gzip`): a view may also take a kept
    # page's text to send inside another answer (the offline kit's blank pages).
    if in_gzip:
        response.kept_pieces = (shape, key, pieces, filled)  # type: ignore[attr-defined]
    return response


_LENGTH_SETS = 8  # sets of value lengths a kept page's gzip stretches are kept for


def in_gzip(response: BaseResponse) -> BaseResponse:
    """A kept page sent as this request's answer goes out in gzip when the browser takes it:
    its fixed stretches compressed once (app/respond/gzip_splice.py), this request's values
    stored between them. Any other answer is left to Flask-Compress."""
    kept = getattr(response, "kept_pieces", None)
    if kept is None or "Content-Encoding" in response.headers:
        return response
    if not _gzip_wanted(response.status_code):
        return response
    shape, key, pieces, filled = kept
    stretches, by_lengths = _stretches(shape, key, pieces)
    values = [value.encode() for value in filled]
    if response.content_length != sum(map(len, values)) + sum(map(len, stretches)):
        return response  # changed since it was made: compressed as any other answer
    lengths = tuple(len(value) for value in values)
    compressed = by_lengths.get(lengths)
    if compressed is None:
        # Values of the same lengths each time: one set of stretches, rarely a second.
        shape_of = lengths if len(by_lengths) < _LENGTH_SETS else None
        compressed = by_lengths.get(shape_of)
        if compressed is None:
            compressed = by_lengths[shape_of] = gzip_splice.fixed_stretches(stretches, shape_of)
    response.set_data(gzip_splice.gzip_body(stretches, compressed, values))
    response.headers["Content-Encoding"] = "gzip"
    return response


def _stretches(
    shape: Shape, key: tuple[Any, ...], pieces: list[str]
) -> tuple[list[bytes], dict[Any, list[bytes]]]:
    """A kept page's fixed stretches as bytes, and their compressed forms per value lengths."""
    found: tuple[list[bytes], dict[Any, list[bytes]]] | None = shape.rendered.get((*key, "gzip"))
    if found is None:
        found = shape.rendered[(*key, "gzip")] = ([p.encode() for p in pieces[0::2]], {})
    return found


def _gzip_wanted(status: int) -> bool:
    """Whether this answer goes out in gzip, as Flask-Compress would send it (the browser takes
    gzip at least as gladly as Brotli; the app compresses pages in gzip)."""
    config = current_app.config
    if not 200 <= status < 300 or "gzip" not in (config.get("COMPRESS_ALGORITHM") or ()):
        return False
    if "text/html" not in (config.get("COMPRESS_MIMETYPES") or ()):
        return False
    header = request.headers.get("Accept-Encoding", "")
    if ";" not in header:  # what browsers send: a list of codings, no preferences
        return not {"gzip", "*"}.isdisjoint(c.strip().lower() for c in header.split(","))
    accepted = request.accept_encodings
    return accepted["gzip"] > 0 and accepted["gzip"] >= accepted["br"]

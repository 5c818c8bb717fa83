"""One template per page; HTMX asks for a named block of it (DESIGN.md section 3)."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template
from jinja2_fragments.flask import render_block

from app.extensions import htmx


def render_page(template: str, block: str | None = None, status: int = 200, **ctx: Any) -> Response:
    """Render the whole page, or only `block` when HTMX asked for it (not for boosted links)."""
    if block and htmx and not htmx.boosted:
        body = render_block(template, block, **ctx)
    else:
        body = render_template(template, **ctx)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response

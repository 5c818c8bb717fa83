"""One template per page; HTMX asks for a named block of it (DESIGN.md section 3)."""

from __future__ import annotations

import weakref
from typing import Any

from flask import Response, current_app, make_response, render_template
from jinja2 import Template, nodes
from jinja2_fragments.flask import render_block

from app.extensions import htmx

_IMPORTS: weakref.WeakKeyDictionary[Template, dict[str, Any]] = weakref.WeakKeyDictionary()


def render_page(template: str, block: str | None = None, status: int = 200, **ctx: Any) -> Response:
    """Render the whole page, or only `block` when HTMX asked for it (not for boosted links)."""
    if block and htmx and not htmx.boosted:
        body = render_block(template, block, **{**top_level_imports(template), **ctx})
    else:
        body = render_template(template, **ctx)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def top_level_imports(name: str) -> dict[str, Any]:
    """The macros a template imports at its top (`{% from "x" import y %}`), by name.

    A block rendered alone skips the template's top level, where those imports run, so without
    these a block that calls one fails with "'y' is undefined". Kept per loaded template, so an
    edited template in development is read again.
    """
    env = current_app.jinja_env
    template = env.get_template(name)
    found = _IMPORTS.get(template)
    if found is None:
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        found = {}
        for node in env.parse(source).body:  # the top level only: a block runs its own
            if not isinstance(node, nodes.FromImport | nodes.Import):
                continue
            if not isinstance(node.template, nodes.Const):
                continue
            module = env.get_template(node.template.value).module
            if isinstance(node, nodes.Import):
                found[node.target] = module
                continue
            for entry in node.names:
                imported, alias = entry if isinstance(entry, tuple) else (entry, entry)
                found[alias] = getattr(module, imported)
        _IMPORTS[template] = found
    return found

"""The questions of a frozen questionnaire's page, rendered once per process.

Rendering 40 radio groups through nested macros is most of a respondent page's CPU. A launched
questionnaire never changes (DESIGN.md section 2), so a page as first shown (no answers chosen,
no errors) is the same markup for everyone: it is kept on the cached shape and reused. Pages
with answers or errors are rendered afresh, so nothing anyone typed or chose is ever held.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from markupsafe import Markup

from app.services.responding import Page, Shape


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
    found = shape.rendered.get(key)
    if found is None:
        found = shape.rendered[key] = Markup(macro(shape, page, values, errors, *args))
    return found

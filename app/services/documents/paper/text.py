"""How typed-in text is read from a cell, compared with a label, and shortened for a message."""

from __future__ import annotations

from typing import Any


def normal(text: str) -> str:
    """Text as compared: case, spacing and curly apostrophes forgiven."""
    return " ".join(text.replace("’", "'").replace("‘", "'").split()).casefold()


def short(text: str, limit: int = 60) -> str:
    """At most `limit` characters on one line, for quoting in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cell_text(value: Any) -> str:
    """A cell's value as one line of text ('' when empty); Excel's 3.0 reads as 3."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())

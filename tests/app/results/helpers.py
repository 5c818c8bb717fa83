"""Reading results pages in tests: visible words and table rows."""

from __future__ import annotations

import re


def text_of(html: str) -> str:
    """The page's visible words (tags dropped, spaces collapsed), for readable assertions."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def row_of(html: str, heading: str) -> str:
    """The text of the table row whose header cell contains `heading`."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S):
        header = re.search(r"<th[^>]*>(.*?)</th>", row, flags=re.S)
        if header and heading in text_of(header.group(1)):
            return text_of(row)
    raise AssertionError(f"no row for {heading!r}")

"""The schema's own errors, pointed at the cell the data came from, in a spreadsheet's words."""

from __future__ import annotations

import re
from typing import Any

from frameworks.schema import Problem
from frameworks.workbook.places import Origin, Place


def locate(origins: dict[tuple[Any, ...], Origin], problem: Problem) -> tuple[Place, str] | None:
    """The cell a schema problem belongs to and the message to show there."""
    loc = problem.loc
    for cut in range(len(loc), 0, -1):
        origin = origins.get(loc[:cut])
        if origin is None:
            continue
        rest = [str(p) for p in loc[cut:] if isinstance(p, str)]
        place, header = origin.place, origin.label
        for size in range(len(rest), 0, -1):
            key = ".".join(rest[:size])
            if key in origin.columns:
                place = Place(place.sheet, place.row, origin.columns[key])
                header = origin.headers.get(key, key)
                break
        return place, _reword(problem.message, header)
    return None


def _reword(message: str, header: str | None) -> str:
    if message == "Field required":
        return f"{header} is empty" if header else "this is missing"
    found = re.fullmatch(
        r"List should have at least (\d+) items? after validation, not (\d+)", message
    )
    if found:
        need = int(found.group(1))
        return f"needs at least {need} {'entry' if header else 'row'}{'' if need == 1 else 's'}"
    return message

"""Load and validate framework files; errors name the file, the place and the problem."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from frameworks.schema import Framework

FRAMEWORK_DIR = Path(__file__).resolve().parent


class FrameworkError(ValueError):
    """A framework file that cannot be used; `lines` are 'file: place: problem' strings."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def _place(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _messages(name: str, exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        loc = [
            p for p in err["loc"] if p not in ("function-after[_item_from_shorthand(), ItemSpec]",)
        ]
        place = _place(loc)
        # Cross-reference errors carry their own places, joined by "; ".
        for piece in msg.split("; "):
            if place:
                lines.append(f"{name}: {place}: {piece}")
            elif ": " in piece:
                lines.append(f"{name}: {piece}")
            else:
                lines.append(f"{name}: (top level): {piece}")
    return lines


def parse_framework(data: Any, name: str) -> Framework:
    """Validate already-parsed data (YAML or a workbook) as a framework."""
    if not isinstance(data, dict):
        raise FrameworkError([f"{name}: (top level): expected a mapping of framework fields"])
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(_messages(name, exc)) from None


def load_text(text: str | bytes, name: str) -> Framework:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(top level)"
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise FrameworkError([f"{name}: {where}: not valid YAML ({problem})"]) from None
    return parse_framework(data, name)


def load_file(path: str | Path) -> Framework:
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise FrameworkError([f"{path.name}: (file): cannot be read ({exc.strerror})"]) from None
    return load_text(text, path.name)


@functools.cache
def builtin_frameworks() -> dict[str, Framework]:
    """The frameworks shipped in this folder, by id; loaded once per process."""
    found: dict[str, Framework] = {}
    for path in sorted(FRAMEWORK_DIR.glob("*.yaml")):
        framework = load_file(path)
        if framework.id in found:
            raise FrameworkError([f"{path.name}: id: duplicate framework id {framework.id!r}"])
        found[framework.id] = framework
    return found


def get_builtin(framework_id: str) -> Framework:
    return builtin_frameworks()[framework_id]

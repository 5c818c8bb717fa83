"""Load and validate framework files; errors name the file, the place and the problem."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from frameworks.schema import CrossReferenceError, Framework, Problem, cross_reference_problems

FRAMEWORK_DIR = Path(__file__).resolve().parent

_ROUTING_PARTS = ("function-after[_item_from_shorthand(), ItemSpec]",)  # pydantic internals


class FrameworkError(ValueError):
    """A framework file that cannot be used; `lines` are 'file: place: problem' strings.

    `problems` keeps the schema's own locations (when the schema found them) so a reader of
    another format, such as a workbook, can point at its own cells instead.
    """

    def __init__(self, lines: list[str], problems: list[Problem] | None = None):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.problems = problems or []


_UNREADABLE = "cannot read this as"
_KINDS = {"timestamp": "a date", "int": "a number", "float": "a number", "bool": "true or false"}

# The checks below are mixed into both safe loaders; the type checker sees the pure-Python one.
if TYPE_CHECKING:
    _Loader = yaml.SafeLoader
else:
    _Loader = object


class _FrameworkChecks(_Loader):
    """Safe YAML with two refusals a framework file never needs and a reviewer cannot see.

    Duplicate keys (YAML keeps the last one silently), and anchors/aliases (a few lines of
    aliases can expand into millions of nodes that validation would then walk).
    """

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node)
        return self.construct_document(node)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """A value YAML's resolver took for a date or number but Python cannot make one of
        (`2024-13-45`, 5,000 digits, `!!bool maybe`) is a problem at that place, not a crash."""
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            kind = _KINDS.get(node.tag.rsplit(":", 1)[-1], "a value")
            reason = str(exc).split(";")[0] if type(exc) is ValueError else ""
            raise yaml.MarkedYAMLError(
                problem=f"{_UNREADABLE} {kind}{f' ({reason})' if reason else ''}; put quotes "
                "around it to keep it as text",
                problem_mark=node.start_mark,
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first_line: dict[Any, int] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = key in first_line
                except TypeError:
                    continue  # unhashable: SafeConstructor reports it below
                if seen:
                    raise yaml.MarkedYAMLError(
                        problem=f"duplicate key {key!r} (first used on line {first_line[key]})",
                        problem_mark=key_node.start_mark,
                    )
                first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _PyLoader(_FrameworkChecks, yaml.SafeLoader):
    pass


# libyaml parses the built-in files about ten times faster; its error messages are vaguer, so a
# file it refuses is parsed again by the pure-Python loader to word the error.
_FastLoader: type = (
    type("_FastLoader", (_FrameworkChecks, yaml.CSafeLoader), {})
    if getattr(yaml, "__with_libyaml__", False)
    else _PyLoader
)


def _refuse_aliases(root: yaml.Node) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (&name, *name) are not allowed in a framework file",
                problem_mark=node.start_mark,
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _describe_key(key: Any) -> str:
    kind = {bool: "true/false", int: "a number", float: "a number", type(None): "empty"}.get(
        type(key), type(key).__name__
    )
    return f"key {key!r} ({kind}, not text)"


def render_place(loc: Iterable[Any], data: Any = None) -> str:
    """indicators[3].items.parents[0]; mapping keys that are not text read [key 1 (a number...)].

    `data` is the input that was validated: walking it tells a list index from a mapping key
    that happens to be a number (YAML reads `1:` and `yes:` as a number and a boolean).
    """
    out = ""
    node = data
    for part in loc:
        if part == "[key]":  # pydantic's marker: the key itself is wrong, already rendered
            continue
        if isinstance(node, dict) and not isinstance(part, str) and part in node:
            # pydantic reports a True key as 1: name the key as it was written.
            key = next(k for k in node if k == part and not isinstance(k, str))
            out += f"[{_describe_key(key)}]"
            node = node[key]
            continue
        elif isinstance(part, int) and not isinstance(node, dict):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        node = _step(node, part)
    return out


def _step(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def problems_of(exc: ValidationError) -> list[Problem]:
    """Every problem pydantic found, cross-reference problems each on their own."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, CrossReferenceError):
            problems.extend(cause.problems)
            continue
        loc = tuple(p for p in err["loc"] if p not in _ROUTING_PARTS)
        message = err["msg"].removeprefix("Value error, ")
        if (loc and loc[-1] == "[key]") or message == "Keys should be strings":
            message = "put quotes around this key so it is read as text"
        problems.append(Problem(loc, message))
    return problems


def _has_cross_reference_errors(exc: ValidationError) -> bool:
    return any(
        isinstance((err.get("ctx") or {}).get("error"), CrossReferenceError)
        for err in exc.errors(include_url=False)
    )


def _covered(loc: tuple[Any, ...], problems: list[Problem]) -> bool:
    """A field error already reported at this place (or inside it, or around it)."""
    return any(p.loc[: len(loc)] == loc or loc[: len(p.loc)] == p.loc for p in problems if p.loc)


def format_problem(name: str, problem: Problem, data: Any = None) -> str:
    place = render_place(problem.loc, data) or "(top level)"
    return f"{name}: {place}: {problem.message}"


def parse_framework(data: Any, name: str) -> Framework:
    """Validate already-parsed data (YAML or a workbook) as a framework."""
    if not isinstance(data, dict):
        raise FrameworkError([f"{name}: (top level): expected a mapping of framework fields"])
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        problems = problems_of(exc)
        if not _has_cross_reference_errors(exc):
            # pydantic skips the model validator when a field fails; check the raw data so
            # every problem is reported in one pass, not one kind after another.
            problems += [p for p in cross_reference_problems(data) if not _covered(p.loc, problems)]
        lines = [format_problem(name, p, data) for p in problems]
        raise FrameworkError(lines, problems) from None


def _decode(text: str | bytes, name: str) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = text.count(b"\n", 0, exc.start) + 1
        raise FrameworkError(
            [
                f"{name}: line {line} (byte {exc.start + 1}): not valid UTF-8 text "
                f"(found byte {text[exc.start]:#04x}; save the file as UTF-8)"
            ]
        ) from None


def _load(loader_class: type, source: str) -> Any:
    loader = loader_class(source)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


MAX_DEPTH = 24  # a framework file nests about 7 levels deep
MAX_NODES = 200_000  # values and blocks; the largest built-in has under 2,500


def _check_shape(source: str, name: str) -> None:
    """Refuse absurd nesting and absurd size before composing. The composer recurses once per
    level, and a few kilobytes of '[' would otherwise exhaust the stack (a RecursionError, or a
    crash in libyaml's binding); a few megabytes of `[1,1,1,...` would take a minute to build.
    Parser events arrive one by one, so counting them needs no recursion.

    libyaml refuses some input the pure-Python parser accepts (it has its own nesting limit,
    reached while it scans ahead for a key, before the first event), so when it gives up the
    count is made again by the pure-Python parser: the loader that would then compose the file.
    """
    for loader_class in dict.fromkeys((_FastLoader, _PyLoader)):
        try:
            _count(loader_class, source, name)
        except yaml.YAMLError:
            continue  # after the last parser: not YAML, and the full parse below words the error
        return


def _count(loader_class: type, source: str, name: str) -> None:
    depth = nodes = 0
    loader = loader_class(source)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise _shape_error(name, event, f"more than {MAX_NODES:,} values and blocks")
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _shape_error(name, event, f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _shape_error(name: str, event: yaml.Event, problem: str) -> FrameworkError:
    mark = event.start_mark
    assert mark is not None  # the parser marks every event it emits
    return FrameworkError(
        [
            f"{name}: line {mark.line + 1}, column {mark.column + 1}: {problem}; a framework file "
            "needs far fewer"
        ]
    )


def parse_yaml(text: str | bytes, name: str) -> Any:
    """YAML text to plain data, refusing duplicate keys and aliases; FrameworkError if not YAML."""
    source = _decode(text, name)
    _check_shape(source, name)
    try:
        return _load(_FastLoader, source)
    except yaml.YAMLError:
        pass
    try:
        return _load(_PyLoader, source)  # normally fails again, with the clearer message
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(top level)"
        problem = exc.problem or "not valid YAML"
        if problem.startswith(("duplicate key", "anchors and aliases", _UNREADABLE)):
            raise FrameworkError([f"{name}: {where}: {problem}"]) from None
        raise FrameworkError([f"{name}: {where}: not valid YAML ({problem})"]) from None
    except yaml.YAMLError as exc:  # e.g. a reader error: a control character in the text
        position = getattr(exc, "position", None)
        where = (
            f"line {source.count(chr(10), 0, position) + 1}"
            if isinstance(position, int)
            else "(top level)"
        )
        reason = getattr(exc, "reason", None) or "not valid YAML"
        raise FrameworkError([f"{name}: {where}: not valid YAML ({reason})"]) from None


def load_text(text: str | bytes, name: str) -> Framework:
    return parse_framework(parse_yaml(text, name), name)


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

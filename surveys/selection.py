"""Selection shortcuts: choose indicators by section, group, thread, whole framework or one by one.

Every shortcut expands to indicator ids in *framework order* (the order of `Framework.indicators`),
unioned and deduplicated, so the same choice always gives the same list however it was made.

Kinds of shortcut (`Shortcut.kind`):

- ``framework``: every indicator of the framework.
- ``group``: a level above sections (HMIE high-level question): all indicators of its sections.
- ``section``: an HMIE key area, a Derwent standard group, a CSIT collaborative-working section.
- ``thread``: a red thread (`Framework.threads`): the indicators in its `links`.

Indicators chosen one by one are passed as ``indicators``. Unknown ids raise `SelectionError`,
naming every unknown id of every kind at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from frameworks.schema import Framework

KINDS = ("framework", "group", "section", "thread", "indicator")


class SelectionError(ValueError):
    """A selection that cannot be used; the message is plain English and names the bad ids.

    `unknown` maps a kind ("section", "indicator", "audience", ...) to the unknown ids, sorted.
    """

    def __init__(self, message: str, unknown: dict[str, tuple[str, ...]] | None = None):
        super().__init__(message)
        self.unknown: dict[str, tuple[str, ...]] = dict(unknown or {})


def unknown_message(unknown: Mapping[str, Iterable[str]]) -> str:
    """Message such as "Unknown section: 'x'; unknown indicators: '9.9', 'y'." from {kind: ids}."""
    parts = []
    for kind, ids in unknown.items():
        ids = sorted(set(ids))
        if not ids:
            continue
        noun = kind if len(ids) == 1 else f"{kind}s"
        parts.append(f"unknown {noun}: {', '.join(repr(i) for i in ids)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


def raise_unknown(unknown: Mapping[str, Iterable[str]]) -> None:
    """Raise one `SelectionError` naming every unknown id, if there are any."""
    cleaned = {kind: tuple(sorted(set(ids))) for kind, ids in unknown.items()}
    cleaned = {kind: ids for kind, ids in cleaned.items() if ids}
    if cleaned:
        raise SelectionError(unknown_message(cleaned), cleaned)


@dataclass(frozen=True, slots=True)
class Shortcut:
    """One way to choose several indicators at once, for the round set-up page."""

    kind: str  # "framework", "group", "section" or "thread"
    id: str  # the framework id for kind "framework"
    label: str
    count: int  # number of indicators it selects
    indicator_ids: tuple[str, ...]  # framework order

    @property
    def token(self) -> str:
        """Form value, e.g. "section:ka2"; `expand_tokens` reads it back."""
        return f"{self.kind}:{self.id}"


def in_framework_order(framework: Framework, ids: Iterable[str]) -> list[str]:
    """Known ids from `ids`, deduplicated, in the order of `framework.indicators`."""
    wanted = set(ids)
    return [ind.id for ind in framework.indicators if ind.id in wanted]


def _section_indicators(framework: Framework, section_ids: set[str]) -> set[str]:
    return {ind.id for ind in framework.indicators if ind.section in section_ids}


def _group_sections(framework: Framework, group_id: str) -> set[str]:
    return {sec.id for sec in framework.sections if sec.group == group_id}


def expand(
    framework: Framework,
    *,
    sections: Iterable[str] = (),
    groups: Iterable[str] = (),
    threads: Iterable[str] = (),
    indicators: Iterable[str] = (),
    all_: bool = False,
) -> list[str]:
    """Union of the chosen shortcuts as indicator ids in framework order, without duplicates.

    Raises `SelectionError` naming every unknown section, group, thread or indicator id.
    An empty choice gives an empty list (the caller decides whether that is allowed).
    """
    sections, groups, threads, indicators = (
        list(sections),
        list(groups),
        list(threads),
        list(indicators),
    )
    known_sections = {s.id for s in framework.sections}
    known_groups = {g.id for g in framework.groups}
    thread_links = {t.id: t.links for t in framework.threads}
    known_indicators = {i.id for i in framework.indicators}
    raise_unknown(
        {
            "group": [g for g in groups if g not in known_groups],
            "section": [s for s in sections if s not in known_sections],
            "thread": [t for t in threads if t not in thread_links],
            "indicator": [i for i in indicators if i not in known_indicators],
        }
    )
    if all_:
        return [ind.id for ind in framework.indicators]
    chosen: set[str] = set(indicators)
    chosen |= _section_indicators(framework, set(sections))
    for group_id in groups:
        chosen |= _section_indicators(framework, _group_sections(framework, group_id))
    for thread_id in threads:
        chosen |= set(thread_links[thread_id])
    return in_framework_order(framework, chosen)


def shortcuts(framework: Framework) -> list[Shortcut]:
    """The shortcuts a framework offers, for the UI: whole framework, then groups, sections and
    threads, each in framework order. Groups and sections that select no indicator are left out."""
    out = [
        Shortcut(
            "framework",
            framework.id,
            f"The whole framework: {framework.short_title or framework.title}",
            len(framework.indicators),
            tuple(ind.id for ind in framework.indicators),
        )
    ]
    for group in framework.groups:
        ids = expand(framework, groups=[group.id])
        if ids:
            out.append(Shortcut("group", group.id, group.title, len(ids), tuple(ids)))
    for section in framework.sections:
        ids = expand(framework, sections=[section.id])
        if ids:
            out.append(Shortcut("section", section.id, section.title, len(ids), tuple(ids)))
    for thread in framework.threads:
        ids = expand(framework, threads=[thread.id])
        out.append(Shortcut("thread", thread.id, thread.title, len(ids), tuple(ids)))
    return out


def expand_tokens(framework: Framework, tokens: Iterable[str]) -> list[str]:
    """Expand form values such as "section:ka2", "thread:t1", "indicator:2.1", "framework:<id>".

    Unknown kinds or ids raise `SelectionError`. The part after the first ":" is the id, so ids
    may themselves contain ":".
    """
    by_kind: dict[str, list[str]] = {kind: [] for kind in KINDS}
    bad_tokens: list[str] = []
    for token in tokens:
        kind, sep, ident = token.partition(":")
        if not sep or kind not in by_kind:
            bad_tokens.append(token)
        else:
            by_kind[kind].append(ident)
    wrong_framework = [i for i in by_kind["framework"] if i != framework.id]
    raise_unknown({"choice": bad_tokens, "framework": wrong_framework})
    return expand(
        framework,
        sections=by_kind["section"],
        groups=by_kind["group"],
        threads=by_kind["thread"],
        indicators=by_kind["indicator"],
        all_=bool(by_kind["framework"]),
    )

"""Rules every built-in framework's item bank keeps (DESIGN.md sections 4 and 5).

Parametrised over the YAML files in frameworks/ at collection time, so each file is its own test
id and a new framework file is checked without editing this module.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from frameworks import Framework, builtin_frameworks, load_file
from frameworks.loader import FRAMEWORK_DIR

PATHS = sorted(FRAMEWORK_DIR.glob("*.yaml"))
MAX_WORDS = 20
MAX_WORDS_CHILDREN = 12
# Sentence-ending punctuation followed by more text means more than one sentence.
INNER_SENTENCE_END = re.compile(r"[.?!]\s")

by_file = pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])


def _items(framework: Framework):
    for ind in framework.indicators:
        for audience, items in ind.items.items():
            for k, item in enumerate(items):
                yield f"{ind.id} {audience}[{k}]", audience, item


def _raw_statements(path: Path):
    """Statements as written in the file, before the schema normalises whitespace."""
    data: Any = yaml.safe_load(path.read_bytes())
    for n, ind in enumerate(data.get("indicators") or []):
        for audience, items in (ind.get("items") or {}).items():
            for k, item in enumerate(items or []):
                raw = item.get("statement") if isinstance(item, dict) else item
                yield f"indicators[{n}].items.{audience}[{k}]", raw


def test_there_are_builtin_frameworks() -> None:
    assert PATHS, f"no framework files in {FRAMEWORK_DIR}"


@by_file
def test_file_loads_and_has_an_item_bank(path: Path) -> None:
    framework = load_file(path)
    assert framework.item_count() > 0, f"{path.name} has no items"


@by_file
def test_statements_are_one_sentence_ending_in_a_full_stop(path: Path) -> None:
    bad = []
    for where, _audience, item in _items(load_file(path)):
        s = item.statement
        body = s[:-1]
        if not s.endswith(".") or body.endswith((".", "?", "!")) or INNER_SENTENCE_END.search(s):
            bad.append(f"{where}: {s!r}")
    assert not bad, "\n".join(bad)


@by_file
def test_statements_are_short(path: Path) -> None:
    bad = []
    for where, audience, item in _items(load_file(path)):
        limit = MAX_WORDS_CHILDREN if audience == "children" else MAX_WORDS
        words = len(item.statement.split())
        if words > limit:
            bad.append(f"{where}: {words} words (limit {limit}): {item.statement!r}")
    assert not bad, "\n".join(bad)


@by_file
def test_statements_never_say_and_or(path: Path) -> None:
    bad = [
        f"{where}: {item.statement!r}"
        for where, _audience, item in _items(load_file(path))
        if " and/or " in item.statement.lower()
    ]
    assert not bad, "\n".join(bad)


@by_file
def test_statements_have_no_surrounding_whitespace_in_the_file(path: Path) -> None:
    # The schema collapses whitespace on load, so check the text as written (e.g. a folded
    # `>` block leaves a trailing newline that the author did not mean).
    bad = [
        f"{where}: {raw!r}"
        for where, raw in _raw_statements(path)
        if not isinstance(raw, str) or raw != raw.strip()
    ]
    assert not bad, "\n".join(bad)


@by_file
def test_item_audiences_are_known(path: Path) -> None:
    framework = load_file(path)
    known = set(framework.audience_ids)
    bad = [where for where, audience, _item in _items(framework) if audience not in known]
    assert not bad, bad


@by_file
def test_no_audience_is_listed_without_items(path: Path) -> None:
    # Audiences that cannot judge an indicator are left out, not given an empty list.
    framework = load_file(path)
    bad = [
        f"{ind.id} {audience}"
        for ind in framework.indicators
        for audience, items in ind.items.items()
        if not items
    ]
    assert not bad, bad


@by_file
def test_no_statement_repeats_within_an_audience(path: Path) -> None:
    # One audience's questionnaire would otherwise ask the same thing twice.
    framework = load_file(path)
    counts = Counter((audience, item.statement.lower()) for _w, audience, item in _items(framework))
    repeated = sorted(f"{audience}: {s!r}" for (audience, s), n in counts.items() if n > 1)
    assert not repeated, "\n".join(repeated)


@by_file
def test_faces_scale_is_only_for_children(path: Path) -> None:
    bad = [
        where
        for where, audience, item in _items(load_file(path))
        if item.scale == "faces3" and audience != "children"
    ]
    assert not bad, bad


@by_file
def test_item_themes_belong_to_their_indicator(path: Path) -> None:
    framework = load_file(path)
    for ind in framework.indicators:
        themes = {t.id for t in ind.themes}
        for items in ind.items.values():
            for item in items:
                assert item.theme is None or item.theme in themes, (ind.id, item.theme)


def test_builtin_frameworks_are_the_files_in_the_folder() -> None:
    loaded = builtin_frameworks.__wrapped__()
    assert sorted(loaded) == sorted(load_file(p).id for p in PATHS)
    assert all(isinstance(f, Framework) for f in loaded.values())


def test_builtin_frameworks_are_cached() -> None:
    first = builtin_frameworks()
    assert builtin_frameworks() is first
    fresh = builtin_frameworks.__wrapped__()
    assert fresh is not first
    assert fresh == first

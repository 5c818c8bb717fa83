"""Selection shortcuts (surveys/selection.py) against a small inline framework."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frameworks import builtin_frameworks, load_text
from surveys.selection import SelectionError, Shortcut, expand, expand_tokens, shortcuts

FRAMEWORK_YAML = """
id: sel-fw
title: Selection test framework
short_title: Sel
source: {document: inline, title: Written for the tests}
rating_scale:
  id: ae
  title: a to e
  levels: [{code: e, label: e}, {code: c, label: c}, {code: a, label: a}]
  good_from: e
groups:
  - {id: g1, title: Outcomes}
  - {id: g2, title: Delivery}
  - {id: g3, title: Nothing here yet}
sections:
  - {id: s1, title: Impact, group: g1}
  - {id: s2, title: Working together, group: g2}
  - {id: s3, title: Leadership, group: g2}
  - {id: s4, title: Empty section}
indicators:
  - {id: "1.1", title: One one, section: s1}
  - {id: "2.1", title: Two one, section: s2}
  - {id: "1.2", title: One two, section: s1}
  - {id: "2.2", title: Two two, section: s2}
  - {id: "3.1", title: Three one, section: s3}
  - {id: "3.2", title: Three two, section: s3}
threads:
  - {id: t1, title: Listening, links: ["3.1", "1.2"]}
  - {id: t2, title: Sharing, links: ["2.2"]}
"""

FW = load_text(FRAMEWORK_YAML, "inline.yaml")
ORDER = ["1.1", "2.1", "1.2", "2.2", "3.1", "3.2"]  # framework order = order in the file


def test_each_kind_of_shortcut():
    assert expand(FW, sections=["s1"]) == ["1.1", "1.2"]
    assert expand(FW, sections=["s3", "s2"]) == ["2.1", "2.2", "3.1", "3.2"]
    assert expand(FW, groups=["g2"]) == ["2.1", "2.2", "3.1", "3.2"]
    assert expand(FW, groups=["g3"]) == []
    assert expand(FW, sections=["s4"]) == []
    assert expand(FW, threads=["t1"]) == ["1.2", "3.1"]  # framework order, not link order
    assert expand(FW, indicators=["3.1", "1.1", "3.1"]) == ["1.1", "3.1"]
    assert expand(FW, all_=True) == ORDER
    assert expand(FW) == []


def test_combinations_are_unioned_deduplicated_and_in_framework_order():
    assert expand(FW, sections=["s3"], threads=["t1", "t2"], indicators=["1.2", "2.2"]) == [
        "1.2",
        "2.2",
        "3.1",
        "3.2",
    ]
    assert expand(FW, groups=["g1"], sections=["s1"], indicators=["1.1"]) == ["1.1", "1.2"]
    assert expand(FW, all_=True, sections=["s1"], indicators=["3.2"]) == ORDER


@given(
    sections=st.lists(st.sampled_from(["s1", "s2", "s3", "s4"])),
    groups=st.lists(st.sampled_from(["g1", "g2", "g3"])),
    threads=st.lists(st.sampled_from(["t1", "t2"])),
    indicators=st.lists(st.sampled_from(ORDER)),
)
def test_result_is_the_union_in_framework_order_whatever_the_input_order(
    sections, groups, threads, indicators
):
    result = expand(FW, sections=sections, groups=groups, threads=threads, indicators=indicators)
    assert result == sorted(set(result), key=ORDER.index)
    expected = set(indicators)
    for s in sections:
        expected |= set(expand(FW, sections=[s]))
    for g in groups:
        expected |= set(expand(FW, groups=[g]))
    for t in threads:
        expected |= set(expand(FW, threads=[t]))
    assert set(result) == expected
    reversed_result = expand(
        FW,
        sections=sections[::-1],
        groups=groups[::-1],
        threads=threads[::-1],
        indicators=indicators[::-1],
    )
    assert reversed_result == result


def test_unknown_ids_are_all_named():
    with pytest.raises(SelectionError) as info:
        expand(
            FW,
            sections=["s1", "nope"],
            groups=["g9"],
            threads=["t9"],
            indicators=["1.1", "9.9", "8.8"],
        )
    message = str(info.value)
    for name in ("'nope'", "'g9'", "'t9'", "'9.9'", "'8.8'"):
        assert name in message
    assert "'s1'" not in message and "'1.1'" not in message
    assert "unknown indicators: '8.8', '9.9'" in message
    assert info.value.unknown == {
        "group": ("g9",),
        "section": ("nope",),
        "thread": ("t9",),
        "indicator": ("8.8", "9.9"),
    }
    assert isinstance(info.value, ValueError)


def test_shortcut_listing_for_the_ui():
    listing = shortcuts(FW)
    assert [(s.kind, s.id, s.label, s.count) for s in listing] == [
        ("framework", "sel-fw", "The whole framework: Sel", 6),
        ("group", "g1", "Outcomes", 2),
        ("group", "g2", "Delivery", 4),
        ("section", "s1", "Impact", 2),
        ("section", "s2", "Working together", 2),
        ("section", "s3", "Leadership", 2),
        ("thread", "t1", "Listening", 2),
        ("thread", "t2", "Sharing", 1),
    ]
    assert listing[-2].indicator_ids == ("1.2", "3.1")
    for shortcut in listing:
        assert isinstance(shortcut, Shortcut)
        assert shortcut.count == len(shortcut.indicator_ids)
        assert expand_tokens(FW, [shortcut.token]) == list(shortcut.indicator_ids)


def test_expand_tokens_from_a_form():
    assert expand_tokens(FW, ["thread:t2", "indicator:1.1", "section:s3"]) == [
        "1.1",
        "2.2",
        "3.1",
        "3.2",
    ]
    assert expand_tokens(FW, ["framework:sel-fw"]) == ORDER
    assert expand_tokens(FW, []) == []
    with pytest.raises(SelectionError, match="'bogus'"):
        expand_tokens(FW, ["bogus", "section:s1"])
    with pytest.raises(SelectionError, match="'other-fw'"):
        expand_tokens(FW, ["framework:other-fw"])
    with pytest.raises(SelectionError, match="'s9'"):
        expand_tokens(FW, ["section:s9"])


def test_builtin_frameworks_shortcuts_expand_consistently():
    frameworks = builtin_frameworks()
    assert frameworks, "the built-in framework files are missing"
    for framework in frameworks.values():
        listing = shortcuts(framework)
        assert listing[0].kind == "framework"
        assert listing[0].count == len(framework.indicators)
        order = [ind.id for ind in framework.indicators]
        for shortcut in listing:
            assert list(shortcut.indicator_ids) == sorted(shortcut.indicator_ids, key=order.index)
            assert shortcut.count >= 1
        sections = [s for s in listing if s.kind == "section"]
        covered = sorted({i for s in sections for i in s.indicator_ids}, key=order.index)
        assert covered == order  # every indicator belongs to a listed section


def test_hmie_group_covers_its_key_areas():
    frameworks = builtin_frameworks()
    hmie = frameworks["hmie-children-services"]
    assert hmie.groups, "HMIE high-level questions are groups"
    for group in hmie.groups:
        sections = [s.id for s in hmie.sections if s.group == group.id]
        assert expand(hmie, groups=[group.id]) == expand(hmie, sections=sections)
    assert "2.1" in expand(hmie, indicators=["2.1"])

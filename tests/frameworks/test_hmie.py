"""The HMIE children's services framework (shared/seeds/003_8f57d5a13419abab.txt) as encoded in
frameworks/hmie-children-services.yaml: structure, scale, themes, links and the item bank rules.

Line numbers in comments refer to the seed file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frameworks import get_builtin, load_file
from frameworks.schema import Framework

PATH = Path(__file__).resolve().parents[2] / "frameworks" / "hmie-children-services.yaml"

# Line 426-501 (Part 2.5 tables), in the guide's order.
INDICATOR_IDS = [
    "1.1", "1.2",
    "2.1", "2.2",
    "3.1",
    "4.1", "4.2",
    "5.1", "5.2", "5.3",
    "6.1", "6.2", "6.3",
    "7.1", "7.2", "7.3",
    "8.1", "8.2", "8.3", "8.4",
    "9.1", "9.2", "9.3", "9.4",
]  # fmt: skip

# The indicators whose second theme is "what the stakeholders report" (footnote 11, line 440),
# with the audiences who must answer items bound to that theme.
STAKEHOLDER_REPORT = {
    "2.1": {"children", "parents"},
    "2.2": {"parents"},
    "3.1": {"staff"},
    "4.1": {"community"},
}


@pytest.fixture(scope="module")
def hmie() -> Framework:
    return load_file(PATH)


def _statements(fw: Framework):
    for ind in fw.indicators:
        for audience, items in ind.items.items():
            for item in items:
                yield ind.id, audience, item


# -- structure ----------------------------------------------------------------------------------


def test_builtin_is_the_same_file(hmie: Framework) -> None:
    assert get_builtin("hmie-children-services") == hmie


def test_identity_and_source(hmie: Framework) -> None:
    assert hmie.id == "hmie-children-services"
    assert hmie.title.startswith("A guide to evaluating services for children and young people")
    assert hmie.short_title
    assert hmie.description
    assert hmie.source.document == "003_8f57d5a13419abab.txt"
    assert "HMIE" in hmie.source.title
    assert "Part 2.5" in hmie.source.section


def test_six_high_level_questions(hmie: Framework) -> None:
    # Part 1.3, lines 125-130.
    assert [g.title for g in hmie.groups] == [
        "What key outcomes have we achieved?",
        "How well do we meet the needs of our stakeholders?",
        "How good is our delivery of services for children and young people?",
        "How good is our management?",
        "How good is our leadership?",
        "What is our capacity for improvement?",
    ]


def test_ten_key_areas_under_their_questions(hmie: Framework) -> None:
    assert [s.id for s in hmie.sections] == [str(n) for n in range(1, 11)]
    groups = [g.id for g in hmie.groups]
    # Part 2.2: question 2 has key areas 2-4, question 4 (management) has key areas 6-8.
    expected_question = [1, 2, 2, 2, 3, 4, 4, 4, 5, 6]
    assert [groups.index(s.group) + 1 for s in hmie.sections] == expected_question
    assert hmie.section("5").title == "Delivery of services for children and young people"
    assert hmie.section("9").title == "Leadership and direction"
    assert hmie.section("10").title == "Capacity for improvement"


def test_key_area_10_components_and_no_indicators(hmie: Framework) -> None:
    # Lines 509-511.
    assert hmie.section("10").components == [
        "improvements to key outcomes and to impacts on stakeholders",
        "effectiveness of leadership and management",
        "effectiveness of quality improvement arrangements, and the capacity of partner "
        "organisations to continue improving",
    ]
    assert hmie.indicators_in("10") == []
    assert all(not s.components for s in hmie.sections if s.id != "10")


def test_twenty_four_indicators_in_order(hmie: Framework) -> None:
    assert len(hmie.indicators) == 24
    assert [i.id for i in hmie.indicators] == INDICATOR_IDS
    for ind in hmie.indicators:
        assert ind.section == ind.id.split(".")[0], ind.id
        assert ind.summary, ind.id
    assert hmie.indicator("6.2").title == (
        "Participation of children, young people, their families and others"
    )
    assert hmie.indicator("7.3").title == "Training, development and support of staff"


# -- themes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "count"),
    [
        ("1.1", 3),  # line 430
        ("1.2", 1),  # line 431
        ("2.1", 2),  # line 437 (footnote 11, line 440: two themes)
        ("2.2", 2),  # line 438
        ("3.1", 2),  # line 446
        ("4.1", 2),  # lines 453-456
        ("4.2", 1),  # line 459: one theme with three sub-points
        ("5.2", 4),  # line 466
        ("6.3", 5),  # line 475
        ("7.1", 5),  # line 481
        ("8.2", 5),  # line 490
        ("8.4", 4),  # line 492
        ("9.2", 2),  # line 499
    ],
)
def test_theme_counts_match_the_guide(hmie: Framework, indicator: str, count: int) -> None:
    assert len(hmie.indicator(indicator).themes) == count


def test_total_themes(hmie: Framework) -> None:
    # Hand count of lines 430-501: 3+1+2+2+2+2+1+2+4+4+3+3+5+5+4+4+3+5+4+4+3+2+2+2.
    assert sum(len(i.themes) for i in hmie.indicators) == 72


def test_theme_wording(hmie: Framework) -> None:
    # Line 473 (also the worked example at line 420).
    assert [t.title for t in hmie.indicator("6.1").themes] == [
        "Range and appropriateness of policies for integrated service delivery",
        "Coherence of policies",
        "Formulating, disseminating, evaluating and updating policies",
    ]
    # Line 499.
    assert [t.title for t in hmie.indicator("9.2").themes] == [
        "Shared leadership of services",
        "Strategic planning and communication",
    ]
    # Line 482 (Part 2.5 wording, "decision making" without the hyphen used in Part 5).
    assert hmie.indicator("7.2").themes[-1].title == (
        "Communication and involvement in decision making"
    )
    # Line 456: the sub-points of 4.1's report theme are kept.
    report = hmie.indicator("4.1").themes[1].title
    for point in ("communities are safer", "nuisance and harm is reduced", "social inclusion"):
        assert point in report


def test_stakeholder_report_themes_only_on_the_four_impact_indicators(hmie: Framework) -> None:
    flagged = {
        ind.id: [t.id for t in ind.themes if t.stakeholder_report] for ind in hmie.indicators
    }
    assert {k for k, v in flagged.items() if v} == set(STAKEHOLDER_REPORT)
    for ind_id in STAKEHOLDER_REPORT:
        themes = hmie.indicator(ind_id).themes
        # Exactly one, and it is the second theme, which speaks of what people "report".
        assert flagged[ind_id] == [themes[1].id]
        assert "report" in themes[1].title
        assert "report" not in themes[0].title


def test_stakeholder_report_themes_have_items_for_their_audience(hmie: Framework) -> None:
    for ind_id, audiences in STAKEHOLDER_REPORT.items():
        ind = hmie.indicator(ind_id)
        report_theme = next(t.id for t in ind.themes if t.stakeholder_report)
        for audience in audiences:
            bound = [i for i in ind.items.get(audience, []) if i.theme == report_theme]
            assert bound, f"{ind_id}: no {audience} item on {report_theme}"
        # What the reporting audiences say about their own experience belongs to the report
        # theme; other audiences (e.g. staff describing children they work with) do not.
        for audience, items in ind.items.items():
            on_report = {i.theme == report_theme for i in items}
            assert on_report == {audience in audiences}, (ind_id, audience)


# -- scale, evidence, stakeholders, links, illustrations ------------------------------------------


def test_six_point_scale(hmie: Framework) -> None:
    scale = hmie.rating_scale
    assert scale.id == "six_point"
    assert [lv.code for lv in scale.levels] == ["6", "5", "4", "3", "2", "1"]
    assert [lv.label.lower() for lv in scale.levels] == [
        "excellent", "very good", "good", "adequate", "weak", "unsatisfactory",
    ]  # fmt: skip
    # Part 5.1, lines 716-721.
    descriptors = {lv.code: lv.descriptor.lower() for lv in scale.levels}
    assert descriptors["5"] == "major strengths"
    assert descriptors["3"] == "strengths just outweigh weaknesses"
    assert descriptors["1"] == "major weaknesses"
    assert scale.good_from == "4"
    assert scale.is_good_or_better("4")
    assert not scale.is_good_or_better("3")


def test_four_sources_of_evidence(hmie: Framework) -> None:
    # Part 3.6, lines 613-616.
    titles = [e.title.lower() for e in hmie.evidence_sources]
    assert len(titles) == 4
    assert titles[0] == "performance data"
    assert "documentation" in titles[1]
    assert "views" in titles[2]
    assert "observation" in titles[3]
    assert all(e.description for e in hmie.evidence_sources)


def test_stakeholder_groups_of_part_3_6(hmie: Framework) -> None:
    # Lines 626-635: ten groups.
    groups = hmie.stakeholder_groups
    assert len(groups) == 10
    assert groups[0] == "children and young people"
    assert "staff from external partner agencies" in groups
    assert groups[-1] == "trade unions and professional associations"


def test_links_are_the_guides_evidence_reuse_statements(hmie: Framework) -> None:
    links = {ind.id: ind.links for ind in hmie.indicators if ind.links}
    assert links == {
        "1.1": ["5.1", "5.2", "5.3"],  # line 600: useful evidence for key area 5
        "1.2": ["5.1", "5.2", "5.3"],  # line 600
        "2.1": ["5.1", "6.2", "8.1"],  # lines 684 (5.1, 6.2) and 609 (8.1)
        "2.2": ["5.1", "6.2", "8.1"],  # lines 684 and 609
    }


def test_illustrations_for_key_areas_2_to_9_only(hmie: Framework) -> None:
    for ind in hmie.indicators:
        if ind.section in {"1", "10"}:
            # Footnote 14, line 737: key areas 1 and 10 have no illustrations.
            assert ind.illustrations is None, ind.id
            continue
        assert ind.illustrations is not None, ind.id
        for text in (ind.illustrations.level_5, ind.illustrations.level_2):
            sentences = [s for s in re.split(r"(?<=\.)\s+", text) if s]
            assert 2 <= len(sentences) <= 3, (ind.id, text)
        assert ind.illustrations.level_5 != ind.illustrations.level_2


# -- item bank ------------------------------------------------------------------------------------

# Indicators that staff, partners or families see in practice, with the audiences that must have
# items (at least two statements each).
REQUIRED = {
    "2.1": {"children", "parents"},
    "2.2": {"parents"},
    "3.1": {"staff"},
    "4.1": {"community"},
    "5.1": {"staff", "partners", "parents", "children"},
    "5.2": {"staff", "partners", "parents", "children"},
    "5.3": {"staff", "partners", "parents"},
    "6.2": {"staff", "parents", "children", "community"},
    "6.3": {"staff", "partners"},
    "7.1": {"staff"},
    "7.2": {"staff", "partners"},
    "7.3": {"staff"},
    "8.1": {"staff", "partners"},
    "8.4": {"staff", "partners"},
    "9.1": {"staff"},
    "9.2": {"staff", "partners"},
    "9.3": {"staff"},
    "9.4": {"staff", "partners"},
}

# Audiences that cannot judge an indicator and must get no item on it.
CANNOT_JUDGE = {
    "children": [
        "1.1", "1.2", "3.1", "4.1", "4.2", "6.1", "6.3",
        "7.1", "7.2", "7.3", "8.1", "8.2", "8.4", "9.2", "9.3", "9.4",
    ],
    "community": ["1.2", "3.1", "6.1", "6.3", "7.1", "7.2", "7.3", "8.2", "8.4", "9.3"],
    "parents": ["1.2", "3.1", "6.3", "7.1", "7.2", "7.3", "8.2", "9.2", "9.3"],
    "staff": ["4.1"],
}  # fmt: skip


def test_required_indicators_have_items_for_their_audiences(hmie: Framework) -> None:
    for ind_id, audiences in REQUIRED.items():
        items = hmie.indicator(ind_id).items
        for audience in audiences:
            assert len(items.get(audience, [])) >= 2, f"{ind_id}: too few {audience} items"


def test_audiences_that_cannot_judge_get_no_items(hmie: Framework) -> None:
    for audience, indicators in CANNOT_JUDGE.items():
        for ind_id in indicators:
            assert audience not in hmie.indicator(ind_id).items, (ind_id, audience)


def test_item_counts(hmie: Framework) -> None:
    per_audience: dict[str, int] = {}
    for ind in hmie.indicators:
        for audience, items in ind.items.items():
            assert audience in hmie.audience_ids, (ind.id, audience)
            assert 1 <= len(items) <= 4, (ind.id, audience, len(items))
            per_audience[audience] = per_audience.get(audience, 0) + len(items)
    assert "service_users" not in per_audience
    assert sum(per_audience.values()) == hmie.item_count()
    assert per_audience == {
        "staff": 68,
        "partners": 32,
        "parents": 25,
        "children": 14,
        "community": 8,
        # Part 3.6's stakeholders beyond the six (issue 22), asked what they see for themselves.
        "elected_members": 6,
        "board_members": 6,
        "trade_unions": 3,
    }


def test_the_guides_other_stakeholders_are_audiences_of_their_own(hmie: Framework) -> None:
    """Part 3.6: "elected members of councils and board members of organisations"; "trade
    unions and professional associations"; each with the plural its sentences use."""
    from surveys.questionnaire import audience_phrase

    assert [(a.id, a.label) for a in hmie.audiences] == [
        ("elected_members", "Elected members"),
        ("board_members", "Board members"),
        ("trade_unions", "Trade unions and professional associations"),
    ]
    assert audience_phrase(hmie, "elected_members") == "elected members"
    assert audience_phrase(hmie, "trade_unions") == (
        "trade union and professional association representatives"
    )
    for entry in (
        "elected members of councils and board members of organisations",
        "trade unions and professional associations",
    ):
        assert entry in hmie.stakeholder_groups


def test_every_item_is_bound_to_one_of_its_indicators_themes(hmie: Framework) -> None:
    for ind_id, audience, item in _statements(hmie):
        themes = {t.id for t in hmie.indicator(ind_id).themes}
        assert item.theme in themes, (ind_id, audience, item.statement)


def test_items_use_the_audience_default_scale(hmie: Framework) -> None:
    assert all(item.scale is None for _, _, item in _statements(hmie))


def test_statements_are_unique(hmie: Framework) -> None:
    statements = [item.statement.lower() for _, _, item in _statements(hmie)]
    assert len(statements) == len(set(statements))


JARGON = re.compile(
    r"multi-?agency|multi-?disciplinary|inter-?agency|stakeholder|outcome|integrat|strategic"
    r"|holistic|best value|quality assurance|deploy|remit|partnership|provision|capacity|impact"
    r"|\b(?:CPD|PRD|ICT|MIS)\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|we|us|our)\b", re.IGNORECASE)


def test_statement_style(hmie: Framework) -> None:
    problems = []
    for ind_id, audience, item in _statements(hmie):
        s = item.statement
        words = s.split()
        limit = 12 if audience == "children" else 20
        checks = {
            "not one sentence ending in a full stop": s.endswith(".")
            and s.count(".") == 1
            and not re.search(r"[?!;:]", s),
            "does not start with a capital": s[0].isupper(),
            f"more than {limit} words": len(words) <= limit,
            "contains and/or": " and/or " not in s,
            # One idea per statement: no "X and Y" or "X or Y" pairs at all.
            "double-barrelled": not re.search(r"\b(?:and|or)\b|/", s, re.IGNORECASE),
            "jargon": not JARGON.search(s),
            "not first person": bool(FIRST_PERSON.search(s)),
        }
        problems += [(ind_id, audience, s, what) for what, ok in checks.items() if not ok]
    assert problems == []


def test_children_statements_are_short_and_concrete(hmie: Framework) -> None:
    children = [item.statement for ind in hmie.indicators for item in ind.items.get("children", [])]
    assert "Adults here listen to me." in children
    assert all(len(s.split()) <= 12 for s in children)
    assert not any(re.search(r"\b(?:services?|organisations?|agenc)", s, re.I) for s in children)

"""Questionnaire generation (surveys/questionnaire.py) against a small inline framework.

The built-in framework files are checked at the end, when present.
"""

from __future__ import annotations

import dataclasses
import json
import random

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from frameworks import STANDARD_AUDIENCES, builtin_frameworks, load_text
from surveys import questionnaire as qmod
from surveys.questionnaire import (
    CHILDREN_BANDS,
    FREE_TEXT_MAX_CHARS,
    FREE_TEXT_PROMPTS,
    PREFER_NOT_TO_SAY,
    ROLE_QUESTIONS,
    SECONDS_INTRO,
    SECONDS_PER_FREE_TEXT_PAIR,
    SECONDS_PER_ITEM,
    SECONDS_ROLE_QUESTION,
    TOO_LONG_MINUTES,
    GenerationResult,
    Questionnaire,
    RoleQuestion,
    SelectionError,
    audience_phrase,
    band_of,
    build_questionnaires,
    estimate_seconds,
    estimated_minutes,
    intro_text,
    is_children,
    is_too_long,
    round_audiences,
    scale_for,
)
from surveys.scales import SCALES

FRAMEWORK_YAML = """
id: test-fw
title: A test framework
short_title: Test
source: {document: inline, title: Written for the tests}
rating_scale:
  id: three
  title: Three levels
  levels: [{code: good, label: Good}, {code: ok, label: OK}, {code: poor, label: Poor}]
  good_from: good
audiences:
  - {id: elected_members, label: Elected members}
groups:
  - {id: g1, title: "What have we achieved?"}
  - {id: g2, title: "How well do we deliver?"}
sections:
  - {id: s1, title: Outcomes, group: g1}
  - {id: s2, title: Working together, group: g2}
  - {id: s3, title: Leadership, group: g2}
indicators:
  - id: "1.1"
    title: Children are safe
    section: s1
    themes: [{id: safe, title: Feeling safe}, {id: heard, title: Being heard}]
    items:
      staff:
        - {statement: "Children we work with are safe.", theme: safe}
        - "We listen to children."
      parents:
        - {statement: "My child feels safe.", theme: safe}
      children:
        - {statement: "I feel safe.", theme: safe, scale: faces3}
  - id: "2.1"
    title: Agencies share information
    section: s2
    themes: [{id: sharing, title: Sharing information}]
    items:
      partners:
        - {statement: "We share information with other agencies in good time.", scale: progress5}
        - {statement: "Other agencies tell us what we need to know.", theme: sharing}
      staff:
        - {statement: "I get the information I need from other agencies.", scale: faces3}
  - id: "1.2"
    title: Children are heard
    section: s1
    themes: [{id: voice, title: Voice}]
    items:
      staff:
        - "Children's views change what we do."
      children:
        - {statement: "People listen to me.", theme: voice, scale: agree4}
  - id: "2.2"
    title: Families are kept informed
    section: s2
    themes: [{id: informed, title: Kept informed}]
    items:
      parents:
        - {statement: "I am kept informed about my child's progress.", theme: informed}
        - "I know who to contact."
      partners:
        - "Families know what is happening."
  - id: "3.1"
    title: Leaders set a clear direction
    section: s3
    themes: [{id: direction, title: Direction}]
    items:
      staff:
        - {statement: "I know what our leaders want to achieve.", theme: direction}
      community:
        - "I know what services are trying to achieve."
      elected_members:
        - "I get clear reports on how services are doing."
  - id: "3.2"
    title: Plans are reviewed
    section: s3
    themes: [{id: review, title: Review}]
threads:
  - id: t1
    title: Listening to children
    links: ["1.2", "1.1"]
"""

FW = load_text(FRAMEWORK_YAML, "inline.yaml")
ALL_IDS = [ind.id for ind in FW.indicators]
ALL_AUDIENCES = FW.audience_ids


def build(ids=ALL_IDS, audiences=ALL_AUDIENCES, **kwargs) -> GenerationResult:
    """The tests written before age bands check a legacy round's one band ("under_12" unless
    they say); tests of the age bands pass `children_bands` of their own."""
    kwargs.setdefault("children_bands", ["under_12"])
    return build_questionnaires(FW, ids, audiences, **kwargs)


# Any choice a round can hold: one legacy band alone, or one or more age bands.
BAND_CHOICES = st.one_of(
    st.sampled_from([("under_12",), ("12_plus",)]),
    st.sets(st.sampled_from(CHILDREN_BANDS), min_size=1).map(tuple),
)


def bank_audience(audience: str) -> str:
    return "children" if is_children(audience) else audience


def bank(indicator_id: str, audience: str):
    return FW.indicator(indicator_id).items.get(audience, [])


# -- determinism and binding ----------------------------------------------------------------------


@given(
    ids=st.lists(st.sampled_from(ALL_IDS), min_size=1),
    audiences=st.lists(st.sampled_from(ALL_AUDIENCES), min_size=1),
    seed=st.integers(0, 2**16),
    free_text=st.booleans(),
    role=st.booleans(),
    bands=BAND_CHOICES,
)
def test_same_sets_give_equal_results_whatever_the_order(
    ids, audiences, seed, free_text, role, bands
):
    kwargs = {"free_text": free_text, "role_question": role, "children_bands": bands}
    first = build(ids, audiences, **kwargs)
    rng = random.Random(seed)
    shuffled_ids = sorted(set(ids), key=lambda _: rng.random())
    shuffled_audiences = sorted(set(audiences), key=lambda _: rng.random())
    second = build(shuffled_ids, shuffled_audiences, **kwargs)
    assert first == second
    assert list(first.questionnaires) == list(second.questionnaires)
    # Every chosen audience (children: each chosen band) is accounted for exactly once.
    assert set(first.questionnaires) | set(first.skipped) == set(round_audiences(audiences, bands))
    assert not set(first.questionnaires) & set(first.skipped)


@given(
    ids=st.sets(st.sampled_from(ALL_IDS), min_size=1),
    audiences=st.sets(st.sampled_from(ALL_AUDIENCES), min_size=1),
    bands=BAND_CHOICES,
)
def test_every_item_comes_from_the_bank_for_its_audience_and_a_chosen_indicator(
    ids, audiences, bands
):
    result = build(ids, audiences, children_bands=bands)
    for group, q in result.questionnaires.items():
        assert q.audience == group
        audience = bank_audience(group)  # every band asks the bank's children items
        keys = [item.key for item in q.items]
        assert len(keys) == len(set(keys))
        for item in q.items:
            assert item.indicator_id in ids
            indicator_id, key_audience, n = item.key.split("/")
            assert (indicator_id, key_audience) == (item.indicator_id, audience)
            spec = bank(item.indicator_id, audience)[int(n) - 1]
            shortest = band_of(group) == "under_8" and spec.easy_read
            assert item.statement == (spec.easy_read if shortest else spec.statement)
            assert item.theme_id == spec.theme
            if item.theme_id is not None:
                assert item.theme_id in {t.id for t in FW.indicator(item.indicator_id).themes}
            assert item.origin == "bank"
            assert item.scale_id in SCALES
        # Nothing in the bank for this audience and the selection is left out.
        expected = {
            f"{i}/{audience}/{n}" for i in ids for n in range(1, len(bank(i, audience)) + 1)
        }
        assert set(keys) == expected
    for group in result.skipped:
        assert all(not bank(i, bank_audience(group)) for i in ids)


def test_sections_indicators_and_items_follow_framework_and_bank_order():
    staff = build(audiences=["staff"]).questionnaires["staff"]
    assert [s.id for s in staff.sections] == ["s1", "s2", "s3"]
    assert [s.title for s in staff.sections] == ["Outcomes", "Working together", "Leadership"]
    # 1.2 is listed after 2.1 in the file but belongs to s1, which comes first.
    assert [item.key for item in staff.items] == [
        "1.1/staff/1",
        "1.1/staff/2",
        "1.2/staff/1",
        "2.1/staff/1",
        "3.1/staff/1",
    ]
    assert staff.indicator_ids == ("1.1", "1.2", "2.1", "3.1")
    assert staff.item("1.1/staff/2").statement == "We listen to children."
    assert staff.item("1.1/staff/1").theme_id == "safe"
    with pytest.raises(KeyError):
        staff.item("3.2/staff/1")
    assert staff.framework_id == "test-fw"
    assert staff.audience_label == "Staff"


def test_sections_without_items_for_the_audience_are_left_out():
    parents = build(audiences=["parents"]).questionnaires["parents"]
    assert [s.id for s in parents.sections] == ["s1", "s2"]
    assert [i.key for i in parents.items] == ["1.1/parents/1", "2.2/parents/1", "2.2/parents/2"]


# -- who is skipped -------------------------------------------------------------------------------


def test_audiences_that_cannot_judge_the_selection_are_skipped_with_a_reason():
    result = build(["1.2"], ["parents", "children", "elected_members"])
    assert list(result.questionnaires) == ["children"]
    assert result.skipped == {
        "parents": "None of the chosen indicators has questions that parents and carers can "
        "answer from experience.",
        "elected_members": "None of the chosen indicators has questions that elected members "
        "can answer from experience.",
    }


def test_an_indicator_nobody_can_judge_gives_no_questionnaire_at_all():
    result = build(["3.2"])
    assert result.questionnaires == {}
    assert list(result.skipped) == ALL_AUDIENCES
    assert "people who use the service" in result.skipped["service_users"]


# -- scales ---------------------------------------------------------------------------------------


def test_children_under_12_get_faces_on_an_easy_read_one_question_per_page_questionnaire():
    children = build(audiences=["children"]).questionnaires["children"]
    assert children.easy_read and children.one_question_per_page
    # Bank says faces3 for 1.1 and agree4 for 1.2: under 12 it is faces for everything.
    assert [(i.key, i.scale_id) for i in children.items] == [
        ("1.1/children/1", "faces3"),
        ("1.2/children/1", "faces3"),
    ]
    assert (
        children
        == build(audiences=["children"], children_bands=["under_12"]).questionnaires["children"]
    )


def test_children_12_plus_answer_agree4_and_are_not_easy_read():
    children = build(audiences=["children"], children_bands=["12_plus"]).questionnaires["children"]
    assert not children.easy_read and not children.one_question_per_page
    assert {i.scale_id for i in children.items} == {"agree4"}
    # Same statements and keys as the under-12 version; only the scale and presentation differ.
    under_12 = build(audiences=["children"]).questionnaires["children"]
    assert [(i.key, i.statement) for i in children.items] == [
        (i.key, i.statement) for i in under_12.items
    ]


def test_adults_answer_agree4_explicit_bank_scales_are_kept_but_never_faces():
    result = build(free_text=False)
    partners = result.questionnaires["partners"]
    assert [(i.key, i.scale_id) for i in partners.items] == [
        ("2.1/partners/1", "progress5"),
        ("2.1/partners/2", "agree4"),
        ("2.2/partners/1", "agree4"),
    ]
    # The bank says faces3 for this staff item: adults fall back to agree4.
    assert result.questionnaires["staff"].item("2.1/staff/1").scale_id == "agree4"
    for audience, q in result.questionnaires.items():
        if audience != "children":
            assert "faces3" not in q.scale_ids
            assert not q.easy_read and not q.one_question_per_page


@pytest.mark.parametrize(
    ("audience", "bank_scale", "band", "expected"),
    [
        ("staff", None, "under_12", "agree4"),
        ("staff", "faces3", "under_12", "agree4"),
        ("partners", "progress5", "under_12", "progress5"),
        ("parents", "agree4", "12_plus", "agree4"),
        ("children", None, "under_12", "faces3"),
        ("children", "agree4", "under_12", "faces3"),
        ("children", "progress5", "under_12", "faces3"),
        ("children", None, "12_plus", "agree4"),
        ("children", "faces3", "12_plus", "agree4"),
        ("elected_members", "faces3", "under_12", "agree4"),
    ],
)
def test_scale_for(audience, bank_scale, band, expected):
    assert scale_for(audience, bank_scale, band) == expected


# -- free text and role question ------------------------------------------------------------------


def test_free_text_is_off_by_default_and_on_for_every_section_when_asked():
    off = build(audiences=["staff"]).questionnaires["staff"]
    on = build(audiences=["staff"], free_text=True).questionnaires["staff"]
    assert not any(s.free_text for s in off.sections)
    assert all(s.free_text for s in on.sections)
    assert on.sections[0].free_text_keys() == ("s1/works_well", "s1/could_be_better")
    assert off.sections[0].free_text_keys() == ()
    assert [p.prompt for p in FREE_TEXT_PROMPTS] == ["What works well?", "What could be better?"]
    assert FREE_TEXT_MAX_CHARS == 1000


def test_role_question_is_off_by_default_and_group_level_when_asked():
    off = build()
    assert all(q.role_question is None for q in off.questionnaires.values())
    on = build(role_question=True).questionnaires
    assert on["staff"].role_question == ROLE_QUESTIONS["staff"]
    assert on["partners"].role_question == ROLE_QUESTIONS["partners"]
    assert on["parents"].role_question == ROLE_QUESTIONS["parents"]
    assert on["children"].role_question is None
    assert on["elected_members"].role_question is None
    partner_codes = [o.code for o in ROLE_QUESTIONS["partners"].options]
    assert partner_codes == [
        "health",
        "education",
        "social_work",
        "police",
        "voluntary",
        "other",
        "prefer_not_to_say",
    ]
    staff_codes = [o.code for o in ROLE_QUESTIONS["staff"].options]
    assert staff_codes == [
        "front_line",
        "manager",
        "senior_leader",
        "support",
        "prefer_not_to_say",
    ]
    assert "children" not in ROLE_QUESTIONS


def test_role_questions_never_ask_for_a_name_or_free_text():
    # A role question is a prompt and a closed list of options: there is no field to type into.
    assert [f.name for f in dataclasses.fields(RoleQuestion)] == ["key", "prompt", "options"]
    for audience, question in ROLE_QUESTIONS.items():
        assert audience in STANDARD_AUDIENCES
        assert question.options[-1] == PREFER_NOT_TO_SAY
        codes = [o.code for o in question.options]
        assert len(codes) == len(set(codes))
        assert 3 <= len(question.options) <= 8
        for text in [question.prompt, *(o.label for o in question.options)]:
            assert "name" not in text.lower()
            assert "email" not in text.lower()


# -- estimated time -------------------------------------------------------------------------------


def test_estimated_time_arithmetic():
    assert estimate_seconds([]) == SECONDS_INTRO == 30
    assert SECONDS_PER_ITEM == {"agree4": 8, "faces3": 6, "progress5": 10}
    assert SECONDS_PER_FREE_TEXT_PAIR == 45 and SECONDS_ROLE_QUESTION == 10
    assert (
        estimate_seconds(
            ["agree4", "faces3", "progress5"], free_text_sections=2, role_question=True
        )
        == 30 + 8 + 6 + 10 + 2 * 45 + 10
    )
    assert estimated_minutes([]) == 1
    assert estimated_minutes(["faces3"] * 5) == 1  # exactly 60 s
    assert estimated_minutes(["agree4"] * 4) == 2  # 62 s rounds up
    assert estimated_minutes(["agree4"] * 71) == 10  # 598 s


def test_questionnaires_carry_their_estimate():
    plain = build().questionnaires
    assert plain["staff"].estimated_minutes == 2  # 30 + 5 * 8 = 70 s
    assert plain["partners"].estimated_minutes == 1  # 30 + 10 + 8 + 8 = 56 s
    assert plain["children"].estimated_minutes == 1  # 30 + 2 * 6 = 42 s
    full = build(free_text=True, role_question=True).questionnaires
    assert full["staff"].estimated_minutes == 4  # 70 + 3 * 45 + 10 = 215 s
    assert full["children"].estimated_minutes == 2  # 42 + 45 = 87 s, no role question
    assert "It takes about 4 minutes." in full["staff"].intro
    assert "It takes about 1 minute." in plain["partners"].intro


def _framework_with_staff_items(count: int):
    data = yaml.safe_load(FRAMEWORK_YAML)
    data["indicators"][-1]["items"] = {"staff": [f"Statement number {n}." for n in range(count)]}
    return load_text(yaml.safe_dump(data), "long.yaml")


def test_too_long_warning_above_ten_minutes():
    assert TOO_LONG_MINUTES == 10
    # 71 items: 30 + 568 = 598 s = 10 minutes, not too long; 72 items: 606 s = 11 minutes.
    ten = build_questionnaires(_framework_with_staff_items(71), ["3.2"], ["staff"])
    eleven = build_questionnaires(_framework_with_staff_items(72), ["3.2"], ["staff"])
    assert ten.questionnaires["staff"].estimated_minutes == 10
    assert not is_too_long(ten.questionnaires["staff"])
    assert eleven.questionnaires["staff"].estimated_minutes == 11
    assert is_too_long(eleven.questionnaires["staff"])
    assert not is_too_long(build().questionnaires["staff"])


# -- errors ---------------------------------------------------------------------------------------


def test_unknown_indicators_and_audiences_are_named():
    with pytest.raises(SelectionError) as info:
        build(["1.1", "9.9", "zz"], ["staff", "aliens"])
    message = str(info.value)
    assert "'9.9'" in message and "'zz'" in message and "'aliens'" in message
    assert "'1.1'" not in message and "'staff'" not in message
    assert info.value.unknown == {"indicator": ("9.9", "zz"), "audience": ("aliens",)}
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("ids", "audiences", "kwargs", "fragment"),
    [
        ([], ["staff"], {}, "at least one indicator"),
        (["1.1"], [], {}, "at least one audience"),
        (["1.1"], ["children"], {"children_bands": ["teens"]}, "'teens'"),
        (["1.1"], ["children"], {"children_bands": []}, "at least one age band"),
        (["1.1"], ["children"], {"children_bands": ["under_12", "under_8"]}, "combined"),
    ],
)
def test_empty_choices_and_unknown_bands_are_refused(ids, audiences, kwargs, fragment):
    with pytest.raises(SelectionError, match=fragment):
        build(ids, audiences, **kwargs)


# -- storage --------------------------------------------------------------------------------------


def test_round_trip_through_json():
    result = build(free_text=True, role_question=True, organisation="Anytown Council")
    assert list(result.skipped) == ["service_users"]  # no bank items for them in FW
    for q in result.questionnaires.values():
        stored = json.loads(json.dumps(q.to_dict()))
        assert stored == q.to_dict()
        assert Questionnaire.from_dict(stored) == q
    plain = build(["1.2"], ["children"]).questionnaires["children"]
    assert Questionnaire.from_dict(json.loads(json.dumps(plain.to_dict()))) == plain


def test_from_dict_refuses_what_is_not_a_stored_questionnaire():
    stored = build(audiences=["staff"]).questionnaires["staff"].to_dict()
    with pytest.raises(ValueError, match="version"):
        Questionnaire.from_dict({**stored, "version": 99})
    with pytest.raises(ValueError, match="not a stored questionnaire"):
        Questionnaire.from_dict({k: v for k, v in stored.items() if k != "sections"})
    bad_scale = json.loads(json.dumps(stored))
    bad_scale["sections"][0]["items"][0]["scale_id"] = "six_point"
    with pytest.raises(ValueError, match="six_point"):
        Questionnaire.from_dict(bad_scale)


def test_questionnaires_are_immutable():
    q = build(audiences=["staff"]).questionnaires["staff"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.intro = "changed"  # type: ignore[misc]
    assert isinstance(q.sections, tuple) and isinstance(q.sections[0].items, tuple)


# -- wording --------------------------------------------------------------------------------------


def test_intro_names_the_organisation_or_reads_we():
    q = build(audiences=["parents"], organisation="  Anytown   Council ").questionnaires["parents"]
    assert q.intro.startswith("Anytown Council would like to hear from parents and carers")
    assert "anonymous" in q.intro
    blank = build(audiences=["parents"]).questionnaires["parents"]
    assert blank.intro.startswith("We would like to hear")
    for text in (q.intro, blank.intro):
        assert "{" not in text and "}" not in text


def test_intros_differ_by_audience_and_easy_read_mentions_faces():
    result = build(organisation="Anytown Council").questionnaires
    openings = {audience: q.intro.split("\n")[0] for audience, q in result.items()}
    assert len(set(openings.values())) == len(openings)
    children = result["children"].intro
    assert "face" in children and "Nobody will know which answers are yours." in children
    older = build(audiences=["children"], children_bands=["12_plus"]).questionnaires["children"]
    assert "face" not in older.intro
    # Partners answer a..e and agree items, so their intro explains both.
    assert "a (not yet)" in result["partners"].intro
    assert "how far you agree" in result["partners"].intro
    assert "a (not yet)" not in result["staff"].intro
    only_levels = intro_text("partners", scale_ids=["progress5"])
    assert "a (not yet)" in only_levels and "agree" not in only_levels
    assert "Don't know" in only_levels


def test_wording_covers_every_standard_audience():
    for audience in STANDARD_AUDIENCES:
        assert audience_phrase(FW, audience) == qmod._AUDIENCE_PHRASES[audience]
        assert audience in qmod._INTROS
        assert intro_text(audience) != intro_text("elected_members")
    assert audience_phrase(FW, "elected_members") == "elected members"


# -- built-in frameworks ------------------------------------------------------------------------


def _builtin(framework_id: str):
    frameworks = builtin_frameworks()
    assert framework_id in frameworks, f"built-in framework {framework_id!r} is missing"
    return frameworks[framework_id]


def test_hmie_2_1_gives_parents_and_children_questionnaires_children_on_faces():
    hmie = _builtin("hmie-children-services")
    result = build_questionnaires(
        hmie, ["2.1"], ["parents", "children"], children_bands=["under_12"]
    )
    assert set(result.questionnaires) == {"parents", "children"}
    assert result.skipped == {}
    children = result.questionnaires["children"]
    assert children.easy_read
    assert children.items and {i.scale_id for i in children.items} == {"faces3"}
    assert {i.indicator_id for q in result.questionnaires.values() for i in q.items} == {"2.1"}


def test_every_builtin_framework_generates_for_every_audience():
    frameworks = builtin_frameworks()
    assert frameworks, "the built-in framework files are missing"
    for framework in frameworks.values():
        ids = [ind.id for ind in framework.indicators]
        result = build_questionnaires(
            framework, ids, framework.audience_ids, free_text=True, role_question=True
        )
        assert set(result.questionnaires) | set(result.skipped) == set(
            round_audiences(framework.audience_ids, CHILDREN_BANDS)
        )
        assert result.questionnaires, framework.id
        for group, q in result.questionnaires.items():
            for item in q.items:
                _, _, n = item.key.rpartition("/")
                spec = framework.indicator(item.indicator_id).items[bank_audience(group)]
                spec = spec[int(n) - 1]
                shortest = band_of(group) == "under_8" and spec.easy_read
                assert item.statement == (spec.easy_read if shortest else spec.statement)
            assert Questionnaire.from_dict(json.loads(json.dumps(q.to_dict()))) == q


# -- easy read for adults (issue 17) -----------------------------------------------------------


def test_service_users_in_easy_read_get_short_statements_one_per_page_with_faces() -> None:
    from frameworks.loader import builtin_frameworks

    fw = builtin_frameworks()["derwent-interagency"]
    chosen = [i.id for i in fw.indicators if i.items.get("service_users")]
    standard = build_questionnaires(fw, chosen, ["service_users", "staff"])
    easy = build_questionnaires(
        fw, chosen, ["service_users", "staff"], easy_read_audiences=["service_users", "staff"]
    )
    q, plain = easy.questionnaires["service_users"], standard.questionnaires["service_users"]
    assert q.easy_read and q.one_question_per_page and not plain.easy_read
    assert {i.scale_id for i in q.items} == {"faces3"} and {i.scale_id for i in plain.items} == {
        "agree4"
    }
    # Same items of the same indicators (bank keys), in easy-read words of at most 15.
    assert [i.key for i in q.items] == [i.key for i in plain.items]
    assert all(len(i.statement.split()) <= 15 for i in q.items)
    assert [i.statement for i in q.items] != [i.statement for i in plain.items]
    assert q.intro.startswith("We would like to know what you think.")
    # Staff are not an easy-read audience: asking for it changes nothing for them.
    assert easy.questionnaires["staff"] == standard.questionnaires["staff"]

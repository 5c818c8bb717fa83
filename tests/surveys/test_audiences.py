"""surveys.audiences and the launch refusals for a round's own audiences (issue 22)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frameworks.loader import get_builtin
from surveys import audiences as own
from surveys.audiences import AudienceError, CustomAudience, Statement
from surveys.launch_checks import custom_audience_refusals
from surveys.questionnaire import audience_phrase, build_questionnaires

HMIE = get_builtin("hmie-children-services")


def _audience(name: str = "Elected members", **kw: object) -> CustomAudience:
    values: dict[str, object] = {
        "id": own.new_id(name, HMIE.audience_ids),
        "name": name,
        "plural": own.lower_first(name),
        "scale": "agree4",
        "email": True,
        "open_link": True,
        "statements": {"8.2": (Statement("I see the budget."),)},
    }
    values.update(kw)
    return CustomAudience(**values)  # type: ignore[arg-type]


def test_ids_are_slugs_of_the_name_made_unique() -> None:
    assert own.new_id("Elected members", []) == "c-elected-members"
    assert own.new_id("Elected members", ["c-elected-members"]) == "c-elected-members-2"
    assert own.new_id("Élus / Councillors!", []) == "c-elus-councillors"
    assert own.new_id("???", []) == "c-audience"
    assert len(own.new_id("x" * 200, [])) <= own.ID_MAX


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(min_size=1, max_size=120), st.lists(st.text(max_size=40), max_size=5))
def test_an_id_is_always_usable_and_new(name: str, taken: list[str]) -> None:
    made = own.new_id(name, taken)
    assert made.startswith(own.PREFIX) and made not in taken and len(made) <= own.ID_MAX
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in made)


def test_dicts_round_trip() -> None:
    audience = _audience(resembles="parents")
    assert CustomAudience.from_dict(audience.to_dict()) == audience


def test_statements_kept_edited_and_new() -> None:
    bank = own.bank(HMIE, "parents", "2.2")
    assert bank and bank[0].origin == "bank"
    text = f"{bank[0].text}\nI am told in good time.\n\nI can speak to someone."
    read = own.read_statements(text, bank, bank)
    assert [s.origin for s in read] == ["bank", "edited", "edited"]
    assert read[1].bank_key == bank[1].bank_key
    assert [s.origin for s in own.read_statements("I am new.", (), bank)] == ["custom"]
    with pytest.raises(AudienceError):
        own.read_statements("\n".join(f"I say {n}." for n in range(11)), (), bank)
    with pytest.raises(AudienceError):
        own.read_statements("I " + "a" * 300, (), bank)


def test_the_framework_as_the_round_sees_it() -> None:
    audience = _audience(plural="councillors", scale="progress5")
    seen = own.extend(HMIE, [audience])
    assert audience.id in seen.audience_ids
    assert seen.audience_label(audience.id) == "Elected members"
    assert audience_phrase(seen, audience.id) == "councillors"
    (q,) = build_questionnaires(seen, ["8.2"], [audience.id]).questionnaires.values()
    assert [(i.statement, i.scale_id) for i in q.items] == [("I see the budget.", "progress5")]
    assert own.extend(HMIE, []) is HMIE


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "PARENTS AND CARERS"}, "name"),
        ({"name": "Helpers", "plural": "people in the community"}, "plural"),
        ({"scale": "faces3"}, "scale"),
        ({"email": False, "open_link": False}, "channels"),
        ({"resembles": "martians"}, "resembles"),
    ],
)
def test_definitions_refused_by_field(kw: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "name": "Helpers",
        "plural": "",
        "scale": "agree4",
        "email": True,
        "open_link": True,
        "resembles": None,
        "framework": HMIE,
        "customs": [],
    }
    values.update(kw)
    assert field in own.check(**values)  # type: ignore[arg-type]


def test_a_framework_audience_clashes_only_once_the_round_asks_it() -> None:
    values: dict[str, object] = {
        "name": "elected MEMBERS",
        "plural": "",
        "scale": "agree4",
        "email": True,
        "open_link": True,
        "resembles": None,
        "framework": HMIE,
        "customs": [],
    }
    assert own.check(**values) == {}  # type: ignore[arg-type]
    assert "name" in own.check(**values, asked=["elected_members"])  # type: ignore[arg-type]


def test_launch_refusals_name_the_audience_and_the_reason() -> None:
    fine = _audience()
    clash = _audience("Board", id="c-board", plural="ELECTED MEMBERS")
    empty = _audience("Trade unions", id="c-unions", statements={})
    problems = custom_audience_refusals([fine, clash, empty], HMIE, ["8.2"])
    assert len(problems) == 3
    assert "“Elected members” has the same name as another audience" in problems[0]
    assert "“Board” has the same name" in problems[1]
    assert "“Trade unions” has no statements for any chosen indicator" in problems[2]
    assert custom_audience_refusals([fine], HMIE, ["8.2"]) == []
    assert "no statements" in custom_audience_refusals([fine], HMIE, ["2.1"])[0]

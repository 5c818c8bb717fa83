"""Round services: validation, keeping edits on rebuild, copy, delete, and item editing rules."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.models import FeedbackRound, ItemOrigin, QuestionItem, Questionnaire, RoundStatus
from app.services import round_edits
from app.services.accounts import get_or_create_organisation
from app.services.round_edits import STATEMENT_MAX
from app.services.rounds import (
    RoundError,
    RoundLocked,
    RoundSettings,
    copy_round,
    create_round,
    default_intro,
    delete_round,
    intro_changed,
    one_year_later,
    ordered_items,
    questionnaire_minutes,
    update_round,
)
from frameworks import builtin_frameworks
from tests.app.rounds.helpers import round_count, settings

HMIE = builtin_frameworks()["hmie-children-services"]


@pytest.fixture
def ctx(app: Flask):
    with app.app_context():
        yield


def _org(name: str = "Org A"):
    return get_or_create_organisation(name)


def _round(round_id: uuid.UUID) -> FeedbackRound:
    rnd = db.session.get(FeedbackRound, round_id)
    assert rnd is not None
    return rnd


def _q(rnd: FeedbackRound, audience: str) -> Questionnaire:
    return next(q for q in rnd.questionnaires if q.audience == audience)


def _statements(q: Questionnaire) -> list[str]:
    return [i.statement for i in ordered_items(q)]


# -- creating and validating ----------------------------------------------------------------------


def test_create_round_builds_one_questionnaire_per_audience_that_can_answer(
    ctx: None, app: Flask
) -> None:
    rnd = create_round(_org(), settings(audiences=["parents", "staff", "community"]))
    assert {q.audience for q in rnd.questionnaires} == {"parents", "staff"}
    assert rnd.threshold == app.config["ANONYMITY_THRESHOLD"]
    parents = _q(rnd, "parents")
    # parents can judge 2.1 and 2.2 but not 3.1 (impact on staff)
    assert {i.indicator_id for i in parents.items} == {"2.1", "2.2"}
    assert [i.position for i in ordered_items(parents)] == list(range(1, len(parents.items) + 1))
    assert all(
        i.origin == ItemOrigin.BANK and i.bank_statement == i.statement for i in parents.items
    )


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"framework_id": "no-such-framework"}, "framework_id", "no framework called"),
        ({"indicator_ids": ["2.1", "9.9"]}, "indicator_ids", "9.9"),
        ({"indicator_ids": []}, "indicator_ids", "at least one indicator"),
        ({"audiences": ["parents", "aliens"]}, "audiences", "aliens"),
        ({"audiences": []}, "audiences", "at least one audience"),
        ({"indicator_ids": ["3.1"], "audiences": ["parents"]}, "audiences", "None of the chosen"),
        ({"opens_on": date(2027, 4, 1)}, "closes_on", "on or after the opening date"),
        ({"opens_on": None}, "opens_on", "Enter the date"),
        ({"threshold": 2}, "threshold", "3 or more"),
        ({"threshold": 101}, "threshold", "100 or fewer"),
        ({"name": "   "}, "name", "Enter a name"),
        ({"name": "x" * 201}, "name", "200 characters"),
        ({"children_bands": ["toddlers"]}, "children_bands", "age band"),
        ({"children_bands": []}, "children_bands", "at least one age band"),
        ({"children_bands": ["under_12", "under_8"]}, "children_bands", "cannot be combined"),
        ({"scope": {"partners": "p" * 2001}}, "scope_partners", "2000 characters"),
    ],
)
def test_bad_settings_are_refused_with_the_field_and_create_nothing(
    ctx: None, app: Flask, overrides: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(RoundError) as caught:
        create_round(_org(), settings(**overrides))
    assert words in caught.value.errors[field]
    db.session.rollback()
    assert round_count(app) == 0


def test_settings_round_trip_through_of(ctx: None) -> None:
    rnd = create_round(_org(), settings(threshold=7, scope={"services": "Family support"}))
    again = RoundSettings.of(rnd)
    assert again.threshold == 7 and again.scope["services"] == "Family support"
    assert again.indicator_ids == ["2.1", "2.2", "3.1"]


# -- rebuilding a draft keeps the coordinator's edits ---------------------------------------------


def test_changing_only_name_and_dates_keeps_questionnaires_untouched(ctx: None) -> None:
    rnd = create_round(_org(), settings())
    ids = {q.audience: [i.id for i in ordered_items(q)] for q in rnd.questionnaires}
    update_round(rnd, _org(), settings(name="Renamed", closes_on=date(2027, 4, 30)))
    assert rnd.name == "Renamed"
    assert {q.audience: [i.id for i in ordered_items(q)] for q in rnd.questionnaires} == ids


def test_adding_an_indicator_keeps_rewording_removals_order_custom_items_and_intro(
    ctx: None,
) -> None:
    rnd = create_round(_org(), settings(audiences=["parents"]))
    q = _q(rnd, "parents")
    first, second, third = ordered_items(q)[:3]
    round_edits.reword_item(first, "My child is safe here.")
    round_edits.remove_item(second)
    round_edits.move_item(third, "up")  # third is now first in its section
    custom = round_edits.add_custom_item(q, HMIE, "2.2", None, "Staff phone me back the same day.")
    round_edits.set_intro(q, "Our own words.\nThank you.")
    before = _statements(q)
    version = q.version

    update_round(rnd, _org(), settings(audiences=["parents"], indicator_ids=["2.1", "2.2", "5.1"]))

    q = _q(rnd, "parents")
    after = _statements(q)
    assert after[: len(before)] == before  # same questions, same order, edits and custom kept
    new_bank = [s.statement for s in HMIE.indicator("5.1").items["parents"]]
    assert after[len(before) :] == new_bank  # the new indicator's items follow, in bank order
    assert second.statement not in after
    reworded = next(i for i in q.items if i.statement == "My child is safe here.")
    assert reworded.origin == ItemOrigin.EDITED and reworded.bank_statement == first.bank_statement
    kept = next(i for i in q.items if i.statement == custom.statement)
    assert kept.origin == ItemOrigin.CUSTOM and kept.indicator_id == "2.2"
    assert q.intro == "Our own words.\nThank you."
    assert q.version > version
    assert [i.position for i in ordered_items(q)] == list(range(1, len(after) + 1))


def test_dropping_an_indicator_drops_its_custom_items_and_refreshes_the_standard_intro(
    ctx: None,
) -> None:
    rnd = create_round(_org(), settings(audiences=["parents"]))
    q = _q(rnd, "parents")
    round_edits.add_custom_item(q, HMIE, "2.2", None, "Staff phone me back the same day.")
    update_round(rnd, _org(), settings(audiences=["parents"], indicator_ids=["2.1"]))
    q = _q(rnd, "parents")
    assert {i.indicator_id for i in q.items} == {"2.1"}
    assert not intro_changed(q)
    assert f"about {questionnaire_minutes(q)} minute" in q.intro


def test_changing_the_framework_starts_again(ctx: None) -> None:
    rnd = create_round(_org(), settings(audiences=["staff"]))
    round_edits.reword_item(ordered_items(_q(rnd, "staff"))[0], "A reworded statement.")
    update_round(
        rnd,
        _org(),
        settings(framework_id="csit-red-threads", indicator_ids=["1.1"], audiences=["staff"]),
    )
    staff = _q(rnd, "staff")
    assert all(i.origin == ItemOrigin.BANK for i in staff.items)
    assert {i.indicator_id for i in staff.items} == {"1.1"}


def test_a_launched_round_refuses_settings_changes(ctx: None) -> None:
    rnd = create_round(_org(), settings())
    rnd.status = RoundStatus.LIVE
    with pytest.raises(RoundLocked):
        update_round(rnd, _org(), settings(name="Changed"))
    assert rnd.name == "Spring feedback"


# -- copy and delete ------------------------------------------------------------------------------


def test_copy_keeps_wording_word_for_word_and_moves_dates_on_a_year(ctx: None) -> None:
    org = _org()
    rnd = create_round(org, settings(role_question=True, threshold=6))
    parents = _q(rnd, "parents")
    round_edits.reword_item(ordered_items(parents)[0], "My child is safe here.")
    round_edits.add_custom_item(parents, HMIE, "2.2", None, "Staff phone me back the same day.")
    round_edits.set_intro(parents, "Our own words.")
    rnd.status = RoundStatus.LIVE
    for q in rnd.questionnaires:
        q.frozen = True

    copy = copy_round(rnd, org)

    assert copy.status == RoundStatus.DRAFT and copy.copied_from_id == rnd.id
    assert (copy.opens_on, copy.closes_on) == (date(2028, 3, 1), date(2028, 3, 31))
    assert copy.name == "Spring feedback (copy)" and copy.threshold == 6
    assert (copy.indicator_ids, copy.audiences) == (rnd.indicator_ids, rnd.audiences)

    def wording(r: FeedbackRound) -> dict[str, Any]:
        return {
            q.audience: (
                q.intro,
                q.sections,
                q.role_question,
                [
                    (
                        i.position,
                        i.section_id,
                        i.indicator_id,
                        i.theme_id,
                        i.statement,
                        i.scale_id,
                        i.origin,
                        i.bank_key,
                        i.bank_statement,
                    )
                    for i in ordered_items(q)
                ],
            )
            for q in r.questionnaires
        }

    assert wording(copy) == wording(rnd)
    assert not any(q.frozen for q in copy.questionnaires)
    old_ids = {i.id for q in rnd.questionnaires for i in q.items}
    assert not old_ids & {i.id for q in copy.questionnaires for i in q.items}


def test_copy_takes_a_name_and_refuses_another_organisations_round(ctx: None) -> None:
    rnd = create_round(_org(), settings())
    assert copy_round(rnd, _org(), "  Spring   2028 ").name == "Spring 2028"
    with pytest.raises(RoundError):
        copy_round(rnd, _org("Org B"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 3, 1), date(2028, 3, 1)),
        (date(2028, 2, 29), date(2029, 2, 28)),
        (date(2027, 12, 31), date(2028, 12, 31)),
    ],
)
def test_one_year_later(day: date, expected: date) -> None:
    assert one_year_later(day) == expected


def test_delete_a_draft_removes_its_questionnaires(ctx: None, app: Flask) -> None:
    rnd = create_round(_org(), settings())
    delete_round(rnd)
    db.session.commit()
    assert round_count(app) == 0
    assert db.session.execute(db.select(QuestionItem.id)).first() is None


def test_a_launched_round_cannot_be_deleted(ctx: None, app: Flask) -> None:
    rnd = create_round(_org(), settings())
    rnd.status = RoundStatus.LIVE
    db.session.commit()
    with pytest.raises(RoundError) as caught:
        delete_round(rnd)
    assert "Only draft rounds" in caught.value.errors["round"]
    assert round_count(app) == 1


# -- editing items --------------------------------------------------------------------------------


@pytest.fixture
def parents(ctx: None) -> Questionnaire:
    rnd = create_round(_org(), settings())
    return _q(rnd, "parents")


def test_first_edit_marks_a_bank_item_edited_and_keeps_the_original(parents: Questionnaire) -> None:
    item = ordered_items(parents)[0]
    original = item.statement
    assert round_edits.reword_item(item, "  My child   is safe here. ") is True
    assert (item.statement, item.origin, item.bank_statement) == (
        "My child is safe here.",
        ItemOrigin.EDITED,
        original,
    )
    round_edits.reword_item(item, "My child is safe here, always.")
    assert item.bank_statement == original
    round_edits.reword_item(item, original)
    assert item.origin == ItemOrigin.BANK  # back to the bank's words


def test_unchanged_wording_is_not_a_change(parents: Questionnaire) -> None:
    item = ordered_items(parents)[0]
    version = parents.version
    assert round_edits.reword_item(item, item.statement) is False
    assert item.origin == ItemOrigin.BANK and parents.version == version


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "Enter the statement"), ("   ", "Enter the statement"), ("x" * 301, "it has 301")],
)
def test_empty_or_over_long_statements_are_refused_with_the_reason(
    parents: Questionnaire, text: str, words: str
) -> None:
    item = ordered_items(parents)[0]
    before = (item.statement, item.origin, parents.version)
    with pytest.raises(RoundError) as caught:
        round_edits.reword_item(item, text)
    assert words in caught.value.errors["statement"]
    assert (item.statement, item.origin, parents.version) == before


def test_statement_of_exactly_the_limit_is_accepted(parents: Questionnaire) -> None:
    item = ordered_items(parents)[0]
    round_edits.reword_item(item, "y" * STATEMENT_MAX)
    db.session.flush()
    assert len(item.statement) == STATEMENT_MAX


def test_a_duplicate_statement_is_refused(parents: Questionnaire) -> None:
    first, second = ordered_items(parents)[:2]
    with pytest.raises(RoundError) as caught:
        round_edits.reword_item(second, first.statement.upper())
    assert "already asks" in caught.value.errors["statement"]


def test_moving_swaps_neighbours_within_a_section_only(parents: Questionnaire) -> None:
    items = ordered_items(parents)
    in_first_section = [i for i in items if i.section_id == items[0].section_id]
    assert round_edits.move_item(items[0], "up") is False
    assert round_edits.move_item(in_first_section[-1], "down") is False  # not into the next
    assert round_edits.move_item(items[0], "down") is True
    assert ordered_items(parents)[:2] == [items[1], items[0]]
    with pytest.raises(RoundError):
        round_edits.move_item(items[0], "sideways")


def test_the_last_question_cannot_be_removed(ctx: None) -> None:
    rnd = create_round(_org(), settings(indicator_ids=["3.1"], audiences=["staff"]))
    staff = _q(rnd, "staff")
    while len(staff.items) > 1:
        round_edits.remove_item(ordered_items(staff)[0])
    with pytest.raises(RoundError) as caught:
        round_edits.remove_item(ordered_items(staff)[0])
    assert "at least one question" in caught.value.errors["item"]
    assert len(staff.items) == 1


def test_removing_a_section_s_last_item_drops_the_section(ctx: None) -> None:
    staff = _q(create_round(_org(), settings()), "staff")
    sections_before = [s["id"] for s in staff.sections]
    assert sections_before == ["2", "3"]
    for item in [i for i in ordered_items(staff) if i.section_id == "2"]:
        round_edits.remove_item(item)
    assert [s["id"] for s in staff.sections] == ["3"]
    assert {i.section_id for i in staff.items} == {"3"}


def test_standard_intro_keeps_telling_the_right_time_but_own_intro_is_kept(
    parents: Questionnaire,
) -> None:
    org_name = "Org A"
    for _ in range(4):
        round_edits.add_custom_item(
            parents, HMIE, "2.1", None, f"Statement number {len(parents.items)}."
        )
    assert parents.intro == default_intro(parents, org_name)
    round_edits.set_intro(parents, "Short and sweet.")
    round_edits.remove_item(ordered_items(parents)[0])
    assert parents.intro == "Short and sweet."
    round_edits.restore_intro(parents)
    assert parents.intro == default_intro(parents, org_name)


def test_custom_item_takes_the_audience_scale_and_may_open_a_new_section(ctx: None) -> None:
    rnd = create_round(_org(), settings())
    children, parents = _q(rnd, "children_8_to_12"), _q(rnd, "parents")
    child_item = round_edits.add_custom_item(children, HMIE, "2.1", "2.1-a", "I like coming here.")
    assert child_item.scale_id == "faces3" and child_item.theme_id == "2.1-a"
    older = round_edits.add_custom_item(
        _q(rnd, "children_13_plus"), HMIE, "2.1", None, "I like coming here."
    )
    assert older.scale_id == "agree4"
    # parents have no bank items on 3.1 (impact on staff): the section is added in framework order
    added = round_edits.add_custom_item(
        parents, HMIE, "3.1", None, "Staff seem happy in their work."
    )
    assert added.scale_id == "agree4" and added.origin == ItemOrigin.CUSTOM
    assert [s["id"] for s in parents.sections] == ["2", "3"]
    assert ordered_items(parents)[-1] is added


@pytest.mark.parametrize(
    ("indicator", "theme", "field"),
    [("8.1", None, "indicator_id"), ("9.9", None, "indicator_id"), ("2.1", "2.2-a", "theme_id")],
)
def test_custom_item_must_belong_to_the_round_and_the_indicator(
    parents: Questionnaire, indicator: str, theme: str | None, field: str
) -> None:
    count = len(parents.items)
    with pytest.raises(RoundError) as caught:
        round_edits.add_custom_item(parents, HMIE, indicator, theme, "A fine statement.")
    assert field in caught.value.errors
    assert len(parents.items) == count


def test_intro_is_cleaned_and_checked(parents: Questionnaire) -> None:
    round_edits.set_intro(parents, "  Hello  there \r\n\r\n\r\n\r\nSecond   line  ")
    assert parents.intro == "Hello there\n\nSecond line"
    with pytest.raises(RoundError):
        round_edits.set_intro(parents, " \n ")
    with pytest.raises(RoundError) as caught:
        round_edits.set_intro(parents, "z" * 2001)
    assert "2000 characters" in caught.value.errors["intro"]
    assert parents.intro == "Hello there\n\nSecond line"


@pytest.mark.parametrize(
    "edit",
    [
        lambda q: round_edits.reword_item(ordered_items(q)[0], "New words."),
        lambda q: round_edits.move_item(ordered_items(q)[0], "down"),
        lambda q: round_edits.remove_item(ordered_items(q)[0]),
        lambda q: round_edits.add_custom_item(q, HMIE, "2.1", None, "New words."),
        lambda q: round_edits.set_intro(q, "New words."),
        lambda q: round_edits.restore_intro(q),
    ],
)
def test_every_edit_is_refused_after_launch(
    parents: Questionnaire, edit: Callable[[Questionnaire], object]
) -> None:
    parents.round.status = RoundStatus.LIVE
    parents.frozen = True
    before = (_statements(parents), parents.intro, parents.version)
    with pytest.raises(RoundLocked) as caught:
        edit(parents)
    assert "Copy it into a new draft" in caught.value.errors["round"]
    assert (_statements(parents), parents.intro, parents.version) == before


def test_random_edits_keep_positions_and_sections_consistent(ctx: None) -> None:
    """Whatever sequence of edits, positions are 1..n and each section's items are together,
    in framework order, and the questionnaire lists exactly the sections that have items."""
    rnd = create_round(_org(), settings(indicator_ids=["2.1", "2.2", "3.1", "5.1", "8.1"]))
    staff = _q(rnd, "staff")
    chooser = random.Random(20261122)
    section_order = [s.id for s in HMIE.sections]
    for step in range(150):
        items = ordered_items(staff)
        action = chooser.choice(["up", "down", "remove", "add"])
        if action == "add" or len(items) < 3:
            indicator = chooser.choice(rnd.indicator_ids)
            round_edits.add_custom_item(staff, HMIE, indicator, None, f"Custom statement {step}.")
        elif action == "remove":
            round_edits.remove_item(chooser.choice(items))
        else:
            round_edits.move_item(chooser.choice(items), action)
        items = ordered_items(staff)
        assert [i.position for i in items] == list(range(1, len(items) + 1))
        seen = list(dict.fromkeys(i.section_id for i in items))
        assert seen == [s for s in section_order if s in seen]  # contiguous, framework order
        assert [s["id"] for s in staff.sections] == seen
        assert all(HMIE.indicator(i.indicator_id).section == i.section_id for i in items)

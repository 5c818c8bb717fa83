"""Reading the round settings form (app/rounds/forms.py): pure parsing, no database."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from app.rounds.forms import FIELD_ORDER, SettingsForm, ordered_errors, parse_date, to_settings
from frameworks import builtin_frameworks

HMIE = builtin_frameworks()["hmie-children-services"]


def _form(**fields: object) -> SettingsForm:
    data: MultiDict[str, str] = MultiDict()
    for key, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            data.add(key, str(v))
    return SettingsForm.from_form(data)


def test_shortcuts_and_single_indicators_are_unioned_in_framework_order() -> None:
    form = _form(choice=["indicator:8.1", "section:3", "indicator:2.1", "indicator:8.1"])
    settings, errors = to_settings(form, HMIE)
    assert errors == {}
    section_3 = [i.id for i in HMIE.indicators_in("3")]
    assert settings.indicator_ids == ["2.1", *section_3, "8.1"]


def test_a_whole_group_expands_to_its_sections_indicators() -> None:
    settings, _ = to_settings(_form(choice="group:q2"), HMIE)
    sections = {s.id for s in HMIE.sections if s.group == "q2"}
    assert settings.indicator_ids == [i.id for i in HMIE.indicators if i.section in sections]


def test_unknown_indicator_token_is_named() -> None:
    settings, errors = to_settings(_form(choice=["indicator:2.1", "indicator:9.9"]), HMIE)
    assert "9.9" in errors["indicator_ids"]
    assert settings.indicator_ids == []


def test_unreadable_dates_and_threshold_get_their_own_messages() -> None:
    settings, errors = to_settings(
        _form(opens_on="31/03/2026", closes_on="2026-02-30", threshold="five"), HMIE
    )
    assert settings.opens_on is None and settings.closes_on is None
    assert "real date" in errors["opens_on"] and "real date" in errors["closes_on"]
    assert "whole number" in errors["threshold"]
    assert settings.threshold is None


def test_blank_threshold_means_the_default_and_checkboxes_read_as_booleans() -> None:
    settings, errors = to_settings(_form(threshold="", free_text="on"), HMIE)
    assert errors == {}
    assert settings.threshold is None
    assert settings.free_text is True
    assert settings.role_question is False  # an unticked box is simply absent


def test_audiences_keep_first_occurrence_only() -> None:
    settings, _ = to_settings(_form(audience=["staff", "parents", "staff"]), HMIE)
    assert settings.audiences == ["staff", "parents"]


def test_without_a_framework_no_indicators_are_read() -> None:
    settings, errors = to_settings(_form(choice="indicator:2.1"), None)
    assert settings.indicator_ids == [] and errors == {}


def test_parse_date() -> None:
    assert parse_date("") is None
    assert parse_date("2026-03-01") == date(2026, 3, 1)
    with pytest.raises(ValueError):
        parse_date("1 March")


def test_errors_are_listed_in_page_order() -> None:
    errors = {"threshold": "t", "whatever": "w", "name": "n", "framework_id": "f"}
    assert [k for k, _ in ordered_errors(errors)] == [
        "framework_id",
        "name",
        "threshold",
        "whatever",
    ]
    assert FIELD_ORDER.index("opens_on") < FIELD_ORDER.index("closes_on")

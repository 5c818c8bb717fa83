"""The launch warnings: each rule, its stable code, and the ticks that acknowledge them."""

from __future__ import annotations

from datetime import date, timedelta

from surveys.launch_checks import (
    AUDIENCE_BELOW_THRESHOLD,
    CHILDREN_BY_EMAIL,
    LONG_FOR_YOUNG_CHILDREN,
    NO_WAY_TO_ANSWER,
    OPENS_FAR_AHEAD,
    OPENS_IN_PAST,
    AudienceFacts,
    launch_warnings,
    unticked,
)

TODAY = date(2026, 12, 2)


def codes(audiences: list[AudienceFacts], **kw: object) -> list[str]:
    args: dict[str, object] = {"threshold": 5, "opens_on": TODAY, "today": TODAY} | kw
    return [w.code for w in launch_warnings(audiences, **args)]  # type: ignore[arg-type]


def test_a_clean_launch_has_no_warnings() -> None:
    assert codes([AudienceFacts("staff", "Staff", 5, True)]) == []


def test_an_audience_under_the_threshold_says_its_results_will_not_show() -> None:
    [w] = launch_warnings(
        [AudienceFacts("staff", "Staff", 3, True)], threshold=5, opens_on=TODAY, today=TODAY
    )
    assert w.code == AUDIENCE_BELOW_THRESHOLD and w.key == "audience_below_threshold:staff"
    assert w.message.startswith("Staff: 3 invited; results need at least 5 answers, so staff")
    # At the threshold, and with nobody invited by email (open link only), no such warning.
    assert codes([AudienceFacts("staff", "Staff", 5, True)]) == []
    assert codes([AudienceFacts("staff", "Staff", 0, True)]) == []


def test_opening_dates_in_the_past_or_beyond_ninety_days() -> None:
    facts = [AudienceFacts("staff", "Staff", 9, True)]
    assert codes(facts, opens_on=TODAY - timedelta(days=1)) == [OPENS_IN_PAST]
    assert codes(facts, opens_on=TODAY + timedelta(days=90)) == []
    assert codes(facts, opens_on=TODAY + timedelta(days=91)) == [OPENS_FAR_AHEAD]


def test_young_children_by_email_only_under_twelve() -> None:
    kids = [AudienceFacts("children", "Children", 8, True)]
    assert codes(kids) == [CHILDREN_BY_EMAIL]
    assert codes(kids, children_bands=["12_plus"]) == []


def test_children_in_a_faces_band_by_email_are_warned_about_and_13_plus_are_not() -> None:
    for audience in ("children_under_8", "children_8_to_12"):
        assert codes([AudienceFacts(audience, "Children", 2, True)]) == [
            AUDIENCE_BELOW_THRESHOLD,
            CHILDREN_BY_EMAIL,
        ]
    assert codes([AudienceFacts("children_13_plus", "Young people", 8, True)]) == []
    assert codes([AudienceFacts("children", "Children", 0, True)]) == []


def test_no_way_to_answer_without_email_or_open_link() -> None:
    assert codes([AudienceFacts("partners", "Partners", 0, False)]) == [NO_WAY_TO_ANSWER]
    assert codes([AudienceFacts("partners", "Partners", 6, False)]) == []


def test_ticks_acknowledge_warnings_by_key() -> None:
    warnings = launch_warnings(
        [AudienceFacts("staff", "Staff", 2, True), AudienceFacts("parents", "Parents", 1, True)],
        threshold=5,
        opens_on=TODAY - timedelta(days=3),
        today=TODAY,
    )
    assert [w.key for w in warnings] == [
        "opens_in_past",
        "audience_below_threshold:staff",
        "audience_below_threshold:parents",
    ]
    left = unticked(warnings, {"opens_in_past", "audience_below_threshold:staff"})
    assert [w.key for w in left] == ["audience_below_threshold:parents"]


def test_long_statements_for_children_under_8_are_worth_a_second_look() -> None:
    short = ["I feel safe here.", "Adults listen to me."]
    assert codes([], young_statements=short) == []
    long = [*short, "The adults who work here always explain things to me in ways I understand."]
    (warning,) = launch_warnings(
        [], threshold=5, opens_on=TODAY, today=TODAY, young_statements=long
    )
    assert warning.code == LONG_FOR_YOUNG_CHILDREN
    assert warning.key == "long_for_young_children:children_under_8"
    assert "1 statement for children under 8 has more than 10 words" in warning.message
    assert "The adults who work here" in warning.message

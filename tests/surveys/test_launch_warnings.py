"""Launch warnings: each code for its case, and none for a round ready to go."""

from __future__ import annotations

from datetime import date, timedelta

from surveys.launch_warnings import CODES, FAR_AHEAD_DAYS, codes_of, launch_warnings

TODAY = date(2027, 3, 1)
LABELS = {"staff": "Staff", "children": "Children and young people"}


def _codes(**kw: object) -> list[str]:
    args: dict[str, object] = {
        "today": TODAY,
        "opens_on": TODAY,
        "threshold": 5,
        "audiences": ["staff"],
        "contacts": {"staff": 20},
        "labels": LABELS,
    }
    args.update(kw)
    return codes_of(launch_warnings(**args))  # type: ignore[arg-type]


def test_a_ready_round_has_no_warnings() -> None:
    assert _codes() == []
    assert _codes(opens_on=TODAY + timedelta(days=FAR_AHEAD_DAYS)) == []


def test_each_code() -> None:
    assert _codes(opens_on=TODAY - timedelta(days=1)) == ["opens_in_past"]
    assert _codes(opens_on=TODAY + timedelta(days=FAR_AHEAD_DAYS + 1)) == ["opens_far_ahead"]
    assert _codes(contacts={"staff": 4}) == ["audience_below_threshold"]
    assert _codes(contacts={"staff": 5}) == []
    assert _codes(contacts={}) == ["no_way_to_answer"]
    assert _codes(audiences=["children"], contacts={"children": 30}) == ["children_by_email"]


def test_codes_are_distinct_in_a_stable_order() -> None:
    warnings = launch_warnings(
        today=TODAY,
        opens_on=TODAY - timedelta(days=3),
        threshold=5,
        audiences=["staff", "children", "parents"],
        contacts={"children": 2},
        labels=LABELS,
    )
    assert codes_of(warnings) == [
        "audience_below_threshold",
        "opens_in_past",
        "children_by_email",
        "no_way_to_answer",
    ]
    assert [w.audience for w in warnings if w.code == "no_way_to_answer"] == ["staff", "parents"]
    assert set(codes_of(warnings)) <= set(CODES)
    assert all(w.message.endswith(".") for w in warnings)

"""A round's own audience in the results (issue 22): a group of its own under the threshold and
complementary suppression, in the disparities, and compared across rounds only with the same
audience (id and name) and the same wording."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask

from app.extensions import db
from app.models import FeedbackRound
from app.services import round_audiences
from app.services.results import CellStatus, compare_rounds

ELECTED = "c-elected-members"
STATEMENT = "I am told how services for families are improving."


def elected(
    name: str = "Elected members", statement: str = STATEMENT, rename: str | None = None
) -> Callable[[FeedbackRound], None]:
    def edit(rnd: FeedbackRound) -> None:
        round_audiences.add_audience(
            rnd,
            name=name,
            plural="",
            scale="agree4",
            email=True,
            open_link=True,
            resembles=None,
        )
        round_audiences.set_statements(rnd, ELECTED, {"2.2": statement})
        if rename:
            round_audiences.update_audience(
                rnd, ELECTED, name=rename, plural="", scale="agree4", email=True, open_link=True
            )

    return edit


def test_a_group_under_k_is_suppressed_and_cannot_be_worked_out(
    live_round: Any, respond: Any, results_of: Any
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"], edit=elected())
    respond(rid, "staff", {"a": 8, "d": 2})
    respond(rid, "parents", {"a": 6})
    respond(rid, ELECTED, {"sd": 4})  # k - 1 elected members, all unfavourable
    found = results_of(rid)
    (summary,) = [a for a in found.audiences if a.audience == ELECTED]
    assert summary.label == "Elected members" and summary.respondents is None
    (indicator,) = found.indicators
    assert indicator.cells[ELECTED].status == CellStatus.SUPPRESSED
    assert indicator.cells[ELECTED].favourable is None
    assert found.total_respondents is None  # 20 would give the 4 away
    assert all(i.cell.favourable is None for i in found.items if i.audience == ELECTED)


def test_a_group_of_k_shows_and_joins_the_disparities(
    live_round: Any, respond: Any, results_of: Any
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"], edit=elected())
    respond(rid, "staff", {"a": 9, "d": 1})
    respond(rid, "parents", {"a": 6})
    respond(rid, ELECTED, {"a": 1, "d": 4})
    found = results_of(rid)
    (indicator,) = found.indicators
    cell = indicator.cells[ELECTED]
    assert (cell.favourable, cell.base) == (1, 5)
    assert cell.evidence.startswith("Less than half of elected members (20%, 1 of 5")
    assert indicator.disparity is not None
    assert indicator.disparity.lowest == (ELECTED,)
    assert dict(indicator.disparity.percents)[ELECTED] == 20


def _pair(
    live_round: Any, respond: Any, later: Callable[[FeedbackRound], None]
) -> tuple[uuid.UUID, uuid.UUID]:
    earlier = live_round(
        name="Last year",
        indicators=["2.2"],
        audiences=["staff"],
        opens_on=date(2024, 3, 1),
        closes_on=date(2024, 3, 31),
        edit=elected(),
    )
    now = live_round(name="This year", indicators=["2.2"], audiences=["staff"], edit=later)
    for rid in (earlier, now):
        respond(rid, "staff", {"a": 6})
        respond(rid, ELECTED, {"a": 3, "d": 3})
    return now, earlier


def _compared(app: Flask, now: uuid.UUID, earlier: uuid.UUID) -> set[str]:
    with app.app_context():
        a, b = db.session.get(FeedbackRound, now), db.session.get(FeedbackRound, earlier)
        assert a is not None and b is not None
        return {c.audience for c in compare_rounds(a, b).items}


def test_compared_across_rounds_with_the_same_audience_and_wording(
    app: Flask, live_round: Any, respond: Any
) -> None:
    now, earlier = _pair(live_round, respond, elected())
    assert ELECTED in _compared(app, now, earlier)


def test_not_compared_when_the_wording_differs(app: Flask, live_round: Any, respond: Any) -> None:
    now, earlier = _pair(live_round, respond, elected(statement="I am told how services change."))
    assert ELECTED not in _compared(app, now, earlier)
    assert "staff" in _compared(app, now, earlier)


def test_not_compared_when_the_audience_was_renamed(
    app: Flask, live_round: Any, respond: Any
) -> None:
    """Same id (it was made as "Elected members"), another name: another group of people."""
    now, earlier = _pair(live_round, respond, elected(rename="Councillors"))
    assert ELECTED not in _compared(app, now, earlier)

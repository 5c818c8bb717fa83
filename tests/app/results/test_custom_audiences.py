"""A round's own audience in the results (issue 22): a group of its own under the threshold and
complementary suppression, in the disparities, and compared across rounds only with the same
audience (id and name) and the same wording."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import FeedbackRound, RoundStatus
from app.services import round_audiences
from app.services.accounts import get_or_create_organisation
from app.services.results import CellStatus, compare_rounds, round_results
from app.services.rounds import RoundSettings, create_round
from app.services.synthetic import answers_from_counts, insert_responses, items_of, make_live

ELECTED = "c-elected-members"
BOARD = "c-board-members"
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
    app: Flask, live_round: Any, respond: Any, client: Any, coordinator: Any
) -> None:
    now, earlier = _pair(live_round, respond, elected())
    assert ELECTED in _compared(app, now, earlier)
    page = client.get(f"/results/{now}/compare?earlier={earlier}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Elected members" in html and STATEMENT in html


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


@settings(max_examples=30, deadline=None, database=None)
@given(
    counts=st.fixed_dictionaries(
        {
            "staff": st.integers(0, 8),
            "parents": st.integers(0, 8),
            ELECTED: st.integers(0, 8),
            BOARD: st.integers(0, 8),
        }
    ),
    k=st.integers(3, 6),
)
def test_own_audiences_are_suppressed_like_any_other_group(
    app: Flask, counts: dict[str, int], k: int
) -> None:
    """Whatever the group sizes: a round's own audience under k shows no figure, one at k or
    over shows unless withheld to protect a smaller group, and no visible total gives a hidden
    group away by subtraction (DESIGN.md 6.5)."""
    with app.app_context():
        org = get_or_create_organisation(f"Property {uuid.uuid4().hex[:8]}")
        rnd = create_round(
            org,
            RoundSettings(
                name="Property",
                framework_id="hmie-children-services",
                indicator_ids=["2.2"],
                audiences=["staff", "parents"],
                opens_on=date(2025, 3, 1),
                closes_on=date(2025, 3, 31),
                threshold=k,
            ),
        )
        elected()(rnd)
        round_audiences.add_audience(
            rnd,
            name="Board members",
            plural="",
            scale="agree4",
            email=True,
            open_link=True,
            resembles="parents",
        )
        make_live(rnd)
        for audience, n in counts.items():
            if n:
                insert_responses(
                    rnd, audience, answers_from_counts(items_of(rnd, audience), {"a": n})
                )
        rnd.status = RoundStatus.CLOSED
        db.session.flush()
        found = round_results(rnd)
        db.session.rollback()
    by_audience = {a.audience: a for a in found.audiences}
    (indicator,) = found.indicators
    hidden = False
    for audience, n in counts.items():
        summary, cell = by_audience[audience], indicator.cells[audience]
        if 0 < n < k:
            assert summary.respondents is None and cell.favourable is None, (audience, n)
        if cell.status == CellStatus.SHOWN:
            assert n >= k and cell.respondents == n and cell.favourable == cell.base, audience
        if summary.respondents is None:
            hidden = hidden or n > 0
        else:
            assert summary.respondents == n
    if hidden:  # the total would give a hidden group away by subtraction
        assert found.total_respondents is None

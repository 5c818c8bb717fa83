"""Round versus round: identical wording and scale only; Newcombe interval; significance."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import FeedbackRound, ItemOrigin
from app.services.results import compare_rounds
from surveys.statistics import newcombe_difference
from tests.app.results.helpers import row_of, text_of

REWORDED = "I am always treated fairly by staff."


def _reword_first_parents_item(rnd: FeedbackRound) -> None:
    parents = next(q for q in rnd.questionnaires if q.audience == "parents")
    item = min(parents.items, key=lambda i: i.position)
    item.statement = REWORDED
    item.origin = ItemOrigin.EDITED


@pytest.fixture
def pair(live_round, respond) -> tuple[uuid.UUID, uuid.UUID]:
    """(now, last year) on 2.2: staff 25% -> 90%; parents 50% -> 55%; one parents item reworded."""
    earlier = live_round(
        name="Last year",
        audiences=["staff", "parents", "partners"],
        indicators=["2.2", "5.1"],
        opens_on=date(2024, 3, 1),
        closes_on=date(2024, 3, 31),
    )
    respond(earlier, "staff", {"a": 5, "d": 15})
    respond(earlier, "parents", {"a": 10, "d": 10})
    respond(earlier, "partners", {"a": 3})  # under k in the earlier round
    now = live_round(
        name="This year",
        audiences=["staff", "parents", "partners"],
        indicators=["2.2", "5.1"],
        edit=_reword_first_parents_item,
    )
    respond(now, "staff", {"a": 18, "d": 2})
    respond(now, "parents", {"a": 11, "d": 9})
    respond(now, "partners", {"a": 8})
    return now, earlier


def test_items_are_matched_by_identical_wording_scale_and_audience(app: Flask, pair) -> None:
    now, earlier = pair
    with app.app_context():
        result = compare_rounds(
            db.session.get(FeedbackRound, now), db.session.get(FeedbackRound, earlier)
        )
    statements = {(row.audience, row.statement) for row in result.items}
    assert ("parents", REWORDED) not in statements
    # parents: 3 of 4 items on 2.2 and 3 on 5.1 kept their words; staff 2 + 4; partners 2
    assert len(result.items) == (3 + 3) + (2 + 4) + 2
    assert result.new_items == 1 and result.dropped_items == 1

    staff = next(r for r in result.items if r.audience == "staff" and r.indicator_id == "2.2")
    expected = newcombe_difference(18, 20, 5, 20)
    assert staff.change == pytest.approx(65)
    assert (staff.low, staff.high) == pytest.approx((expected.low * 100, expected.high * 100))
    assert staff.significant is True
    parents = next(r for r in result.items if r.audience == "parents")
    assert parents.change == pytest.approx(5) and parents.significant is False
    partners = next(r for r in result.items if r.audience == "partners")
    assert partners.change is None and partners.significant is None
    assert partners.earlier.suppressed and "cannot show figures" in partners.reason


def test_compare_refuses_other_frameworks_and_itself(app: Flask, pair, live_round) -> None:
    now, _ = pair
    csit = live_round(framework="csit-red-threads", indicators=["1.1"], audiences=["staff"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, now)
        with pytest.raises(ValueError, match="different frameworks"):
            compare_rounds(rnd, db.session.get(FeedbackRound, csit))
        with pytest.raises(ValueError, match="different round"):
            compare_rounds(rnd, rnd)


def test_compare_page(client: FlaskClient, coordinator, pair, live_round) -> None:
    now, _ = pair
    live_round(framework="csit-red-threads", indicators=["1.1"], audiences=["staff"], name="CSIT")
    page = client.get(f"/results/{now}/compare")  # defaults to the earlier round
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    options = text_of(html[html.index('<select id="earlier"') : html.index("</select>")])
    assert options == "Last year (2024)"  # other frameworks are not offered
    row = row_of(html, "2.2 “We treat all parents fairly.”")
    assert "25% n = 20 90% n = 20 +65 points" in row and "Yes : a real rise" in row
    parents = row_of(html, "2.2 “I am satisfied with the services my child receives.”")
    assert "No: could be chance" in parents
    partners = row_of(html, "5.1 “This service tells us promptly")
    assert "Fewer than 5 responses" in partners and "Not compared" in partners
    assert (
        "1 statement new or reworded in this round, 1 asked only in the earlier round"
        in text_of(html)
    )


def test_compare_page_rejects_a_round_not_in_the_list(
    client: FlaskClient, coordinator, pair, live_round
) -> None:
    now, _ = pair
    theirs = live_round("Org B", name="Their round")
    for bad in (str(theirs), "not-a-uuid", str(now)):
        page = client.get(f"/results/{now}/compare?earlier={bad}")
        assert page.status_code == 422
        html = page.get_data(as_text=True)
        assert "Choose one of the rounds in the list." in html and "error-summary" in html
        assert "Their round" not in html

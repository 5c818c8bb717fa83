"""The API's figures are the pages' figures: the same cells, suppressed the same way, and a
suppressed cell is always an explicit object with its reason, never a missing key or a 0."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.extensions import db
from app.models import Channel, FeedbackRound
from app.services.results import CellStatus, RoundResults
from tests.app.api.conftest import Api
from tests.app.api.test_auth import ROUND, _problem
from tests.app.results.helpers import row_of, text_of
from tests.support import login

FEWER = {"suppressed": True, "reason": "fewer than 5 responses"}
PROTECTS = {"suppressed": True, "reason": "protects a smaller group"}


@pytest.fixture
def two_groups(live_round, respond) -> uuid.UUID:
    """Staff 10 and parents 20 on 2.2 and 5.1; partners 3 (under k=5) on 5.1."""
    rid = live_round(indicators=["2.2", "5.1"], audiences=["staff", "partners", "parents"])
    respond(rid, "staff", {"sa": 4, "a": 4, "d": 2})
    respond(rid, "parents", {"sa": 5, "a": 6, "d": 6, "sd": 3, "dk": 0})
    respond(rid, "partners", {"sa": 3})
    return rid


COUNTS = ("respondents", "people", "base", "favourable", "dont_know")
MEASURES = {"percent_favourable": "percent", "ci_low": "ci_low", "ci_high": "ci_high"}


def _cell_matches(api_figures: dict[str, Any], cell, distribution=None) -> None:
    """The API cell says exactly what the page's cell says."""
    if cell.status == CellStatus.SUPPRESSED:
        assert api_figures == FEWER
        return
    assert api_figures["suppressed"] is False
    assert api_figures["status"] == ("empty" if cell.status == CellStatus.EMPTY else "shown")
    for name in COUNTS:
        assert api_figures[name] == (getattr(cell, name) or 0), name
    for name, page_name in MEASURES.items():
        assert api_figures[name] == getattr(cell, page_name), name
    assert api_figures["quantity_word"] == cell.word
    assert api_figures["evidence"] == cell.evidence
    assert api_figures["distribution"] == distribution


def test_every_figure_equals_the_pages(
    client: FlaskClient, api: Api, two_groups, results_of, make_user
) -> None:
    page: RoundResults = results_of(two_groups)
    body = api.get(f"/rounds/{two_groups}/results").get_json()
    assert body["status"] == "live" and body["final"] is False and body["threshold"] == 5
    assert body["total_respondents"] == PROTECTS  # 33 would give the 3 partners away
    by_indicator = {i["indicator_id"]: i for i in body["indicators"]}
    assert list(by_indicator) == [i.indicator_id for i in page.indicators]
    for indicator in page.indicators:
        cells = {c["column"]: c["figures"] for c in by_indicator[indicator.indicator_id]["cells"]}
        assert set(cells) == set(indicator.cells)
        for key, cell in indicator.cells.items():
            _cell_matches(cells[key], cell)
        items = {i["item_id"]: i for i in by_indicator[indicator.indicator_id]["items"]}
        page_items = page.items_for(indicator.indicator_id)
        assert set(items) == {str(i.item_id) for i in page_items}
        for item in page_items:
            _cell_matches(items[str(item.item_id)]["figures"], item.cell, item.distribution)
    audiences = {a["audience"]: a for a in body["audiences"]}
    assert audiences["partners"]["respondents"] == FEWER
    assert audiences["partners"]["by_channel"] == {
        "email": FEWER,
        "open_link": FEWER,
        "paper": FEWER,
        "kiosk": FEWER,
    }
    assert audiences["staff"]["respondents"] == 10 and audiences["parents"]["respondents"] == 20

    # And as printed on the overview page.
    make_user("viewer@a.example", "Org A", "viewer")
    login(client, "viewer@a.example")
    html = client.get(f"/results/{two_groups}").get_data(as_text=True)
    row = row_of(html, "2.2 Impact on parents/carers and families")
    staff = next(c for c in by_indicator["2.2"]["cells"] if c["audience"] == "staff")["figures"]
    assert (
        f"{staff['quantity_word'].capitalize()} {round(staff['percent_favourable'])}% n = 10" in row
    )
    assert "Fewer than 5 responses" in row_of(html, "5.1 Knowing")
    indicator_page = text_of(
        client.get(f"/results/{two_groups}/indicators/2.2").get_data(as_text=True)
    )
    for item in by_indicator["2.2"]["items"]:
        if item["figures"]["suppressed"] is False and item["figures"]["status"] == "shown":
            assert item["figures"]["evidence"] in indicator_page


def test_no_key_is_missing_where_a_figure_is_hidden(api: Api, two_groups) -> None:
    """Every figure field is present in every cell: a number, null by definition, or the
    suppressed object; a client can never read an absent key as zero."""
    body = api.get(f"/rounds/{two_groups}/results").get_json()
    figures = [c["figures"] for i in body["indicators"] for c in i["cells"]] + [
        it["figures"] for i in body["indicators"] for it in i["items"]
    ]
    hidden = [f for f in figures if f["suppressed"]]
    assert hidden and all(f in (FEWER, PROTECTS) for f in hidden)
    assert "partners" not in str(
        [f for f in figures if not f["suppressed"] and f["respondents"] == 3]
    )


def test_channel_hidden_to_protect_another_says_so(api: Api, live_round, respond) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "parents", {"a": 31}, channel=Channel.EMAIL)
    respond(rid, "parents", {"a": 12}, channel=Channel.OPEN_LINK, seed=1)
    respond(rid, "parents", {"a": 2}, channel=Channel.PAPER, seed=2)
    respond(rid, "staff", {"a": 6})
    body = api.get(f"/rounds/{rid}/results").get_json()
    parents = next(a for a in body["audiences"] if a["audience"] == "parents")
    assert parents["respondents"] == 45
    assert parents["by_channel"] == {
        "email": 31,
        "open_link": PROTECTS,
        "paper": FEWER,
        "kiosk": 0,
    }
    assert body["total_respondents"] == 51  # nothing under k: the total is shown


def test_response_rates_equal_the_dashboard(
    app: Flask, client: FlaskClient, api: Api, coordinator, live_round, respond
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "parents", {"a": 8}, channel=Channel.OPEN_LINK)
    respond(rid, "staff", {"a": 3}, channel=Channel.OPEN_LINK, seed=1)
    body = api.get(f"/rounds/{rid}/response-rates").get_json()
    rates = {a["audience"]: a for a in body["audiences"]}
    assert rates["parents"]["answers_received"] == 8
    assert rates["parents"]["by_channel"] == {
        "email": 0,
        "open_link": 8,
        "paper": 0,
        "kiosk": 0,
    }
    assert rates["parents"]["email_response_rate"] is None  # nobody invited by email
    assert rates["staff"]["answers_received"] == FEWER
    assert body["total"]["answers_received"] == PROTECTS
    html = client.get(f"/rounds/{rid}/responses").get_data(as_text=True)
    assert "Fewer than 5" in row_of(html, "Staff")
    assert "8" in row_of(html, "Parents")
    assert "Not shown (protects a smaller group)" in row_of(html, "All")


def test_a_drafts_results_are_409(api: Api) -> None:
    rid = api.post("/rounds", ROUND).get_json()["id"]
    _problem(api.get(f"/rounds/{rid}/results"), 409)


def test_results_freeze_at_close(app: Flask, api: Api, two_groups) -> None:
    assert api.post(f"/rounds/{two_groups}/close").status_code == 200
    body = api.get(f"/rounds/{two_groups}/results").get_json()
    assert body["status"] == "closed" and body["final"] is True
    with app.app_context():
        rnd = db.session.get(FeedbackRound, two_groups)
        assert rnd is not None and rnd.closed_at is not None


def _splits_publishing(by_channel: dict[str, Any], respondents: int) -> dict[str, set[int]]:
    """An insider's solver: every split of the audience's respondents into channels that the
    API would publish exactly as `by_channel` (counts and reasons), and each channel's values."""
    from app.services.results.audiences import channel_split

    values: dict[str, set[int]] = {c.value: set() for c in Channel}
    names = [c.value for c in Channel]
    for email in range(respondents + 1):
        for link in range(respondents - email + 1):
            for paper in range(respondents - email - link + 1):
                rest = respondents - email - link - paper
                world = dict(zip(names, (email, link, paper, rest), strict=True))
                split = channel_split(world, 5)
                seen = {
                    c: split.shown[c]
                    if split.shown[c] is not None
                    else (FEWER if c in split.primary else PROTECTS)
                    for c in names
                }
                if seen == by_channel:
                    for c in names:
                        values[c].add(world[c])
    return values


def test_an_insider_cannot_work_a_hidden_channel_out_from_the_rules(
    client: FlaskClient, api: Api, live_round, respond, make_user
) -> None:
    """Parents 26: email 20, open link 5, paper 1 (k = 5). Suppression alone hides paper (under
    k) and open link (to protect it), and says which is which; but open link hidden to protect
    is at least 5, paper under k is at least 1, and together they are 26 - 20 = 6: paper 1 and
    open link 5, worked out. So no channel of the audience is shown: not by the API, the page
    or the workbook, and the solver finds every hidden channel with more than one value."""
    from surveys.suppression import suppress_counts

    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "parents", {"a": 20}, channel=Channel.EMAIL)
    respond(rid, "parents", {"a": 5}, channel=Channel.OPEN_LINK, seed=1)
    respond(rid, "parents", {"a": 1}, channel=Channel.PAPER, seed=2)
    respond(rid, "staff", {"a": 6})
    # Before this guard: the published split was the plain suppression, and it gave both away.
    old = suppress_counts({"email": 20, "open_link": 5, "paper": 1, "kiosk": 0}, 5)
    assert old.shown["email"] == 20 and old.primary == {"paper"}
    assert old.complementary == {"open_link"}  # 26 - 20 = 6 = 5 + 1, the only way

    body = api.get(f"/rounds/{rid}/results").get_json()
    parents = next(a for a in body["audiences"] if a["audience"] == "parents")
    assert parents["respondents"] == 26
    assert parents["by_channel"] == dict.fromkeys(
        ("email", "open_link", "paper", "kiosk"), PROTECTS
    )
    assert parents["email_response_rate"] in (None, PROTECTS)
    solved = _splits_publishing(parents["by_channel"], 26)
    assert all(len(found) >= 2 for found in solved.values()), solved

    make_user("viewer@a.example", "Org A", "viewer")
    login(client, "viewer@a.example")
    row = row_of(client.get(f"/results/{rid}").get_data(as_text=True), "Parents")
    assert row.count("Not shown") == 4 and "20" not in row and "26" in row
    response = client.get(f"/exports/rounds/{rid}.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    response.close()
    audiences = next(
        list(r)
        for ws in book.worksheets
        for r in ws.iter_rows(values_only=True)
        if r and str(r[0]).startswith("Parents")
    )
    assert audiences[2] == audiences[4] == audiences[5] == audiences[6] == "not shown"
    assert audiences[7] == 26

"""Every page, fragment and CLI output honours the threshold (DESIGN.md 6.5, 6.6).

Partners are one short of k = 7 in both rounds, with figures chosen so that nothing else in the
round shares them (83% favourable, n = 6, 5 of 6 per item, 10 of 12 and 15 of 18 pooled, and
their Wilson intervals); their comment has words nobody else wrote. None of it may appear.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Channel, Comment, CommentPrompt
from app.services.synthetic import SyntheticComment
from tests.app.results.helpers import row_of, text_of
from tests.support import csrf_token

K = 7
SECRET = "PARTNER-SECRET-WORDS"
# Every figure the partners' answers would produce, as a page could print it.
FORBIDDEN = [
    "83%",
    "5 of 6",
    "10 of 12",
    "15 of 18",
    "44-97",
    "55-95",
    "61-94",
    "n = 6",
    "83.3",
    SECRET,
]


@pytest.fixture
def rounds(live_round, respond) -> tuple[uuid.UUID, uuid.UUID]:
    """(this year, last year): staff 100% / 90%, parents 50% / 60%, partners k - 1 in both."""

    def fill(rid: uuid.UUID, staff: dict, parents: dict) -> None:
        respond(
            rid,
            "staff",
            staff,
            comments={0: [SyntheticComment("5", CommentPrompt.WORKS_WELL, "Staff words")]},
        )
        respond(rid, "parents", parents)
        # five by email, one on paper: 3 strongly agree, 2 agree, 1 disagree on every item
        respond(
            rid,
            "partners",
            {"sa": 3, "a": 2},
            channel=Channel.EMAIL,
            comments={0: [SyntheticComment("5", CommentPrompt.COULD_BE_BETTER, SECRET)]},
        )
        respond(rid, "partners", {"d": 1}, channel=Channel.PAPER, seed=1)

    common = {"indicators": ["5.1", "8.1"], "audiences": ["staff", "partners", "parents"]}
    earlier = live_round(
        name="Last year",
        threshold=K,
        opens_on=date(2024, 3, 1),
        closes_on=date(2024, 3, 31),
        **common,
    )
    fill(earlier, {"a": 9, "d": 1}, {"a": 12, "d": 8})
    current = live_round(name="This year", threshold=K, **common)
    fill(current, {"a": 10}, {"a": 10, "d": 10})
    return current, earlier


def assert_no_partner_figures(text: str, where: str) -> None:
    for figure in FORBIDDEN:
        assert figure not in text, f"{figure!r} leaked in {where}"


def test_every_page_and_fragment_hides_the_small_group(
    app: Flask, client: FlaskClient, coordinator, rounds
) -> None:
    current, earlier = rounds
    with app.app_context():
        comment = db.session.execute(
            select(Comment.id).where(Comment.text == "Staff words", Comment.round_id == current)
        ).scalar_one()
    base = f"/results/{current}"
    pages = {
        "index": "/results/",
        "overview": base,
        "indicator 5.1": f"{base}/indicators/5.1",
        "indicator 8.1": f"{base}/indicators/8.1",
        "disparities": f"{base}/disparities",
        "red thread": f"{base}/red-thread",
        "red thread section": f"{base}/red-thread?view=section:8",
        "compare": f"{base}/compare?earlier={earlier}",
        "close": f"{base}/close",
        "earlier overview": f"/results/{earlier}",
    }
    for where, path in pages.items():
        for headers in ({}, {"HX-Request": "true"}):  # the page and its HTMX fragment
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (where, response.status_code)
            assert_no_partner_figures(response.get_data(as_text=True), where)

    overview = client.get(base).get_data(as_text=True)
    partners_row = row_of(overview, "Partners")
    # invited by email (0: no invitations in this test) and the notice, nothing else
    assert partners_row == "Partners 0 Fewer than 7 responses"
    # the partners column of the indicator table carries the notice, never digits
    for indicator in ("5.1", "8.1"):
        row = row_of(overview, f"{indicator} ")
        assert row.count("Fewer than 7 responses") == 1
    assert "Not shown" in row_of(overview, "All groups")  # total minus others = 6

    page = client.get(f"{base}/indicators/5.1").get_data(as_text=True)
    section = page[
        page.index('id="group-partners"') : page.index(
            "</section>", page.index('id="group-partners"')
        )
    ]
    assert "<svg" not in section and "<table" not in section
    assert not re.search(r"\d", text_of(section).replace("Fewer than 7", ""))
    assert "comments from this group are not shown" in text_of(page)

    token = csrf_token(client, base)
    fragment = client.post(
        f"{base}/comments/{comment}/hide",
        data={"indicator_id": "5.1"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    ).get_data(as_text=True)
    assert_no_partner_figures(fragment, "hide fragment")


def test_cli_text_and_json_hide_the_small_group(app: Flask, rounds) -> None:
    current, _ = rounds
    runner = app.test_cli_runner()
    text = runner.invoke(args=["rounds", "results", str(current)])
    assert text.exit_code == 0, text.output
    assert_no_partner_figures(text.output, "CLI text")
    partners_lines = [line for line in text.output.splitlines() if "  Partners " in line]
    assert partners_lines and all("Fewer than 7 responses" in line for line in partners_lines)

    raw = runner.invoke(args=["rounds", "results", str(current), "--json"])
    assert raw.exit_code == 0, raw.output
    assert_no_partner_figures(raw.output, "CLI JSON")
    data = json.loads(raw.output)
    partners = next(a for a in data["audiences"] if a["audience"] == "partners")
    assert {k: partners[k] for k in ("respondents", "completed", "paper_responses")} == {
        "respondents": None,
        "completed": None,
        "paper_responses": None,
    }
    assert data["total_respondents"] is None
    for indicator in data["indicators"]:
        cell = indicator["cells"]["partners"]
        numbers = ("respondents", "base", "favourable", "dont_know", "percent", "ci_low", "ci_high")
        assert all(cell[key] is None for key in numbers) and cell["word"] is None
        assert all(a != "partners" for d in indicator["disparities"] for a, _ in d["percents"])
    assert all(i["distribution"] is None for i in data["items"] if i["audience"] == "partners")


def test_the_same_group_at_k_is_shown(
    app: Flask, client: FlaskClient, coordinator, live_round, respond
) -> None:
    """The control: one more partner and the figures appear, so the test above can fail."""
    rid = live_round(indicators=["5.1"], audiences=["staff", "partners"], threshold=K)
    respond(rid, "staff", {"a": 10})
    respond(rid, "partners", {"sa": 3, "a": 3, "d": 1})
    page = text_of(client.get(f"/results/{rid}/indicators/5.1").get_data(as_text=True))
    assert "86%, 6 of 7" in page

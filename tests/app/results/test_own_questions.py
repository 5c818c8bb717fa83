"""The round's own questions in the results (issue 20): submissions sealed and released through
the mix, figures per audience with every cell suppressed, intervals checked with statsmodels,
words shown as comments (k or more, hideable)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from statsmodels.stats.proportion import proportion_confint

from app.extensions import db
from app.models import FeedbackRound, QuestionText, RoundQuestion
from app.services.results import round_results
from tests.app.results.own_helpers import SPECS, answered_round, question_ids, seal, with_questions
from tests.support import csrf_token


@pytest.fixture
def answered(app: Flask) -> dict[str, Any]:
    return answered_round(app)


def results(app: Flask, round_id: uuid.UUID) -> Any:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return round_results(rnd)


def by_audience(result: Any) -> dict[str, Any]:
    return {c.audience: c for c in result.cells}


def test_figures_of_each_type_match_an_independent_count(app: Flask, answered) -> None:
    found = results(app, answered["id"]).own_questions
    assert [q.kind.value for q in found] == [
        "yes_no",
        "one_choice",
        "several_choices",
        "number",
        "free_text",
    ]
    yes_no, one, several, number, _text = (by_audience(q) for q in found)
    staff = yes_no["staff"].figures
    assert [c.count for c in staff.cells] == [15, 5, 0] and staff.no_answer.count == 0
    assert staff.headline == pytest.approx(75.0)
    assert staff.headline_interval == pytest.approx(
        proportion_confint(15, 20, alpha=0.05, method="wilson"), abs=1e-12
    )
    # parents: 5 yes and 1 no: the "no" is a person, so it and its complement are hidden
    parents = yes_no["parents"].figures
    assert parents is None or [c.count for c in parents.cells][1] is None
    # 2 chose "other": hidden, with the smallest other option as its complement
    assert [c.count for c in one["staff"].figures.cells] == [10, None, None]
    assert [c.status for c in one["staff"].figures.cells] == ["shown", "withheld", "suppressed"]
    several_staff = several["staff"].figures
    for cell, chosen in zip(several_staff.cells, (8, 8, 12), strict=True):
        assert cell.count == chosen
        assert cell.interval == pytest.approx(
            proportion_confint(chosen, 20, alpha=0.05, method="wilson"), abs=1e-12
        )
    bins = number["staff"].figures
    assert [c.count for c in bins.cells] == [5, 5, 10]
    assert bins.headline == pytest.approx(9.5)  # 0..19, every cell shown and 20 answers


def test_only_agree_and_faces_statements_feed_percent_favourable(app: Flask, answered) -> None:
    found = results(app, answered["id"])
    assert all(item.scale_id in {"agree4", "faces3", "progress5"} for item in found.items)
    for indicator in found.indicators:
        for cell in indicator.cells.values():
            assert cell.respondents is None or cell.base in (0, None)  # no statements answered


def test_the_results_page_shows_every_type_and_words_as_comments(
    app: Flask, client: FlaskClient, coordinator: Any, answered
) -> None:
    page = client.get(f"/results/{answered['id']}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for spec in SPECS:
        assert spec.text.replace("'", "&#39;") in body
    assert all(f"Idea number {n}" in body for n in range(6))
    # Two staff wrote an "other": their count is hidden, so listing their words would count it.
    assert "Word of mouth" not in body
    assert "too few people in this group chose “Other”" in body
    assert "Percent yes (of yes and no)" in body and "75%" in body


def test_words_are_hidden_for_small_groups_and_can_be_hidden_by_a_coordinator(
    app: Flask, client: FlaskClient, coordinator: Any, live_round: Callable[..., uuid.UUID]
) -> None:
    round_id = live_round(threshold=5, edit=with_questions)
    text = question_ids(app, round_id)[4]
    seal(app, round_id, "staff", [[(text, [], f"Staff idea {n}")] for n in range(5)])
    seal(app, round_id, "parents", [[(text, [], f"Parent idea {n}")] for n in range(4)])
    body = client.get(f"/results/{round_id}").get_data(as_text=True)
    assert all(f"Staff idea {n}" in body for n in range(5))
    assert "Parent idea" not in body
    assert "words from this group are not shown" in body
    with app.app_context():
        text_id = db.session.execute(
            select(QuestionText.id).where(QuestionText.text == "Staff idea 2")
        ).scalar_one()
    token = csrf_token(client, "/")
    response = client.post(
        f"/results/{round_id}/own-answers/{text_id}/hide", data={"csrf_token": token}
    )
    assert response.status_code == 303
    body = client.get(f"/results/{round_id}").get_data(as_text=True)
    assert "1 hidden by a coordinator" in body
    assert body.count("Staff idea 2") == 1  # only in the coordinators' hidden list
    assert "Hidden (1), seen only by coordinators" in body
    show = f"/results/{round_id}/own-answers/{text_id}/show"
    form = re.search(rf'<form [^>]*action="{show}"[^>]*>', body)
    assert form is not None and "hx-post" not in form.group(0)  # a plain form on this page
    assert client.post(show, data={"csrf_token": token}).status_code == 303
    body = client.get(f"/results/{round_id}").get_data(as_text=True)
    assert "Hidden (1)" not in body and "Staff idea 2" in body
    client.post(f"/results/{round_id}/own-answers/{text_id}/hide", data={"csrf_token": token})
    with app.app_context():
        assert (
            db.session.execute(
                select(QuestionText.text).where(QuestionText.id == text_id)
            ).scalar_one()
            == "Staff idea 2"
        )  # hidden, never edited
    # Another round's words cannot be hidden from this one.
    response = client.post(
        f"/results/{round_id}/own-answers/{uuid.uuid4()}/hide", data={"csrf_token": token}
    )
    assert response.status_code == 404


def test_a_question_bound_to_an_indicator_is_shown_beside_it(
    app: Flask, client: FlaskClient, coordinator: Any, answered
) -> None:
    body = client.get(f"/results/{answered['id']}/indicators/2.2").get_data(as_text=True)
    assert "Your own questions beside this indicator" in body
    assert "How many times did you visit?" in body
    assert "Did you get our leaflet?" not in body
    with app.app_context():
        assert (
            db.session.execute(
                select(RoundQuestion.indicator_id).where(RoundQuestion.kind == "number")
            ).scalar_one()
            == "2.2"
        )


def test_the_workbook_holds_every_figure_suppressed_and_the_words(
    app: Flask, client: FlaskClient, coordinator: Any, answered
) -> None:
    import io

    from openpyxl import load_workbook

    response = client.get(f"/exports/rounds/{answered['id']}.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    response.close()
    rows = [r for r in wb["Own questions"].iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r and r[0] == "Question"))
    body = [dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :]]

    def figure(question: str, audience: str, answer: str) -> dict[str, Any]:
        return next(
            r
            for r in body
            if r["Question"] == question and r["Audience"] == audience and r["Answer"] == answer
        )

    staff = "Staff"
    assert figure("Did you get our leaflet?", staff, "Yes")["Count"] == 15
    yes = figure("Did you get our leaflet?", staff, "Percent yes")
    assert yes["%"] == pytest.approx(0.75)
    low, high = proportion_confint(15, 20, alpha=0.05, method="wilson")
    assert (yes["95% CI low"], yes["95% CI high"]) == (pytest.approx(low), pytest.approx(high))
    other = figure("How did you hear about this survey?", staff, "Other, please say")
    assert other["Count"] == "Fewer than 5" and other["%"] is None
    poster = figure("How did you hear about this survey?", staff, "Poster")
    assert poster["Count"] == "Not shown (protects a smaller group)"
    assert figure("How many times did you visit?", staff, "10 to 30")["Count"] == 10
    assert figure("How many times did you visit?", staff, "Median")["Count"] == 9.5
    library = figure("Which services do you use?", staff, "Library")
    assert library["Count"] == 8 and library["%"] == pytest.approx(0.4)
    # Every count shown is 0 or at least k
    assert all(not isinstance(r["Count"], int) or r["Count"] == 0 or r["Count"] >= 5 for r in body)
    words = [r for r in wb["Own answers"].iter_rows(values_only=True)]
    written = {r[2] for r in words if r and r[0] == "What one thing would you change?"}
    assert written == {f"Idea number {n}" for n in range(6)} | {"Parents' idea"}
    assert not any(r and r[2] == "Word of mouth" for r in words)


def test_the_cli_json_carries_the_suppressed_figures(app: Flask, answered) -> None:
    import json

    result = app.test_cli_runner().invoke(args=["rounds", "results", str(answered["id"]), "--json"])
    assert result.exit_code == 0, result.output
    own = json.loads(result.output)["own_questions"]
    assert [q["kind"] for q in own][:2] == ["yes_no", "one_choice"]
    other = next(
        f for f in own[1]["figures"] if f["audience"] == "staff" and f["answer_code"] == "other"
    )
    assert other["count"] is None and other["hidden"] == "Fewer than 5"

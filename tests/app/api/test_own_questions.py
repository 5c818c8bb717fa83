"""The API's figures for the round's own questions (issue 20) are the workbook's and pages':
every count suppressed, a hidden one an explicit object with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from statsmodels.stats.proportion import proportion_confint

from tests.app.api.conftest import Api
from tests.app.results.own_helpers import answered_round

FEWER = {"suppressed": True, "reason": "fewer than 5 responses"}
PROTECTS = {"suppressed": True, "reason": "protects a smaller group"}


def test_own_question_figures_are_suppressed_like_every_other(app: Flask, api: Api) -> None:
    round_id = answered_round(app)["id"]
    body = api.get(f"/rounds/{round_id}/results").get_json()
    found = {q["text"]: q for q in body["own_questions"]}
    assert [q["kind"] for q in body["own_questions"]] == [
        "yes_no",
        "one_choice",
        "several_choices",
        "number",
        "free_text",
    ]

    def figure(question: str, audience: str, code: str) -> dict[str, Any]:
        rows = found[question]["figures"]
        return next(r for r in rows if r["audience"] == audience and r["answer_code"] == code)

    assert figure("Did you get our leaflet?", "staff", "yes")["count"] == 15
    yes = figure("Did you get our leaflet?", "staff", "percent_yes")
    assert yes["count"] is None and yes["percent"] == pytest.approx(75)
    low, high = proportion_confint(15, 20, alpha=0.05, method="wilson")
    assert yes["ci_low"] == pytest.approx(100 * low) and yes["ci_high"] == pytest.approx(100 * high)
    hear = "How did you hear about this survey?"
    assert figure(hear, "staff", "other")["count"] == FEWER
    assert figure(hear, "staff", "o2")["count"] == PROTECTS
    # parents: 5 yes and 1 no with k = 5: hiding the 1 and the 5 beside a total of 6 would
    # still pin both down, so the question shows nothing for them
    assert figure("Did you get our leaflet?", "parents", "no")["count"] == PROTECTS
    assert figure("Did you get our leaflet?", "parents", "yes")["count"] == PROTECTS
    assert figure("Did you get our leaflet?", "parents", "percent_yes")["percent"]["suppressed"]
    assert found["How many times did you visit?"]["indicator_id"] == "2.2"
    assert found["Did you get our leaflet?"]["indicator_id"] is None
    assert figure("How many times did you visit?", "staff", "median")["percent"] == 9.5
    for question in body["own_questions"]:
        for row in question["figures"]:
            count = row["count"]
            assert count is None or isinstance(count, dict) or count == 0 or count >= 5, row

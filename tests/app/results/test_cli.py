"""`flask --app wsgi rounds results ROUND_ID [--json]`."""

from __future__ import annotations

import json
import uuid

from flask import Flask


def test_results_as_text(app: Flask, live_round, respond) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"sa": 4, "a": 4, "d": 2})
    respond(rid, "parents", {"a": 6, "dk": 1})
    result = app.test_cli_runner().invoke(args=["rounds", "results", str(rid)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Spring feedback (A guide to evaluating services for children")
    assert "Live: figures change as responses arrive." in lines
    assert any(line.split() == ["All", "groups", "responses", "17"] for line in lines)
    staff = next(line for line in lines if line.strip().startswith("Staff") and "%" in line)
    assert "most 80% (n = 10; 16 of 20 answers favourable, from 10 people; 95% CI" in staff
    assert "Gap between groups: 20 percentage points" in result.output


def test_results_as_json(app: Flask, live_round, respond) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"sa": 5})
    respond(rid, "parents", {"a": 6})
    result = app.test_cli_runner().invoke(args=["rounds", "results", str(rid), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["round_id"] == str(rid) and data["threshold"] == 5
    assert data["indicators"][0]["cells"]["staff"]["percent"] == 100
    assert len(data["items"]) == 2 + 4


def test_bad_unknown_and_draft_rounds_are_clear_errors(app: Flask, live_round) -> None:
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["rounds", "results", "nope"])
    assert bad.exit_code == 2 and "'nope' is not a round id" in bad.output
    unknown = runner.invoke(args=["rounds", "results", str(uuid.uuid4())])
    assert unknown.exit_code == 1 and "There is no round with id" in unknown.output
    draft = live_round(live=False)
    result = runner.invoke(args=["rounds", "results", str(draft)])
    assert result.exit_code == 1 and "This round is a draft" in result.output

"""`questionnaire preview`, `rounds list` and the rounds part of `demo`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from app.cli import demo_rounds
from app.extensions import db
from app.models import FeedbackRound, ItemOrigin, RoundStatus, User
from app.services.accounts import get_or_create_organisation
from frameworks import builtin_frameworks
from surveys.questionnaire import Questionnaire

HMIE = builtin_frameworks()["hmie-children-services"]


def _preview(app: Flask, *args: str):
    return app.test_cli_runner().invoke(
        args=["questionnaire", "preview", "hmie-children-services", *args]
    )


def test_preview_prints_the_questionnaire_readably(app: Flask) -> None:
    result = _preview(app, "--indicators", "2.1,2.2", "--audience", "parents", "--free-text")
    assert result.exit_code == 0, result.output
    bank = [s.statement for ind in ("2.1", "2.2") for s in HMIE.indicator(ind).items["parents"]]
    assert result.output.startswith(f"Parents and carers: {len(bank)} questions, about ")
    positions = [result.output.index(statement) for statement in bank]
    assert positions == sorted(positions)  # every bank item, in order
    assert "Strongly agree / Agree / Disagree / Strongly disagree / Don't know" in result.output
    assert "(free text) What works well?" in result.output


def test_preview_json_is_the_questionnaire_dict(app: Flask) -> None:
    result = _preview(
        app, "--indicators", "section:2", "--audience", "children", "--json", "--role-question"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    q = Questionnaire.from_dict(data)
    assert q.easy_read and {i.scale_id for i in q.items} == {"faces3"}
    assert q.role_question is None  # never asked of children
    assert set(q.indicator_ids) <= {i.id for i in HMIE.indicators_in("2")}


def test_preview_children_thirteen_and_over_answer_like_adults(app: Flask) -> None:
    result = _preview(
        app,
        "--indicators",
        "2.1",
        "--audience",
        "children",
        "--json",
        "--children-band",
        "13_plus",
    )
    data = json.loads(result.output)
    assert not data["easy_read"]
    assert {i["scale_id"] for s in data["sections"] for i in s["items"]} == {"agree4"}


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--indicators", "2.1,9.9", "--audience", "parents"], 2, "Unknown indicator: '9.9'"),
        (["--indicators", "section:99", "--audience", "parents"], 2, "Unknown section"),
        (["--indicators", "2.1", "--audience", "aliens"], 2, "Unknown audience: 'aliens'"),
        (["--indicators", "3.1", "--audience", "parents"], 1, "None of the chosen indicators"),
        (["--indicators", "", "--audience", "parents"], 2, "at least one indicator"),
    ],
)
def test_preview_bad_input_is_a_clear_error(
    app: Flask, args: list[str], code: int, words: str
) -> None:
    result = _preview(app, *args)
    assert result.exit_code == code, result.output
    assert words in result.output


def test_preview_unknown_framework(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["questionnaire", "preview", "nope", "--indicators", "2.1", "--audience", "parents"]
    )
    assert result.exit_code == 2
    assert "There is no built-in framework 'nope'" in result.output
    assert "hmie-children-services" in result.output


def test_rounds_list(app: Flask, make_round: Callable[..., uuid.UUID]) -> None:
    round_id = make_round(name="Spring feedback")
    make_round("Org B", name="Not ours")
    result = app.test_cli_runner().invoke(args=["rounds", "list", "--org", "Org A"])
    assert result.exit_code == 0, result.output
    assert str(round_id) in result.output and "Spring feedback" in result.output
    assert "draft" in result.output and "Not ours" not in result.output
    missing = app.test_cli_runner().invoke(args=["rounds", "list", "--org", "Nobody"])
    assert missing.exit_code == 2 and "no organisation called 'Nobody'" in missing.output


def test_demo_seed_adds_a_draft_hmie_round(app: Flask) -> None:
    with app.app_context():
        org = get_or_create_organisation("Demo org")
        lines = demo_rounds.seed(org, User(email="c@demo.example"), today=date(2027, 1, 10))
        db.session.commit()
        rnd = db.session.execute(select(FeedbackRound)).scalar_one()
        assert rnd.status == RoundStatus.DRAFT and rnd.framework_id == HMIE.id
        assert rnd.indicator_ids == ["2.1", "2.2", "3.1", "5.1", "8.1"]
        assert {q.audience for q in rnd.questionnaires} == {
            "parents",
            "children_under_8",
            "children_8_to_12",
            "children_13_plus",
            "staff",
            "partners",
        }
        assert rnd.opens_on == date(2027, 1, 17) and rnd.closes_on > rnd.opens_on
        assert all(i.origin == ItemOrigin.BANK for q in rnd.questionnaires for i in q.items)
    assert rnd.name in lines[0] and "parents and carers" in lines[0]

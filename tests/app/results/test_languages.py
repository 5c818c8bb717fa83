"""Answers in every language pool into one figure; languages are counted per audience at
release, never on a response, and shown only in the final results, each group at least k with
complementary suppression (issue 17; DESIGN.md 6.1, 6.5, 6.6)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select

from app.extensions import db
from app.models import Channel, FeedbackRound, LanguageCount, Response
from app.services import mix
from app.services.mix.release import release_round
from tests.app.results.conftest import item_ids
from tests.app.results.helpers import text_of

# Per language: how many people, and the answer each gave to every statement.
GROUPS = {"cy": (4, "sa"), "en": (3, "d"), "ar": (1, "a")}


@pytest.fixture
def answered(app: Flask, live_round: Callable[..., uuid.UUID]) -> uuid.UUID:
    """A staff round (k = 3, closed by its dates) answered in three languages, released."""
    round_id = live_round(audiences=("staff",), threshold=3)
    items = item_ids(app, round_id, "staff")
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.languages = ["en", "cy", "ar"]
        sealed = [
            mix.Sealed(Channel.EMAIL, None, [(str(i), answer) for i in items], [], language=code)
            for code, (people, answer) in GROUPS.items()
            for _ in range(people)
        ]
        mix.put(round_id, "staff", sealed)
        release_round(round_id, everything=True)
        db.session.commit()
    return round_id


def test_answers_in_every_language_pool_into_one_figure(
    app: Flask, answered: uuid.UUID, results_of: Callable[[uuid.UUID], Any]
) -> None:
    results = results_of(answered)
    people = sum(n for n, _ in GROUPS.values())
    for item in results.items:
        # one figure per item: the sum over the languages, as if all had answered in one
        expected = {"sa": 4, "a": 1, "d": 3}
        assert {k: v for k, v in (item.distribution or {}).items() if v} == expected
        assert item.cell.respondents == people and item.cell.favourable == 5
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Response)).scalar() == people
        counted = dict(
            db.session.execute(select(LanguageCount.language, LanguageCount.count)).all()
        )
        columns = {c["name"] for c in inspect(db.engine).get_columns("response")}
    assert counted == {code: n for code, (n, _) in GROUPS.items()}
    assert sum(counted.values()) == people
    assert not any("lang" in c for c in columns)


def test_the_language_breakdown_honours_the_threshold(
    client: FlaskClient, coordinator: Any, answered: uuid.UUID
) -> None:
    page = client.get(f"/results/{answered}")
    text = text_of(page.get_data(as_text=True))
    assert "Languages people answered in" in text
    row = text[text.index("Responses per group and language") :]
    row = row[: row.index("Answers in every language count together")]
    assert "Group English Welsh Arabic Staff" in row
    # Arabic 1 is under k, and English 3 would be hidden to protect it (8 - 4 - 3 gives 1).
    # That alone still gives both away: English hidden to protect is at least 3 and at most
    # Welsh's 4, Arabic is 1 or 2, together 8 - 4 = 4, so Arabic 1 and English 3. So no
    # language of the group is shown (surveys.pinning), and none reads "fewer than 3".
    staff = row[row.index("Staff") + len("Staff") :].strip()
    assert staff == " ".join(["Not shown (protects a smaller group)"] * 3)


def test_no_breakdown_while_the_round_is_live(
    app: Flask, client: FlaskClient, coordinator: Any, live_round: Callable[..., uuid.UUID]
) -> None:
    from datetime import timedelta

    from app.services.responding import today

    round_id = live_round(
        audiences=("staff",), threshold=3, opens_on=today(), closes_on=today() + timedelta(days=9)
    )
    items = item_ids(app, round_id, "staff")
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.languages = ["en", "cy"]
        mix.put(
            round_id,
            "staff",
            [mix.Sealed(Channel.EMAIL, None, [(str(i), "a") for i in items], [], "cy")] * 6,
        )
        release_round(round_id)
        db.session.commit()
    assert "Languages people answered in" not in client.get(f"/results/{round_id}").text

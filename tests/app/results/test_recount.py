"""The grouped query's figures equal a plain recount of the rows (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Channel, FeedbackRound, Response
from app.services.results import answer_counts, round_results
from app.services.synthetic import Profile, insert_responses, items_of, random_answers
from surveys.scales import get_scale


def test_grouped_counts_equal_a_row_by_row_recount(app: Flask, live_round) -> None:
    rid = live_round(
        indicators=["2.1", "2.2", "5.1"], audiences=["staff", "parents", "children"], threshold=5
    )
    noise = live_round("Org B", indicators=["2.1", "2.2", "5.1"], audiences=["staff", "parents"])
    rng = random.Random(7)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        for audience, n, channel in (
            ("staff", 37, Channel.EMAIL),
            ("parents", 52, Channel.OPEN_LINK),
            ("parents", 11, Channel.PAPER),
            ("children", 23, Channel.OPEN_LINK),
        ):
            answers = random_answers(items_of(rnd, audience), n, Profile(dont_know=0.1), rng)
            insert_responses(rnd, audience, answers, channel=channel)
        other = db.session.get(FeedbackRound, noise)  # another round's answers must not count
        insert_responses(
            other, "staff", random_answers(items_of(other, "staff"), 9, Profile(), rng)
        )
        db.session.commit()

        # plain recount: every answer row, counted in Python
        recount: dict = defaultdict(Counter)
        for item_id, value in db.session.execute(
            select(Answer.item_id, Answer.value).where(Answer.round_id == rid)
        ):
            recount[item_id][value] += 1
        people = Counter(
            db.session.execute(select(Response.audience).where(Response.round_id == rid)).scalars()
        )

        grouped = answer_counts(rid)
        assert {k: dict(v) for k, v in recount.items()} == {k: dict(v) for k, v in grouped.items()}

        results = round_results(rnd)
        for item in results.items:
            expected = recount[item.item_id]
            scale = get_scale(item.scale_id)
            assert item.distribution == {code: expected.get(code, 0) for code in scale.codes}
            favourable = sum(expected[c] for c in scale.favourable_codes)
            assert item.cell.favourable == favourable
            assert item.cell.base == sum(expected.values()) - expected["dk"]
        for summary in results.audiences:
            assert summary.respondents == people[summary.audience]
        assert results.audience("parents").open_link_responses == 52
        assert results.audience("parents").paper_responses == 11
        assert results.total_respondents == sum(people.values()) == 123
        # an indicator's pooled figure is the sum over its items, recounted
        for indicator in results.indicators:
            for audience, cell in indicator.cells.items():
                items = results.items_for(indicator.indicator_id, audience)
                assert cell.favourable == sum(i.cell.favourable for i in items)
                assert cell.base == sum(i.cell.base for i in items)

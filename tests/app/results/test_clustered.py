"""Indicator figures carry the clustered interval (respondents as clusters, DESIGN.md 7) and the
number of people behind the answers: through the service, the indicator page and the workbook,
on a small round whose interval is worked out by hand; the per-respondent tallies equal a
row-by-row recount (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import math
import random
import re
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from statistics import NormalDist
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.dates import today
from app.extensions import db
from app.models import Answer, FeedbackRound, Response
from app.services.mix import shown
from app.services.results import round_results
from app.services.results.clusters import cached_batches, clear_cache
from app.services.synthetic import Profile, insert_responses, items_of, random_answers
from surveys.scales import get_scale
from tests.app.results.helpers import row_of, text_of

# Five parents answer the four statements of 2.2 (sa/a favourable; dk left out):
PARENTS = [
    ("sa", "a", "a", "a"),  # f = 4 of v = 4
    ("a", "a", "d", "dk"),  # 2 of 3
    ("d", "d", "sd", "sd"),  # 0 of 4
    ("sa", "d", "a", "dk"),  # 2 of 3
    ("a", "sa", "sa", "sa"),  # 4 of 4
]


def by_hand() -> tuple[float, float]:
    """p = 12/18 = 2/3. Residuals f - p v: 4/3, 0, -8/3, 0, 4/3; squares sum to 96/9 = 32/3;
    var = (32/3) / 18^2 = 8/243; n_eff = p(1-p) / var = (2/9) / (8/243) = 6.75 (not 18).
    Wilson with n = 6.75."""
    p, n = 2 / 3, 6.75
    z = NormalDist().inv_cdf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.fixture
def small_round(app: Flask, live_round) -> uuid.UUID:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        items = [item for item in items_of(rnd, "parents") if item.indicator_id == "2.2"]
        assert len(items) == 4
        rows = [
            {item.id: code for item, code in zip(items, answers, strict=True)}
            for answers in PARENTS
        ]
        insert_responses(rnd, "parents", rows)
        staff = items_of(rnd, "staff")  # three staff: under the threshold of 5
        insert_responses(rnd, "staff", [{item.id: "a" for item in staff}] * 3)
        db.session.commit()
    return rid


def test_by_hand_is_far_wider_than_wilson_on_the_pooled_answers() -> None:
    low, high = by_hand()
    assert (round(100 * low), round(100 * high)) == (32, 90)  # pooled Wilson 12/18: 44-84


def test_the_service_gives_the_clustered_interval_and_people(app: Flask, small_round) -> None:
    with app.app_context():
        results = round_results(db.session.get(FeedbackRound, small_round))
    cell = results.indicator("2.2").cells["parents"]
    low, high = by_hand()
    assert (cell.favourable, cell.base, cell.dont_know, cell.people) == (12, 18, 2, 5)
    assert cell.ci_low == pytest.approx(100 * low, abs=1e-9)
    assert cell.ci_high == pytest.approx(100 * high, abs=1e-9)
    assert cell.evidence.startswith(
        "The majority of parents and carers (67%, 12 of 18 answers from 5 people; 95% CI 32-90%)"
    )
    # items keep plain Wilson: each person answers a statement once
    first = results.items_for("2.2", "parents")[0]
    assert first.cell.people == first.cell.base == 5
    # a group under the threshold shows no count of people at all
    staff = results.indicator("2.2").cells["staff"]
    assert staff.suppressed and staff.people is None and staff.ci_low is None


def test_the_indicator_page_says_how_many_people(
    client: FlaskClient, coordinator, small_round
) -> None:
    html = client.get(f"/results/{small_round}/indicators/2.2").get_data(as_text=True)
    words = text_of(html)
    assert (
        "The majority of parents and carers (67%, 12 of 18 answers from 5 people; 95% CI 32-90%)"
        " answer favourably to the 4 statements on 2.2" in words
    )
    assert row_of(html, "Parents").endswith("32-90% 12 of 18 2 5 of 5")
    staff = row_of(html, "Staff")
    assert "Fewer than 5 responses" in staff and "3" not in staff


def test_the_workbook_shows_the_clustered_interval_and_explains_it(
    app: Flask, client: FlaskClient, coordinator, small_round
) -> None:
    response = client.get(f"/exports/rounds/{small_round}.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    response.close()
    (_name, ref), *_ = wb["Indicators"].tables.items()
    rows = [[c.value for c in row] for row in wb["Indicators"][ref]]
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    parents = next(r for r in records if r["Audience"].startswith("Parents"))
    low, high = by_hand()
    assert parents["Respondents"] == 5 and parents["People answering"] == 5
    assert parents["Answers excluding Don't know"] == 18
    assert parents["95% CI low"] == pytest.approx(low, abs=1e-9)
    assert parents["95% CI high"] == pytest.approx(high, abs=1e-9)
    staff = next(r for r in records if r["Audience"] == "Staff")
    assert staff["People answering"] is None and staff["Respondents"] == "fewer than 5"
    about = " ".join(str(c.value) for row in wb["About"].iter_rows() for c in row if c.value)
    assert "counts people, not answers" in about
    assert "effective sample size" in about


def test_tallies_equal_a_row_by_row_recount(app: Flask, live_round) -> None:
    """The grouped query by response against every answer row counted in Python, with the
    clustered interval then worked out from those per-person counts."""
    rid = live_round(
        indicators=["2.1", "2.2", "5.1"], audiences=["staff", "parents", "children"], threshold=5
    )
    other = live_round("Org B", indicators=["2.2"], audiences=["staff"])
    rng = random.Random(11)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        for audience, n in (("staff", 23), ("parents", 31), ("children", 17)):
            rows = random_answers(items_of(rnd, audience), n, Profile(dont_know=0.15), rng)
            insert_responses(rnd, audience, rows)
        noise = db.session.get(FeedbackRound, other)
        insert_responses(
            noise, "staff", random_answers(items_of(noise, "staff"), 7, Profile(), rng)
        )
        db.session.commit()
        clear_cache()
        results = round_results(rnd)

        items = {
            item.id: item for a in ("staff", "parents", "children") for item in items_of(rnd, a)
        }
        per_person: dict[tuple[str, str, str], dict[uuid.UUID, list[int]]] = defaultdict(dict)
        rows = db.session.execute(
            select(Answer.response_id, Answer.item_id, Answer.value, Response.audience)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.round_id == rid)
        )
        for response_id, item_id, value, audience in rows:
            item = items[item_id]
            scale = get_scale(item.scale_id)
            key = (item.indicator_id, audience, scale.pooled_group)
            counts = per_person[key].setdefault(response_id, [0, 0])
            counts[0] += value in scale.favourable_codes
            counts[1] += value in scale.substantive_codes
    checked = 0
    for indicator in results.indicators:
        for column_key, cell in indicator.cells.items():
            if not cell.shown or cell.percent is None:
                continue
            audience = column_key.split("/")[0]
            group = get_scale(cell.scale_id).pooled_group
            pairs = [p for p in per_person[(indicator.indicator_id, audience, group)].values()]
            f = sum(a for a, _ in pairs)
            v = sum(b for _, b in pairs)
            assert (f, v) == (cell.favourable, cell.base)
            assert cell.people == sum(1 for _, b in pairs if b)
            p = f / v
            var = sum((a - p * b) ** 2 for a, b in pairs) / v**2
            n = v if var < 1e-15 else p * (1 - p) / var
            z = NormalDist().inv_cdf(0.975)
            centre = (p + z * z / (2 * n)) / (1 + z * z / n)
            half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
            assert cell.ci_low == pytest.approx(100 * max(0.0, centre - half), abs=1e-7)
            assert cell.ci_high == pytest.approx(100 * min(1.0, centre + half), abs=1e-7)
            checked += 1
    assert checked >= 6
    assert Counter(c.scale_id for i in results.indicators for c in i.cells.values())["faces3"]


def test_new_answers_are_counted_again(app: Flask, live_round, respond) -> None:
    """The per-process tallies are reused only while the answers shown stay the same."""
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "parents", {"a": 5})
    with app.app_context():
        first = round_results(db.session.get(FeedbackRound, rid)).indicator("2.2")
    respond(rid, "parents", {"d": 5}, seed=3)
    with app.app_context():
        second = round_results(db.session.get(FeedbackRound, rid)).indicator("2.2")
    assert first.cells["parents"].people == 5
    assert second.cells["parents"].people == 10
    assert second.cells["parents"].percent == pytest.approx(50)


def test_a_statement_hidden_for_too_few_answers_is_left_out_of_the_tallies(
    app: Flask, live_round
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        items = items_of(rnd, "parents")
        # six parents answer three statements; only two of them answer the fourth
        rows = [{item.id: "a" for item in items[:3]} for _ in range(6)]
        rows[0][items[3].id] = rows[1][items[3].id] = "d"
        insert_responses(rnd, "parents", rows)
        db.session.commit()
        results = round_results(rnd)
    hidden = results.items_for("2.2", "parents")[3]
    assert hidden.cell.suppressed
    cell = results.indicator("2.2").cells["parents"]
    # the two Disagree answers are not pooled, so everyone agrees: 18 of 18 from 6 people
    assert (cell.favourable, cell.base, cell.people) == (18, 18, 6)
    assert cell.ci_high == 100


def test_after_a_release_only_the_new_batch_is_counted(app: Flask, live_round) -> None:
    """Tallies are kept per release batch: each view after a release reads the answers of the
    batch it newly shows and no other (the latest batch per audience is held back while the
    round is live), and the sums equal a from-scratch recount."""
    rid = live_round(
        indicators=["2.1", "2.2"],
        audiences=["staff", "parents"],
        opens_on=today() - timedelta(days=7),
        closes_on=today() + timedelta(days=7),
    )
    rng = random.Random(5)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        for audience in ("staff", "parents"):  # batch 0: rows from before the mix
            rows = random_answers(items_of(rnd, audience), 9, Profile(dont_know=0.1), rng)
            insert_responses(rnd, audience, rows)
        db.session.commit()
        clear_cache()
        statements: list[tuple[str, Any]] = []

        def seen(_conn, _cursor, statement, parameters, _context, _many) -> None:
            statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            round_results(rnd)
            assert cached_batches(rid) == {0}
            batch = 0
            for release in range(4):
                for audience in ("staff", "parents"):
                    batch += 1
                    rows = random_answers(items_of(rnd, audience), 6, Profile(), rng)
                    insert_responses(rnd, audience, rows, release_batch=batch)
                db.session.commit()
                assert shown(rid).held_back == {batch - 1, batch}
                statements.clear()
                incremental = _indicator_cells(round_results(rnd))
                tallying = [(s, p) for s, p in statements if "anon_1.b" in s]
                if release == 0:  # what was just released is held back: nothing new to count
                    assert not tallying
                else:  # the release before this one is shown now, and only it is read
                    (statement, parameters), *more = tallying
                    assert not more
                    assert _batches_asked(statement, parameters) == {batch - 3, batch - 2}
                assert cached_batches(rid) == set(range(batch - 1))
                clear_cache()
                assert _indicator_cells(round_results(rnd)) == incremental
                assert cached_batches(rid) == set(range(batch - 1))
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)


def test_rows_added_to_batch_0_after_a_view_are_counted(app: Flask, live_round) -> None:
    """Batch 0 can still grow (synthetic demo rows): it is keyed by how many responses it
    holds, so a view after such rows recounts it."""
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        items = items_of(rnd, "parents")
        insert_responses(rnd, "parents", [{item.id: "a" for item in items}] * 5)
        db.session.commit()
        before = round_results(rnd).indicator("2.2").cells["parents"]
        insert_responses(rnd, "parents", [{item.id: "d" for item in items}] * 5)
        db.session.commit()
        after = round_results(rnd).indicator("2.2").cells["parents"]
    assert (before.people, before.percent) == (5, 100)
    assert (after.people, after.percent) == (10, 50)


def _indicator_cells(results) -> list[tuple[object, ...]]:
    return [
        (i.indicator_id, key, c.favourable, c.base, c.people, c.ci_low, c.ci_high)
        for i in results.indicators
        for key, c in sorted(i.cells.items())
    ]


def _batches_asked(statement: str, parameters: Any) -> set[int]:
    """The release batches a tallying statement lists (its IN list, SQLite or psycopg)."""
    listed = re.search(r"release_batch IN \(([^()]*(?:\(\w+\)[^()]*)*)\)", statement)
    assert listed is not None, statement
    if isinstance(parameters, dict):  # psycopg: %(name)s::INTEGER
        return {parameters[name] for name in re.findall(r"%\((\w+)\)s", listed.group(1))}
    start = statement[: listed.start()].count("?")
    return set(parameters[start : start + listed.group(1).count("?")])

"""Physical traces: release order within a batch is chance; no response shares a transaction
with an invitation (PostgreSQL xmin); keys rotate without losing a sealed submission."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from app.extensions import db
from app.services.submission import Outcome
from tests.app.conftest import ON_POSTGRES
from tests.app.mix.helpers import Round, send
from tests.app.respond.helpers import invite
from tests.support import release_all, release_due

BATCHES = 24
BATCH = 8  # per audience and release


def _ranks(values: list[object]) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: values[i])  # type: ignore[arg-type,return-value]
    ranks = [0] * len(values)
    for rank, i in enumerate(order):
        ranks[i] = rank
    return ranks


def _spearman(xs: list[object], ys: list[object]) -> float:
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(xs)
    d2 = sum((a - b) ** 2 for a, b in zip(rx, ry, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def _storage_order(table: str) -> str:
    # ctid is (block, offset) on PostgreSQL; SQLite's rowid is the insertion slot.
    return f"{table}.ctid" if ON_POSTGRES else f"{table}.rowid"


def _position(value: object) -> tuple[int, ...]:
    if isinstance(value, str):  # "(block,offset)"
        return tuple(int(p) for p in value.strip("()").split(","))
    return (int(value),)  # type: ignore[call-overload]


def test_storage_order_within_a_batch_is_no_better_than_chance(app: Flask, live: Round) -> None:
    """Mean Spearman correlation between send order and storage order over many batches.

    Under random order each batch's rho has mean 0 and sd 1/sqrt(n-1) (0.38 for n = 8); the
    mean of 24 batches has sd 0.077, so a bound of 0.4 is over five sd away: never flaky.
    Inserting in send order gives rho = 1 in every batch (and reversed, -1).
    """
    sent = 0
    for _ in range(BATCHES):
        for _ in range(BATCH):
            send(app, live, comment=f"#{sent}")
            sent += 1
        assert release_due(app) == BATCH
    rhos: dict[str, list[float]] = {"response": [], "comment": []}
    with app.app_context():
        for table in rhos:
            rows = db.session.execute(
                text(
                    f"SELECT response.release_batch, comment.text, "
                    f"CAST({_storage_order(table)} AS TEXT) "
                    "FROM comment JOIN response ON response.id = comment.response_id"
                )
            ).all()
            batches: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
            for batch, body, where in rows:
                sent_at = int(body.lstrip("#"))
                batches.setdefault(batch, []).append((sent_at, _position(where)))
            assert len(batches) == BATCHES and all(len(b) == BATCH for b in batches.values())
            for members in batches.values():
                rhos[table].append(_spearman([m[0] for m in members], [m[1] for m in members]))
    for table, values in rhos.items():
        mean = sum(values) / len(values)
        assert abs(mean) < 0.4, (table, mean, values)


@pytest.mark.skipif(not ON_POSTGRES, reason="xmin is PostgreSQL's transaction id")
def test_no_response_row_shares_a_transaction_with_an_invitation(app: Flask, live: Round) -> None:
    tokens = [invite(app, live.id) for _ in range(12)]
    for n, token in enumerate(tokens):
        assert send(app, live, token=token, comment=f"email {n}")[0] == Outcome.STORED
        if n % 5 == 4:
            release_due(app)
    release_all(app)
    with app.app_context():
        counts = {
            table: db.session.execute(
                text(f"SELECT count(*) FROM invitation i JOIN {table} r ON r.xmin = i.xmin")
            ).scalar_one()
            for table in ("response", "answer", "comment")
        }
        released = db.session.execute(text("SELECT count(*) FROM response")).scalar_one()
        completed = db.session.execute(
            text("SELECT count(*) FROM invitation WHERE status = 'completed'")
        ).scalar_one()
    assert (released, completed) == (12, 12)
    assert counts == {"response": 0, "answer": 0, "comment": 0}


@pytest.fixture
def rotating(app: Flask) -> Iterator[Flask]:
    saved = (app.config["SECRET_KEY"], app.config.get("SECRET_KEY_FALLBACKS"))
    yield app
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = saved


def test_a_key_rotated_mid_round_loses_nothing(rotating: Flask, live: Round) -> None:
    app = rotating
    old = app.config["SECRET_KEY"]
    before = [send(app, live)[1] for _ in range(3)]
    app.config["SECRET_KEY"] = "a-new-key-" + os.urandom(8).hex()
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert release_all(app) == 0  # without the old key nothing opens, and nothing is lost
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert send(app, live, progress=before[1])[0] == Outcome.ALREADY_STORED  # old spent id
    for _ in range(3):
        send(app, live)
    assert release_all(app) == 6
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM sealed_submission")).scalar_one() == 0

"""Benchmark: releasing 10,000 sealed submissions of 40 answers each (issue 14).

    python -m bench.release [--submissions 10000] [--database-url postgresql://...]

Builds its own round in a fresh database (a temporary SQLite file; with --database-url, in that
database, which it migrates and adds to: use a scratch one), one audience with exactly 40 items,
and seals the submissions into the inbox (bench/_sealed.py). Then measures:

- release: `app.services.mix.release_waiting` (claim, open every AES-GCM ciphertext, shuffle,
  write responses, answers and comments, day counts, delete the inbox rows, commit);
- the limit, in the same run, on the same tables and indexes: the bare insert of the same rows
  (responses, answers, comments, already in memory) in random order through the driver alone:
  SQLite `executemany`; PostgreSQL `COPY` and `executemany`. Target: release <= 2x the bare
  insert (on PostgreSQL, against COPY, the faster one).

Ends with one line of JSON (DESIGN.md 11).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ITEMS = 40
AUDIENCE = "parents"
TARGET_RATIO = 2.0


def _config(database_url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-release-not-a-secret",
        "ANONYMITY_THRESHOLD": 5,
    }


def build(app: Any, submissions: int) -> tuple[uuid.UUID, float]:
    from flask_migrate import upgrade

    from app.extensions import db
    from app.services.accounts import get_or_create_organisation
    from app.services.rounds import RoundSettings, create_round
    from app.services.synthetic import make_live
    from bench._sealed import item_ids, seal_submissions
    from bench._seed import exactly_items

    with app.app_context():
        upgrade()
        org = get_or_create_organisation(f"Release bench {uuid.uuid4().hex[:6]}")
        rnd = create_round(
            org,
            RoundSettings(
                name="Release benchmark",
                framework_id="hmie-children-services",
                indicator_ids=["2.1", "5.1"],
                audiences=[AUDIENCE],
                opens_on=date.today() - timedelta(days=7),
                closes_on=date.today() + timedelta(days=7),
            ),
        )
        exactly_items(rnd, ITEMS)
        db.session.flush()
        make_live(rnd)
        db.session.commit()
        round_id = rnd.id
        db.session.remove()
    items = item_ids(app, round_id)
    assert len(items) == ITEMS, len(items)
    started = time.perf_counter()
    seal_submissions(app, round_id, AUDIENCE, submissions, items)
    return round_id, time.perf_counter() - started


def _timed(work: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _rows(app: Any, round_id: uuid.UUID) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The released rows, read back and given fresh ids, in a new random order."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        responses = db.session.execute(
            text("SELECT id, audience, channel, role, release_batch FROM response")
        ).all()
        answers = db.session.execute(
            text("SELECT response_id, item_id, value, release_batch FROM answer")
        ).all()
        comments = db.session.execute(
            text("SELECT response_id, section_id, prompt, text FROM comment")
        ).all()
        db.session.remove()
    fresh = {r.id: uuid.uuid4() for r in responses}
    rng = random.Random(7)
    response_rows = [
        (fresh[r.id], round_id, r.audience, r.channel, r.role, r.release_batch) for r in responses
    ]
    rng.shuffle(response_rows)
    answer_rows = [(fresh[a[0]], a[1], round_id, a[2], a[3]) for a in answers]
    rng.shuffle(answer_rows)
    comment_rows = [
        (uuid.uuid4(), round_id, fresh[c[0]], c[1], c[2], c[3], False) for c in comments
    ]
    rng.shuffle(comment_rows)
    return response_rows, answer_rows, comment_rows


def _clear(app: Any) -> None:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        db.session.execute(text("DELETE FROM comment"))
        db.session.execute(text("DELETE FROM answer"))
        db.session.execute(text("DELETE FROM response"))
        db.session.commit()
        db.session.remove()


RESPONSE_COLUMNS = "id, round_id, audience, channel, role, release_batch"
ANSWER_COLUMNS = "response_id, item_id, round_id, value, release_batch"
COMMENT_COLUMNS = "id, round_id, response_id, section_id, prompt, text, hidden"


def _bare(app: Any, rows: tuple[list, list, list], how: str) -> tuple[float, float]:
    """Insert the rows through the driver alone, in one transaction; returns (wall, cpu)."""
    from app.extensions import db

    names = ("response", "answer", "comment")
    columns = (RESPONSE_COLUMNS, ANSWER_COLUMNS, COMMENT_COLUMNS)
    tables = list(zip(names, columns, rows, strict=True))
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        if sqlite:  # the app stores uuids as 32 hex digits on SQLite
            tables = [
                (t, c, [tuple(v.hex if isinstance(v, uuid.UUID) else v for v in r) for r in rs])
                for t, c, rs in tables
            ]
        raw = db.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None  # a live pooled connection always has one

            def work() -> None:
                cursor = driver.cursor()
                for table, columns, table_rows in tables:
                    if how == "copy":
                        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                            for row in table_rows:
                                copy.write_row(row)
                    else:
                        marks = ", ".join(["?" if sqlite else "%s"] * len(table_rows[0]))
                        cursor.executemany(
                            f"INSERT INTO {table} ({columns}) VALUES ({marks})", table_rows
                        )
                driver.commit()

            return _timed(work)
        finally:
            raw.close()


def run(database_url: str | None, submissions: int) -> dict[str, Any]:
    from app import create_app
    from app.extensions import db
    from app.services.mix import release_waiting

    tmp = None
    if database_url is None:
        tmp = tempfile.mkdtemp(prefix="chorus-release-")
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
    app = create_app(_config(database_url))
    round_id, seal_s = build(app, submissions)
    dialect = "postgresql" if database_url.startswith("postgres") else "sqlite"

    def release() -> None:
        with app.app_context():
            released = release_waiting(round_id)
            db.session.remove()
        assert released == submissions, released

    release_s, release_cpu = _timed(release)
    rows = _rows(app, round_id)
    assert len(rows[1]) == submissions * ITEMS
    limits: dict[str, tuple[float, float]] = {}
    for how in ("executemany", "copy") if dialect == "postgresql" else ("executemany",):
        _clear(app)
        limits[how] = _bare(app, rows, how)
    _clear(app)
    with app.app_context():
        db.engine.dispose()
    return {
        "dialect": dialect,
        "seal_s": seal_s,
        "release_s": release_s,
        "release_cpu": release_cpu,
        "limits": limits,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="a scratch PostgreSQL database")
    args = parser.parse_args()
    got = run(args.database_url, args.submissions)
    best = min(wall for wall, _ in got["limits"].values())
    ratio = got["release_s"] / best
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {got['dialect']}; load average {got['load']:.1f}"
    )
    print(
        f"{args.submissions:,} sealed submissions x {ITEMS} answers "
        f"(sealed in {got['seal_s']:.1f} s)"
    )
    print(f"{'':28}{'wall s':>9}{'cpu s':>9}")
    print(f"{'release (release_waiting)':<28}{got['release_s']:9.2f}{got['release_cpu']:9.2f}")
    for how, (wall, cpu) in got["limits"].items():
        print(f"{'limit: bare ' + how:<28}{wall:9.2f}{cpu:9.2f}")
    print(f"ratio release / best limit: {ratio:9.2f}   <= {TARGET_RATIO:.0f}")
    limits = {f"bare_{how}_s": round(wall, 3) for how, (wall, _) in got["limits"].items()}
    print(
        json.dumps(
            {
                "bench": "release",
                "figures": {
                    "submissions_count": args.submissions,
                    "answers_count": args.submissions * ITEMS,
                    "release_s": round(got["release_s"], 3),
                    "release_cpu_s": round(got["release_cpu"], 3),
                    "release_to_limit_ratio_x": round(ratio, 2),
                    "seal_s": round(got["seal_s"], 2),
                    "load_average_1min": round(got["load"], 2),
                },
                "limits": {**limits, "dialect_name": got["dialect"]},
            }
        )
    )


if __name__ == "__main__":
    main()

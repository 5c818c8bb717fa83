"""Benchmark: results for a round with 1,000,000 answers (25,000 responses x 40 items), issue 7.

    python -m bench.aggregate [--responses 25000] [--database-url postgresql://...]

Builds its own round in a fresh database (a temporary SQLite file; with --database-url, in that
database, which it migrates and adds to: use a scratch one): four audiences (staff, partners,
parents, children on faces) with exactly 40 items each, answers loaded with
app.services.synthetic. Then measures, warm, median of several runs:

- results: `app.services.results.round_results` (the one grouped query plus assembly of every
  figure, interval, word, suppression decision and evidence sentence); target under 1 s;
- results when the answers shown have just changed: the same, plus the grouped query by
  response behind the indicators' clustered intervals, which each process otherwise keeps
  until the answers shown change: here every batch is counted afresh, as in a new process;
- results after one more release of K respondents per audience (batches as the mix files
  them): the first view after a release, what users meet; the tallies add up per batch;
- page: the round overview served by the Flask test client to a signed-in coordinator
  (rendering included) while the round is live, so counted afresh; target under 300 ms;
  then again once the round is closed (results frozen: counted once, then from memory);
- the limit: the bare GROUP BY over the same answer table through the database driver alone
  (`SELECT item_id, value, count(*) FROM answer WHERE round_id = ? GROUP BY item_id, value`);
  our results should be within 3x of it.

Ends with one line of JSON (DESIGN.md 11).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    import psycopg

    from app.services.results import RoundResults

ITEMS = 40
FRAMEWORK = "hmie-children-services"
# audience -> share of the responses; children answer on faces (reported apart)
AUDIENCES = {"staff": 0.4, "partners": 0.1, "parents": 0.3, "children": 0.2}
RUNS = 7
COLD_RUNS = 3
TARGET_RESULTS_S = 1.0
TARGET_PAGE_S = 0.3
TARGET_RATIO = 3.0
K = 5  # respondents per audience in each release (the threshold)
RAW_SQL = "SELECT item_id, value, count(*) FROM answer WHERE round_id = {p} GROUP BY item_id, value"
EMAIL = f"bench-{uuid.uuid4().hex[:8]}@aggregate.example"  # a fresh one per run
PASSWORD = "benchmark password"


def _config(database_url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-aggregate-not-a-secret",
        "ANONYMITY_THRESHOLD": 5,
        "WTF_CSRF_ENABLED": False,  # the bench signs in with a plain POST
    }


def build(app: Any, responses: int) -> tuple[uuid.UUID, float]:
    """The live round with `responses` x 40 answers; returns its id and the load time."""
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Role
    from app.services.accounts import create_user, get_or_create_organisation
    from app.services.frameworks import get_framework
    from app.services.rounds import RoundSettings, create_round
    from app.services.synthetic import (
        Profile,
        insert_responses,
        items_of,
        make_live,
        random_answers,
    )
    from bench._seed import exactly_items

    with app.app_context():
        upgrade()
        org = get_or_create_organisation("Benchmark Council")
        create_user(EMAIL, PASSWORD, org.name, Role.COORDINATOR)
        framework = get_framework(org.id, FRAMEWORK)
        rnd = create_round(
            org,
            RoundSettings(
                name="Benchmark round",
                framework_id=FRAMEWORK,
                indicator_ids=[i.id for i in framework.indicators if i.items],
                audiences=list(AUDIENCES),
                opens_on=date.today() - timedelta(days=7),
                closes_on=date.today() + timedelta(days=7),
            ),
        )
        exactly_items(rnd, ITEMS)  # every response carries 40 answers
        db.session.flush()
        make_live(rnd)
        rng = random.Random(2025)
        started = time.perf_counter()
        left = responses
        for n, (audience, share) in enumerate(AUDIENCES.items()):
            size = left if n == len(AUDIENCES) - 1 else round(responses * share)
            left -= size
            items = items_of(rnd, audience)
            assert len(items) == ITEMS, (audience, len(items))
            profile = Profile(leaning=0.55 + 0.08 * n)
            insert_responses(rnd, audience, random_answers(items, size, profile, rng))
        db.session.commit()
        loaded = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE answer")  # index-only scans need it
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
            # One bulk load leaves a WAL as big as the database; a live system checkpoints as
            # answers trickle in over weeks, so measure the steady state, not the load's tail.
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return rnd.id, loaded


def _median(
    runs: int, work: Callable[[], object], before_each: Callable[[], object] | None = None
) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of `work` (warm), `before_each` run untimed first.

    The CPU time of this process is reported too: on a shared machine the wall clock also
    counts time spent waiting for a core, while SQLite, SQLAlchemy and Jinja all run here, so
    CPU time is what the same work takes on an idle machine.
    """
    if before_each:
        before_each()
    work()  # warm: caches, the framework loader, compiled templates
    wall, cpu = [], []
    for _ in range(runs):
        if before_each:
            before_each()
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def _one_release(round_id: uuid.UUID) -> Callable[[], None]:
    """Files one more release each call: K respondents per audience, a new batch each, as the
    mix writes them (the inbox and the sealing are not what is measured here)."""
    from app.extensions import db
    from app.models import FeedbackRound
    from app.services.synthetic import Profile, insert_responses, items_of, random_answers

    rng = random.Random(7)
    batch = 0

    def release() -> None:
        nonlocal batch
        rnd = db.session.get_one(FeedbackRound, round_id)
        for audience in AUDIENCES:
            batch += 1
            rows = random_answers(items_of(rnd, audience), K, Profile(), rng)
            insert_responses(rnd, audience, rows, release_batch=batch)
        db.session.commit()

    return release


def measure(app: Any, database_url: str, round_id: uuid.UUID) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from app.extensions import db
    from app.models import Answer, FeedbackRound
    from app.services.results import round_results

    with app.app_context():
        answers = db.session.query(Answer).filter(Answer.round_id == round_id).count()

        def results() -> RoundResults:
            db.session.expire_all()
            return round_results(db.session.get_one(FeedbackRound, round_id))

        results_s, results_cpu = _median(RUNS, results)
        sample = results()

        # The per-respondent tallies behind the indicators' clustered intervals are kept per
        # process until the answers shown change; this is the first view after a change.
        from app.services.results.clusters import clear_cache

        def recount() -> object:
            clear_cache()
            return results()

        recount_s, recount_cpu = _median(COLD_RUNS, recount)

        # What users meet: the first view after one more release of k respondents per
        # audience. Each release's batches are held back while the round is live, so each view
        # counts the batches of the release before it (a few hundred answers), not the round.
        release_s, release_cpu = _median(RUNS, results, before_each=_one_release(round_id))
        dialect = db.engine.dialect.name
        uri = app.config["SQLALCHEMY_DATABASE_URI"]

    client = app.test_client()
    signed_in = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 303, signed_in.status_code

    def page() -> object:
        response = client.get(f"/results/{round_id}")
        assert response.status_code == 200, response.status_code
        return response

    page_s, page_cpu = _median(RUNS, page)

    # Closed: results are frozen, counted once per process, then served from memory.
    with app.app_context():
        from app.services.results import close_round

        close_round(db.session.get_one(FeedbackRound, round_id))
        db.session.commit()
    closed_page_s, closed_page_cpu = _median(RUNS, page)

    # The bare stack: the database driver alone, the same GROUP BY, rows fetched.
    conn: sqlite3.Connection | psycopg.Connection[Any]
    if dialect == "sqlite":
        import sqlite3

        path = make_url(uri).database
        assert path, uri  # always a file: the bench makes a temporary one
        conn = sqlite3.connect(path)
        key: Any = round_id.hex  # how SQLAlchemy's Uuid stores it on SQLite
        sql = RAW_SQL.format(p="?")
        plan = " ".join(str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, (key,)))
    else:
        import psycopg

        conn = psycopg.connect(
            make_url(database_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        key = round_id
        sql = RAW_SQL.format(p="%s")
        plan = " | ".join(row[0] for row in conn.execute("EXPLAIN " + sql, (key,)))
    raw_s, raw_cpu = _median(RUNS, lambda: conn.execute(sql, (key,)).fetchall())
    rows = len(conn.execute(sql, (key,)).fetchall())
    conn.close()
    return {
        "dialect": dialect,
        "answers": answers,
        "grouped_rows": rows,
        "plan": plan,
        "results_s": results_s,
        "recount_s": recount_s,
        "recount_cpu": recount_cpu,
        "release_s": release_s,
        "release_cpu": release_cpu,
        "page_s": page_s,
        "closed_page_s": closed_page_s,
        "raw_s": raw_s,
        "results_cpu": results_cpu,
        "page_cpu": page_cpu,
        "closed_page_cpu": closed_page_cpu,
        "raw_cpu": raw_cpu,
        "load": os.getloadavg()[0],
        "indicators": len(sample.indicators),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--responses", type=int, default=25_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from app import create_app

    with tempfile.TemporaryDirectory(prefix="chorus-bench-aggregate-") as tmp:
        database_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app(_config(database_url))
        round_id, load_s = build(app, args.responses)
        got = measure(app, database_url, round_id)
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()

    ratio = got["results_s"] / got["raw_s"]
    cpu_ratio = got["results_cpu"] / got["raw_cpu"]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {got['dialect']}; load average {got['load']:.1f}"
    )
    print(
        f"Round: {args.responses} responses x {ITEMS} items = {got['answers']:,} answers, "
        f"{got['indicators']} indicators, 4 audiences (loaded in {load_s:.1f} s)"
    )
    print(f"Query plan of the grouped query: {got['plan']}")
    print(f"{'':26}{'wall ms':>9}{'cpu ms':>9}   target")
    rows = [
        ("results (round_results)", "results", f"< {TARGET_RESULTS_S * 1000:.0f} ms"),
        ("results, answers changed", "recount", "(tallies recounted)"),
        ("results, after a release", "release", f"(+{K} per audience)"),
        ("overview page, live", "page", f"< {TARGET_PAGE_S * 1000:.0f} ms"),
        ("overview page, closed", "closed_page", "(results frozen)"),
        ("limit: bare GROUP BY", "raw", f"({got['grouped_rows']} rows)"),
    ]
    for label, key, target in rows:
        wall, cpu = got[f"{key}_s"] * 1000, got[f"{key}_cpu"] * 1000
        print(f"{label:<26}{wall:9.1f}{cpu:9.1f}   {target}")
    print(f"ratio results / limit:    {ratio:9.2f}{cpu_ratio:9.2f}   <= {TARGET_RATIO:.0f}")
    print(
        json.dumps(
            {
                "bench": "aggregate",
                "figures": {
                    "answers_count": got["answers"],
                    "results_s": round(got["results_s"], 4),
                    "results_answers_changed_s": round(got["recount_s"], 4),
                    "results_answers_changed_cpu_s": round(got["recount_cpu"], 4),
                    "results_after_release_s": round(got["release_s"], 4),
                    "results_after_release_cpu_s": round(got["release_cpu"], 4),
                    "overview_page_s": round(got["page_s"], 4),
                    "overview_page_closed_s": round(got["closed_page_s"], 4),
                    "results_to_limit_ratio_x": round(ratio, 2),
                    "results_cpu_s": round(got["results_cpu"], 4),
                    "overview_page_cpu_s": round(got["page_cpu"], 4),
                    "overview_page_closed_cpu_s": round(got["closed_page_cpu"], 4),
                    "results_to_limit_cpu_ratio_x": round(cpu_ratio, 2),
                    "load_average_1min": round(got["load"], 2),
                    "load_answers_s": round(load_s, 2),
                },
                "limits": {
                    "bare_group_by_s": round(got["raw_s"], 4),
                    "bare_group_by_cpu_s": round(got["raw_cpu"], 4),
                    "target_results_s": TARGET_RESULTS_S,
                    "target_overview_page_s": TARGET_PAGE_S,
                    "target_ratio_x": TARGET_RATIO,
                },
            }
        )
    )


if __name__ == "__main__":
    main()

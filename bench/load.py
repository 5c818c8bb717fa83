"""Load benchmark: 200 phones answering at once, gunicorn on PostgreSQL (issue 10).

    python -m bench.load [--phones 200] [--seconds 60] [--workers 4] [--threads 8]

Builds a dedicated PostgreSQL database (LOAD_DATABASE_URL, default
postgresql://chorus:chorus@127.0.0.1:5432/chorus_load; created if missing, its public schema
emptied and migrated), launches a round on the HMIE framework (parents and staff, with comment
boxes and the role question) with invitations and an open link per audience, then starts the
app under gunicorn (gthread workers) on a loopback port and lets `--phones` simulated phones
answer it for `--seconds`: each phone, one person after another, opens an invitation link or an
open link (half each, while invitations last), walks every page posting answers (the CSRF token,
the page stamp and the empty honeypot box as a browser sends them), sends, and reads the
thank-you page. Each person is a fresh cookie jar and connection. The open-link minimum time on
a page is set to 0 (RESPOND_MIN_SECONDS_PER_QUESTION) and the per-address rate limits very high
(RESPOND_PAGE_RATE_LIMIT, RESPOND_SEND_RATE_LIMIT), because every phone comes from 127.0.0.1 and
answers without reading: the bench measures capacity, not people.

Reports throughput (responses/s, requests/s), latency percentiles over every request, errors
(anything a respondent should not see: a 5xx, an unexpected status, a dropped connection) and a
reconciliation, after the mix has released everything still sealed (DESIGN.md 6.3): every
submission the phones saw accepted is spent exactly once (its keyed hash in spent_submission: a
response has a fresh id, so it cannot be matched to a phone, by design), no id is spent that no
phone saw accepted, there are as many responses as acceptances, every accepted invitation is
completed, and the answers and per-day counts add up.

The limit beside it: the same client against a bare Flask app returning one static page of the
median respondent page size, under the same gunicorn settings on the same machine.

The client runs in `--client-processes` processes (threads within each), on the same two cores
as the server and PostgreSQL; their CPU time is reported so the share is visible.
Ends with exactly one JSON line (DESIGN.md section 11); exits 1 if any respondent met an error
or the reconciliation is not clean. Every process it starts is stopped before it ends.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._crowd import ClientReport, drive
from bench._servers import (
    child_env,
    gunicorn,
    machine_busy_ticks,
    process_tree_cpu_seconds,
)

DEFAULT_DATABASE_URL = "postgresql://chorus:chorus@127.0.0.1:5432/chorus_load"
CONTACTS = {"parents": 2500, "staff": 2500}
# Four sections for parents and for staff, about 20 questions each, plus the role question.
INDICATORS = ("2.1", "2.2", "5.1", "5.2", "6.2", "8.3")
WARMUP_SECONDS = 3.0
APP_SPEC = "wsgi:app"  # as in production (README)
# The open-link protections stay on, tuned for one address and no reading time.
RESPOND_SETTINGS = {
    "RESPOND_PAGE_RATE_LIMIT": "10000000 per minute",
    "RESPOND_SEND_RATE_LIMIT": "10000000 per minute",
    "RESPOND_MIN_SECONDS_PER_QUESTION": "0",
}
BARE_SPEC = "bench.load:bare_app()"


# -- the bare-stack limit -------------------------------------------------------------------------


def bare_app() -> Any:
    """A Flask app with one static page of BARE_PAGE_BYTES: the least a response can cost."""
    from flask import Flask, Response

    size = int(os.environ.get("BARE_PAGE_BYTES", "8000"))
    body = (b"<!doctype html><title>bare</title><p>" + b"x" * size)[:size]
    app = Flask("bare")

    @app.get("/")
    def page() -> Response:
        return Response(body, mimetype="text/html")

    @app.get("/health")
    def health() -> Response:
        return Response(b"ok", mimetype="text/plain")

    return app


# -- figures --------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Summary:
    seconds: float
    requests: int
    accepted: int
    people: int
    errors: list[str]
    error_count: int
    server_errors: int
    latencies_ms: list[float]
    by_step_ms: dict[str, float]
    reconnects: int
    client_cpu_s: float
    outcomes: list[tuple[str, bool, str, str]]

    def latency(self, q: float) -> float:
        return round(percentile(self.latencies_ms, q), 1)


def summarise(reports: list[ClientReport], start_at: float) -> Summary:
    hits = [h for r in reports for h in r.hits]
    outcomes = [o for r in reports for o in r.outcomes]
    end = max((started + seconds for _, _, seconds, started in hits), default=start_at)
    elapsed = max(end - start_at, 1e-9)
    latencies = [seconds * 1000 for _, _, seconds, _ in hits]
    by_step: dict[str, list[float]] = {}
    for step, _, seconds, _ in hits:
        by_step.setdefault(step, []).append(seconds * 1000)
    errors = [error for _, accepted, _, error in outcomes if not accepted]
    return Summary(
        seconds=elapsed,
        requests=len(hits),
        accepted=sum(1 for o in outcomes if o[1]),
        people=len(outcomes),
        errors=errors,
        error_count=len(errors),
        server_errors=sum(1 for _, status, _, _ in hits if status >= 500 or status == 0),
        latencies_ms=latencies,
        by_step_ms={k: round(statistics.median(v), 1) for k, v in sorted(by_step.items())},
        reconnects=sum(r.reconnects for r in reports),
        client_cpu_s=sum(r.cpu_seconds for r in reports),
        outcomes=outcomes,
    )


# -- the database ---------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the bench's database if it is missing (as the postgres superuser if need be)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    parsed = make_url(url).set(drivername="postgresql+psycopg")
    engine = create_engine(parsed)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return
    except OperationalError as exc:
        if "does not exist" not in str(exc.orig):
            raise SystemExit(f"bench.load: cannot reach PostgreSQL at {url}: {exc.orig}") from None
    finally:
        engine.dispose()
    name, owner = parsed.database, parsed.username
    sql = f'CREATE DATABASE "{name}" OWNER "{owner}"'
    runuser = shutil.which("runuser")
    if os.geteuid() == 0 and runuser:
        done = subprocess.run(
            [runuser, "-u", "postgres", "--", "psql", "-qc", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode == 0:
            print(f"created database {name}")
            return
        raise SystemExit(f"bench.load: could not create {name}: {done.stderr.strip()}")
    raise SystemExit(
        f"bench.load: database {name} does not exist. Create it once, e.g.\n"
        f"  sudo -u postgres psql -c '{sql}'\nor set LOAD_DATABASE_URL."
    )


def prepare(url: str, secret: str, contacts: dict[str, int]) -> Any:
    """Empty schema, migrations, a launched round. Returns the `Seeded` round."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from bench._seed import reset_postgres, seed_launched_round

    reset_postgres(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "MAIL_SERVER": ""})
    with app.app_context():
        upgrade()
    seeded = seed_launched_round(app, contacts, indicators=INDICATORS)
    with app.app_context():
        db.engine.dispose()
    return seeded


def reconcile(
    url: str, secret: str, seeded: Any, outcomes: list[tuple[str, bool, str, str]]
) -> dict[str, int]:
    """Release what is still sealed, then compare what the phones saw accepted with the
    database: by the spent ids' keyed hashes (responses carry fresh ids)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app import create_app
    from app.extensions import db
    from app.services.mix import release_waiting
    from app.services.mix.keys import spent_digest

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "MAIL_SERVER": ""})
    with app.app_context():
        release_waiting(seeded.round_id, everything=True)
        db.engine.dispose()
    accepted = [
        spent_digest(secret, seeded.round_id, uuid.UUID(sid)) if sid else ""
        for _, ok, sid, _ in outcomes
        if ok
    ]
    accepted_set = set(accepted)
    invitations_accepted = sum(1 for entry, ok, _, _ in outcomes if ok and entry == "invitation")
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    params = {"r": seeded.round_id}
    with engine.connect() as conn:
        spent = [
            row[0]
            for row in conn.execute(
                text("SELECT digest FROM spent_submission WHERE round_id = :r"), params
            )
        ]
        responses = conn.execute(
            text("SELECT count(*) FROM response WHERE round_id = :r"), params
        ).scalar_one()
        sealed = conn.execute(
            text("SELECT count(*) FROM sealed_submission WHERE round_id = :r"), params
        ).scalar_one()
        per_audience: dict[str, int] = dict(
            conn.execute(
                text("SELECT audience, count(*) FROM response WHERE round_id = :r GROUP BY 1"),
                params,
            )
            .tuples()
            .all()
        )
        answers = conn.execute(
            text("SELECT count(*) FROM answer WHERE round_id = :r"), params
        ).scalar_one()
        completed = conn.execute(
            text("SELECT count(*) FROM invitation WHERE round_id = :r AND status = 'completed'"),
            params,
        ).scalar_one()
        day_counts = conn.execute(
            text("SELECT coalesce(sum(count), 0) FROM response_day_count WHERE round_id = :r"),
            params,
        ).scalar_one()
        drafts = conn.execute(text("SELECT count(*) FROM saved_draft")).scalar_one()
    engine.dispose()
    spent_set = set(spent)
    expected_answers = sum(n * seeded.items[a] for a, n in per_audience.items())
    return {
        "accepted_by_clients": len(accepted),
        "accepted_twice_by_clients": len(accepted) - len(accepted_set),
        "responses_in_database": int(responses),
        "responses_in_database_twice": len(spent) - len(spent_set),
        "accepted_missing_from_database": len(accepted_set - spent_set),
        "in_database_not_seen_accepted": len(spent_set - accepted_set),
        "sealed_left": int(sealed),
        "invitations_accepted": invitations_accepted,
        "invitations_completed": int(completed),
        "answers_in_database": int(answers),
        "answers_expected": int(expected_answers),
        "day_count_total": int(day_counts),
        "drafts_left": int(drafts),
    }


def clean(reconciliation: dict[str, int]) -> bool:
    r = reconciliation
    return (
        r["accepted_twice_by_clients"] == 0
        and r["responses_in_database_twice"] == 0
        and r["sealed_left"] == 0
        and r["accepted_missing_from_database"] == 0
        and r["in_database_not_seen_accepted"] == 0
        and r["accepted_by_clients"] == r["responses_in_database"]
        and r["invitations_accepted"] == r["invitations_completed"]
        and r["answers_in_database"] == r["answers_expected"]
        and r["day_count_total"] == r["responses_in_database"]
    )


# -- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200, help="simulated phones at once")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long new people start")
    parser.add_argument("--max-people", type=int, default=50000, help="at most this many visits")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--bare-seconds", type=float, default=20.0)
    args = parser.parse_args()
    if not (1 <= args.phones <= 1000 and 1 <= args.seconds <= 600):
        parser.error("--phones must be 1..1000 and --seconds 1..600")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL)
    secret = secrets.token_hex(32)
    ensure_database(url)
    print(f"preparing {url.rsplit('@', 1)[-1]}: migrate, launch a round ...", flush=True)
    seeded = prepare(url, secret, CONTACTS)
    tokens = seeded.all_tokens
    random.Random(7).shuffle(tokens)
    codes = list(seeded.codes.values())
    print(
        f"round launched: {len(tokens)} invitations, an open link each for {sorted(seeded.codes)};"
        f" questions per audience {seeded.items}"
    )

    workdir = Path(tempfile.mkdtemp(prefix="chorus-load-"))
    env = child_env(
        {"DATABASE_URL": url, "SECRET_KEY": secret, "MAIL_SERVER": "", **RESPOND_SETTINGS}
    )
    server = gunicorn(
        APP_SPEC, env, workdir / "gunicorn.log", workers=args.workers, threads=args.threads
    )
    settings = f"gunicorn gthread {args.workers} workers x {args.threads} threads"
    try:
        server.start()
        print(f"{settings} on port {server.port}; warming up {WARMUP_SECONDS:.0f} s")
        warm_reports, warm_start = drive(
            server.port,
            secret,
            phones=20,
            seconds=WARMUP_SECONDS,
            processes=1,
            tokens=tokens[:100],
            codes=codes,
            seed=2,
        )
        warm = summarise(warm_reports, warm_start)
        tokens = tokens[100:]
        print(f"{args.phones} phones for {args.seconds:.0f} s ...", flush=True)
        cpu_before = process_tree_cpu_seconds(server.pid)
        busy_before = machine_busy_ticks()
        reports, start_at = drive(
            server.port,
            secret,
            phones=args.phones,
            seconds=args.seconds,
            processes=args.client_processes,
            tokens=tokens,
            codes=codes,
            max_people=args.max_people,
        )
        server_cpu = process_tree_cpu_seconds(server.pid) - cpu_before
        busy_after = machine_busy_ticks()
        load = summarise(reports, start_at)
        server_log = server.log()
    finally:
        server.stop()

    # Every respondent the bench ran (warm-up too) is reconciled against the database.
    reconciliation = reconcile(url, secret, seeded, warm.outcomes + load.outcomes)
    page_sizes = [s for r in reports for s in r.page_sizes]
    page_bytes = int(statistics.median(page_sizes)) if page_sizes else 8000

    bare_env = child_env({"BARE_PAGE_BYTES": str(page_bytes)})
    bare_server = gunicorn(
        BARE_SPEC, bare_env, workdir / "bare.log", workers=args.workers, threads=args.threads
    )
    try:
        bare_server.start()
        print(f"bare Flask page ({page_bytes} bytes), same settings, {args.bare_seconds:.0f} s ...")
        bare_reports, bare_start = drive(
            bare_server.port,
            secret,
            phones=args.phones,
            seconds=args.bare_seconds,
            processes=args.client_processes,
            bare=True,
        )
        bare = summarise(bare_reports, bare_start)
    finally:
        bare_server.stop()
    shutil.rmtree(workdir, ignore_errors=True)

    busy = busy_after[0] - busy_before[0]
    total = max(1, busy_after[1] - busy_before[1])
    figures = {
        "phones_count": args.phones,
        **{f"questions_{a}_count": n for a, n in sorted(seeded.items.items())},
        "duration_s": round(load.seconds, 1),
        "people_count": load.people,
        "responses_accepted_count": load.accepted,
        "responses_per_s": round(load.accepted / load.seconds, 1),
        "requests_count": load.requests,
        "requests_per_s": round(load.requests / load.seconds, 1),
        "latency_p50_ms": load.latency(50),
        "latency_p95_ms": load.latency(95),
        "latency_p99_ms": load.latency(99),
        "latency_max_ms": round(max(load.latencies_ms, default=0.0), 1),
        "errors_count": load.error_count + warm.error_count,
        "server_errors_count": load.server_errors + warm.server_errors,
        "keepalive_reconnects_count": load.reconnects,
        "reconciliation_clean_bool": clean(reconciliation),
        **{f"reconciliation_{k}_count": v for k, v in reconciliation.items()},
        "server_cpu_s": round(server_cpu, 1),
        "client_cpu_s": round(load.client_cpu_s, 1),
        "machine_cpu_busy_pct": round(100 * busy / total, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        **{f"median_{step}_ms": ms for step, ms in load.by_step_ms.items()},
    }
    limits = {
        "bare_flask_page_requests_per_s": round(bare.requests / bare.seconds, 1),
        "bare_flask_page_latency_p50_ms": bare.latency(50),
        "bare_flask_page_latency_p95_ms": bare.latency(95),
        "bare_flask_page_latency_p99_ms": bare.latency(99),
        "bare_flask_page_errors_count": bare.server_errors,
        "bare_flask_page_bytes": page_bytes,
        "requests_per_s_ratio_to_bare_x": round(
            (load.requests / load.seconds) / max(1e-9, bare.requests / bare.seconds), 3
        ),
        "target_errors_count": 0,
    }

    print()
    print(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {settings}, {args.client_processes} client processes"
    )
    print(
        f"{load.people} people in {load.seconds:.1f} s: {load.accepted} responses accepted "
        f"({figures['responses_per_s']}/s), {load.requests} requests "
        f"({figures['requests_per_s']}/s)"
    )
    print(
        f"latency ms: p50 {figures['latency_p50_ms']}  p95 {figures['latency_p95_ms']}  "
        f"p99 {figures['latency_p99_ms']}  max {figures['latency_max_ms']}"
    )
    print(f"median per step ms: {load.by_step_ms}")
    print(
        f"errors: {figures['errors_count']} (server 5xx or no answer: "
        f"{figures['server_errors_count']})"
    )
    for error, n in Counter(warm.errors + load.errors).most_common(5):
        print(f"  {n} x {error}")
    if figures["errors_count"]:
        print("server log tail:\n" + server_log[-2000:])
    print("reconciliation: " + ("clean" if figures["reconciliation_clean_bool"] else "NOT CLEAN"))
    for key, value in reconciliation.items():
        print(f"  {key}: {value}")
    print(
        f"CPU s: server {figures['server_cpu_s']}, clients {figures['client_cpu_s']}; machine "
        f"busy {figures['machine_cpu_busy_pct']}%, load average {figures['load_average_1min']}"
    )
    bare_rate = limits["bare_flask_page_requests_per_s"]
    print(
        f"limit: bare Flask page under the same gunicorn, {bare_rate}"
        f" requests/s, p50 {limits['bare_flask_page_latency_p50_ms']} ms, p99 "
        f"{limits['bare_flask_page_latency_p99_ms']} ms"
    )
    print(json.dumps({"bench": "load", "figures": figures, "limits": limits}))
    if figures["errors_count"] or not figures["reconciliation_clean_bool"]:
        sys.exit(1)


if __name__ == "__main__":
    main()

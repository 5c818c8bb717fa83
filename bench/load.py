"""Load benchmark: 200 phones answering at once, gunicorn on PostgreSQL (issues 10, 15).

    python -m bench.load [--phones 200] [--seconds 60] [--workers 4] [--threads 4]
    python -m bench.load --phones 40 --seconds 10 --bare-seconds 5   # a quick check

Builds a dedicated PostgreSQL database (LOAD_DATABASE_URL, default
postgresql://chorus:chorus@127.0.0.1:5432/chorus_load; created if missing, its public schema
emptied and migrated), launches a round on the HMIE framework (parents and staff, 40 questions
each with comment boxes, and the role question) with invitations and an open link per
audience, then starts the app as in production: gunicorn with gunicorn.conf.py (its
respondent-safe access log included), gthread workers, the rate limiter on Redis
(LOAD_REDIS_URL, default redis://127.0.0.1:6379/3, flushed first). `--phones` simulated phones
answer for `--seconds`: each phone, one person after another, opens an invitation link or an
open link (half each, while invitations last), walks every page and sends, asking for
compression as Chromium does. `--htmx-share` of the people (half by default) run the page's
JavaScript: one HTMX request a section; the others post plain forms (POST, 303, GET). Each
person is a fresh cookie jar and connection. The open-link minimum time on a page is set to 0
(RESPOND_MIN_SECONDS_PER_QUESTION) and the per-address rate limits very high (but still
counted in Redis), because every phone comes from 127.0.0.1 and answers without reading: the
bench measures capacity, not people.

Reports submissions/s, request latency percentiles, errors (anything a respondent should not
see: a 5xx, an unexpected status, a dropped connection), server CPU per submission (CPU time
from /proc of the gunicorn workers, the PostgreSQL backends connected to the bench's database,
the Redis server (shared with other work on the machine) and the release step run at the end),
SQL statements per submission (one respondent of each flow profiled in this process against
the same database with a `before_cursor_execute` listener, plus the release's statements per
submission), PostgreSQL transactions per submission (pg_stat_database, a server-side
cross-check), and a reconciliation after the release (DESIGN.md 6.3): every submission the
phones saw accepted is spent exactly once (its keyed hash in spent_submission: a response has
a fresh id, so it cannot be matched to a phone, by design), no id is spent that no phone saw
accepted, there are as many responses as acceptances, every accepted invitation is completed,
and the answers and per-day counts add up.

Two bare references, in the same run under the same gunicorn settings and the same crowd
(bench/_references.py): the same request sequence serving the same pages from memory,
compressed as the app does (the least work that sequence allows); and one POST carrying all
the answers, inserted in one transaction. Targets (issue 15): at least 30 submissions/s at 200
phones with request p95 under 1 s, at least a third of the same-sequence reference's rate,
server CPU per submission at most 3x the same-sequence reference's, 0 errors, reconciled.

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
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._crowd import ClientReport, drive
from bench._phones import ACCEPT_ENCODING
from bench._references import BARE_PAGES_FILE, BARE_SCHEMA
from bench._servers import (
    ROOT,
    ServerProcess,
    child_env,
    gunicorn,
    machine_busy_ticks,
    process_tree_cpu_seconds,
)

DEFAULT_DATABASE_URL = "postgresql://chorus:chorus@127.0.0.1:5432/chorus_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"  # the limiter's storage (flushed at start)
ITEMS = 40  # questions per questionnaire, and the role question after them
# Targets (issue 15).
TARGET_RATE = 30.0  # submissions/s at 200 phones
TARGET_P95_MS = 1000.0
TARGET_SHARE_OF_BARE = 1 / 3  # of the same-sequence bare reference's rate
TARGET_CPU_RATIO = 3.0  # server CPU per submission, against the same-sequence bare reference
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


def prepare(url: str, secret: str, contacts: dict[str, int], items: int) -> Any:
    """Empty schema, migrations, a launched round. Returns the `Seeded` round."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from bench._seed import reset_postgres, seed_launched_round

    reset_postgres(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "MAIL_SERVER": ""})
    with app.app_context():
        upgrade()
    seeded = seed_launched_round(app, contacts, indicators=INDICATORS, items=items)
    with app.app_context():
        db.engine.dispose()
    return seeded


@dataclass
class Released:
    """The release step run at the end, as the mail worker loop runs it, measured."""

    count: int
    cpu_s: float  # this process's CPU time in it, plus its PostgreSQL backend's
    statements: int


def release_measured(url: str, secret: str, round_id: uuid.UUID) -> Released:
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from app.services.mix import release_waiting
    from bench._references import counting

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "MAIL_SERVER": ""})
    with app.app_context():
        backend = int(db.session.execute(text("SELECT pg_backend_pid()")).scalar_one())
        db.session.commit()
        backend_before = proc_cpu_seconds(backend)
        before = time.process_time()
        with counting(db.engine) as tally:
            count = release_waiting(round_id, everything=True)
        cpu = time.process_time() - before + proc_cpu_seconds(backend) - backend_before
        db.engine.dispose()
    return Released(count, cpu, tally[0])


def reconcile(
    url: str, secret: str, seeded: Any, outcomes: list[tuple[str, bool, str, str]]
) -> dict[str, int]:
    """Compare what the phones saw accepted with the database, once everything is released:
    by the spent ids' keyed hashes (responses carry fresh ids)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.services.mix.keys import spent_digest

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


# -- server-side CPU: gunicorn, PostgreSQL backends, Redis -------------------------------------


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 if it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_pid() -> int | None:
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "redis-server":
                return int(comm.parent.name)
        except OSError:
            continue
    return None


class ServerCpu:
    """CPU seconds of everything serving the bench: a gunicorn tree, the PostgreSQL backends
    connected to the bench's database (read while they live: take `stop` before the server
    stops) and, optionally, the Redis server (shared with other work on this machine)."""

    def __init__(self, url: str, gunicorn_pid: int, *, with_redis: bool) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
        self.gunicorn_pid = gunicorn_pid
        self.redis = redis_pid() if with_redis else None
        self.parts: dict[str, float] = {}
        self._start: dict[str, Any] = {}

    def _backends(self) -> dict[int, float]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            pids = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return {int(pid): proc_cpu_seconds(int(pid)) for pid in pids}

    def _xacts(self) -> int:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT xact_commit + xact_rollback FROM pg_stat_database"
                        " WHERE datname = current_database()"
                    )
                ).scalar_one()
            )

    def start(self) -> None:
        self._start = {
            "gunicorn": process_tree_cpu_seconds(self.gunicorn_pid),
            "backends": self._backends(),
            "redis": proc_cpu_seconds(self.redis) if self.redis else 0.0,
            "xacts": self._xacts(),
        }

    def stop(self) -> dict[str, float]:
        backends = self._backends()
        before = self._start["backends"]
        self.parts = {
            "gunicorn": process_tree_cpu_seconds(self.gunicorn_pid) - self._start["gunicorn"],
            "postgres": sum(cpu - before.get(pid, 0.0) for pid, cpu in backends.items()),
            "redis": (proc_cpu_seconds(self.redis) - self._start["redis"]) if self.redis else 0.0,
            # each of our statements' transactions, less the two these readings took
            "transactions": self._xacts() - self._start["xacts"] - 2,
        }
        self.engine.dispose()
        return self.parts


def chorus_gunicorn(
    spec: str, env: dict[str, str], log: Path, workers: int, threads: int
) -> ServerProcess:
    """gunicorn as in production: gunicorn.conf.py (its safe access log included), gthread."""
    return gunicorn(
        spec, env, log, workers=workers, threads=threads, config_file=ROOT / "gunicorn.conf.py"
    )


def flush_redis(uri: str) -> None:
    import redis

    client = redis.Redis.from_url(uri)
    client.flushdb()
    client.close()


# -- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200, help="simulated phones at once")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long new people start")
    parser.add_argument("--max-people", type=int, default=50000, help="at most this many visits")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--bare-seconds", type=float, default=20.0)
    parser.add_argument("--htmx-share", type=float, default=0.5, help="people with JavaScript")
    parser.add_argument("--items", type=int, default=ITEMS, help="questions per questionnaire")
    args = parser.parse_args()
    if not (1 <= args.phones <= 1000 and 1 <= args.seconds <= 600):
        parser.error("--phones must be 1..1000 and --seconds 1..600")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_uri = os.environ.get("LOAD_REDIS_URL", DEFAULT_REDIS_URL)
    secret = secrets.token_hex(32)
    ensure_database(url)
    flush_redis(redis_uri)
    print(f"preparing {url.rsplit('@', 1)[-1]}: migrate, launch a round ...", flush=True)
    seeded = prepare(url, secret, CONTACTS, args.items)
    # Three parents' invitations are kept for the profile (one warms the caches).
    profile_tokens = seeded.tokens["parents"][:3]
    tokens = [t for t in seeded.all_tokens if t not in profile_tokens]
    random.Random(7).shuffle(tokens)
    codes = list(seeded.codes.values())
    print(
        f"round launched: {len(tokens)} invitations, an open link each for {sorted(seeded.codes)};"
        f" questions per audience {seeded.items} and the role question"
    )

    workdir = Path(tempfile.mkdtemp(prefix="chorus-load-"))
    env = child_env(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secret,
            "MAIL_SERVER": "",
            "RATELIMIT_STORAGE_URI": redis_uri,
            **RESPOND_SETTINGS,
        }
    )
    settings = (
        f"gunicorn -c gunicorn.conf.py, gthread {args.workers} workers x {args.threads} threads"
    )
    crowd = {
        "phones": args.phones,
        "processes": args.client_processes,
        "htmx_share": args.htmx_share,
        "accept_encoding": ACCEPT_ENCODING,
    }
    server = chorus_gunicorn(APP_SPEC, env, workdir / "gunicorn.log", args.workers, args.threads)
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
            htmx_share=args.htmx_share,
            accept_encoding=ACCEPT_ENCODING,
        )
        warm = summarise(warm_reports, warm_start)
        tokens = tokens[100:]
        print(f"{args.phones} phones for {args.seconds:.0f} s ...", flush=True)
        cpu = ServerCpu(url, server.pid, with_redis=True)
        cpu.start()
        busy_before = machine_busy_ticks()
        reports, start_at = drive(
            server.port,
            secret,
            seconds=args.seconds,
            tokens=tokens,
            codes=codes,
            max_people=args.max_people,
            **crowd,
        )
        busy_after = machine_busy_ticks()
        server_cpu = cpu.stop()
        load = summarise(reports, start_at)
        server_log = server.log()
    finally:
        server.stop()

    # Every respondent the bench ran (warm-up too) is released, then reconciled.
    released = release_measured(url, secret, seeded.round_id)
    reconciliation = reconcile(url, secret, seeded, warm.outcomes + load.outcomes)

    # One respondent of each flow, profiled in this process: statements per request.
    profiles = profile(url, secret, profile_tokens)
    pages_file = workdir / "pages.json"
    pages: dict[str, Any] = {}
    for one in profiles.values():
        for key, page in one.pages.items():
            pages.setdefault(key, page)
    pages_file.write_text(json.dumps(pages))

    bare = run_bare(
        "bench._references:bare_sequence_app()",
        child_env({BARE_PAGES_FILE: str(pages_file)}),
        workdir / "bare.log",
        args,
        url,
        crowd,
        with_database=False,
    )
    create_bare_tables(url)
    insert = run_bare(
        "bench._references:bare_insert_app()",
        child_env({"DATABASE_URL": url}),
        workdir / "bare_insert.log",
        args,
        url,
        {**crowd, "bare_submit": args.items + 1},  # the answers and the role
        with_database=True,
    )
    shutil.rmtree(workdir, ignore_errors=True)

    accepted = max(1, load.accepted)
    rate = load.accepted / load.seconds
    chorus_cpu = sum(server_cpu[k] for k in ("gunicorn", "postgres", "redis")) + released.cpu_s
    cpu_ms = 1000 * chorus_cpu / accepted
    bare_rate = bare.summary.accepted / bare.summary.seconds
    bare_cpu_ms = 1000 * bare.cpu_s / max(1, bare.summary.accepted)
    insert_rate = insert.summary.accepted / insert.summary.seconds
    insert_cpu_ms = 1000 * insert.cpu_s / max(1, insert.summary.accepted)
    statements = {
        flow: one.statements + released.statements / max(1, released.count)
        for flow, one in profiles.items()
    }
    busy = busy_after[0] - busy_before[0]
    total = max(1, busy_after[1] - busy_before[1])
    figures = {
        "phones_count": args.phones,
        "htmx_share_pct": round(100 * args.htmx_share),
        **{f"questions_{a}_count": n for a, n in sorted(seeded.items.items())},
        "duration_s": round(load.seconds, 1),
        "people_count": load.people,
        "submissions_accepted_count": load.accepted,
        "submissions_per_s": round(rate, 1),
        "requests_count": load.requests,
        "requests_per_s": round(load.requests / load.seconds, 1),
        "requests_per_submission_count": round(load.requests / accepted, 1),
        "latency_p50_ms": load.latency(50),
        "latency_p95_ms": load.latency(95),
        "latency_p99_ms": load.latency(99),
        "latency_max_ms": round(max(load.latencies_ms, default=0.0), 1),
        "errors_count": load.error_count + warm.error_count,
        "server_errors_count": load.server_errors + warm.server_errors,
        "keepalive_reconnects_count": load.reconnects,
        "reconciliation_clean_bool": clean(reconciliation),
        **{f"reconciliation_{k}_count": v for k, v in reconciliation.items()},
        "server_cpu_per_submission_ms": round(cpu_ms, 2),
        "server_cpu_gunicorn_s": round(server_cpu["gunicorn"], 2),
        "server_cpu_postgres_backends_s": round(server_cpu["postgres"], 2),
        "server_cpu_redis_s": round(server_cpu["redis"], 2),
        "server_cpu_release_s": round(released.cpu_s, 2),
        "released_count": released.count,
        **{f"sql_statements_per_submission_{f}_count": round(n, 1) for f, n in statements.items()},
        **{
            f"sql_statements_per_page_get_{f}_max_count": max(
                (r[3] for r in one.requests if r[0] == "GET" and r[1].startswith("/q/")),
                default=0,
            )
            for f, one in profiles.items()
        },
        "postgres_transactions_per_submission_count": round(
            server_cpu["transactions"] / accepted, 2
        ),
        "client_cpu_s": round(load.client_cpu_s, 1),
        "machine_cpu_busy_pct": round(100 * busy / total, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        **{f"median_{step}_ms": ms for step, ms in load.by_step_ms.items()},
    }
    limits = {
        "bare_sequence_submissions_per_s": round(bare_rate, 1),
        "bare_sequence_latency_p95_ms": bare.summary.latency(95),
        "bare_sequence_cpu_per_submission_ms": round(bare_cpu_ms, 2),
        "bare_sequence_errors_count": bare.summary.error_count,
        "bare_insert_submissions_per_s": round(insert_rate, 1),
        "bare_insert_latency_p95_ms": insert.summary.latency(95),
        "bare_insert_cpu_per_submission_ms": round(insert_cpu_ms, 2),
        "bare_insert_errors_count": insert.summary.error_count,
        "submissions_ratio_to_bare_sequence_x": round(rate / max(1e-9, bare_rate), 3),
        "cpu_ratio_to_bare_sequence_x": round(cpu_ms / max(1e-9, bare_cpu_ms), 2),
        "target_submissions_per_s": TARGET_RATE,
        "target_latency_p95_ms": TARGET_P95_MS,
        "target_ratio_to_bare_sequence_x": round(TARGET_SHARE_OF_BARE, 3),
        "target_cpu_ratio_to_bare_sequence_x": TARGET_CPU_RATIO,
        "target_errors_count": 0,
    }
    targets = {
        f"at least {TARGET_RATE} submissions/s": rate >= TARGET_RATE,
        f"request p95 under {TARGET_P95_MS} ms": figures["latency_p95_ms"] < TARGET_P95_MS,
        "at least 1/3 of the bare sequence's rate": rate >= TARGET_SHARE_OF_BARE * bare_rate,
        f"CPU per submission at most {TARGET_CPU_RATIO}x the bare sequence's": cpu_ms
        <= TARGET_CPU_RATIO * bare_cpu_ms,
        "0 errors": figures["errors_count"] == 0,
        "reconciled": figures["reconciliation_clean_bool"],
    }

    print()
    print(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {settings}, {args.client_processes} client processes, "
        f"Redis limiter {redis_uri}"
    )
    print(
        f"{load.people} people in {load.seconds:.1f} s ({figures['htmx_share_pct']}% with HTMX):"
        f" {load.accepted} submissions accepted ({figures['submissions_per_s']}/s), "
        f"{load.requests} requests ({figures['requests_per_s']}/s)"
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
        f"server CPU per submission {cpu_ms:.2f} ms (gunicorn {server_cpu['gunicorn']:.1f} s, "
        f"PostgreSQL backends {server_cpu['postgres']:.1f} s, Redis {server_cpu['redis']:.1f} s"
        f" (shared), release {released.cpu_s:.2f} s for {released.count}); SQL statements per "
        f"submission {statements}; PostgreSQL transactions per submission "
        f"{figures['postgres_transactions_per_submission_count']}"
    )
    for flow, one in profiles.items():
        print(f"  {flow}: " + ", ".join(f"{m} {p[:40]} {n}" for m, p, _, n, _ in one.requests))
    print(
        f"CPU s: clients {figures['client_cpu_s']}; machine busy "
        f"{figures['machine_cpu_busy_pct']}%, load average {figures['load_average_1min']}"
    )
    print(
        f"bare sequence (same requests and pages, compressed, no work): {bare_rate:.1f}"
        f" submissions/s, p95 {limits['bare_sequence_latency_p95_ms']} ms, CPU "
        f"{bare_cpu_ms:.2f} ms per submission; bare insert (one POST, {args.items + 1} answers):"
        f" {insert_rate:.1f}/s, CPU {insert_cpu_ms:.2f} ms per submission"
    )
    for name, run in (("bare sequence", bare), ("bare insert", insert)):
        for error, n in Counter(run.summary.errors).most_common(3):
            print(f"  {name}: {n} x {error}")
    for target, met in targets.items():
        print(f"  {'met' if met else 'NOT MET'}: {target}")
    print(json.dumps({"bench": "load", "figures": figures, "limits": limits}))
    if figures["errors_count"] or not figures["reconciliation_clean_bool"]:
        sys.exit(1)


def profile(url: str, secret: str, tokens: list[str]) -> dict[str, Any]:
    """Statements per request for one respondent of each flow, after a first fills caches."""
    from app import create_app
    from app.extensions import db
    from bench._references import profile_respondent

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": secret, "MAIL_SERVER": "", **RESPOND_SETTINGS}
    )
    profile_respondent(app, f"/r/{tokens[0]}", htmx=False)
    profiles = {
        "plain": profile_respondent(app, f"/r/{tokens[1]}", htmx=False),
        "htmx": profile_respondent(app, f"/r/{tokens[2]}", htmx=True),
    }
    with app.app_context():
        db.engine.dispose()
    return profiles


@dataclass
class BareRun:
    summary: Summary
    cpu_s: float


def run_bare(
    spec: str,
    env: dict[str, str],
    log: Path,
    args: argparse.Namespace,
    url: str,
    crowd: dict[str, Any],
    *,
    with_database: bool,
) -> BareRun:
    """A bare reference under the same gunicorn settings and the same crowd."""
    server = chorus_gunicorn(spec, env, log, args.workers, args.threads)
    try:
        server.start()
        print(f"bare reference {spec}, same settings, {args.bare_seconds:.0f} s ...", flush=True)
        cpu = ServerCpu(url, server.pid, with_redis=False)
        cpu.start()
        reports, start_at = drive(
            server.port,
            "bare",
            seconds=args.bare_seconds,
            tokens=["bare"] * 100000,
            codes=["bare"],
            **crowd,
        )
        parts = cpu.stop()
    finally:
        server.stop()
    summary = summarise(reports, start_at)
    used = parts["gunicorn"] + (parts["postgres"] if with_database else 0.0)
    return BareRun(summary, used)


def create_bare_tables(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        for statement in BARE_SCHEMA:
            conn.execute(text(statement))
    engine.dispose()


if __name__ == "__main__":
    main()

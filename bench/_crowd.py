"""Crowds of simulated phones in threads, in a few spawned processes (bench/load.py).

Spawned processes import only this module and bench._phones, never the app, so they start in a
fraction of a second and hold no database connections.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench._phones import Outcome, Phone
from bench._servers import LOOPBACK

# -- the client: phones in threads, in a few processes ----------------------------------------


@dataclass
class Plan:
    """What one client process does."""

    port: int
    secret: str
    phones: int
    start_at: float  # time.monotonic() to begin (shared clock across processes)
    stop_at: float  # no new person starts after this
    tokens: list[str]
    codes: list[str]
    max_people: int
    seed: int
    bare: bool = False  # GET / in a loop instead of answering
    htmx_share: float = 0.0  # this share of people answer with JavaScript (HTMX), one by one
    accept_encoding: str = ""  # ask for compression, as browsers do
    bare_submit: int = 0  # POST /submit with this many answers in a loop instead


@dataclass
class ClientReport:
    outcomes: list[tuple[str, bool, str, str]] = field(default_factory=list)
    hits: list[tuple[str, int, float, float]] = field(default_factory=list)
    reconnects: int = 0
    cpu_seconds: float = 0.0
    page_sizes: list[int] = field(default_factory=list)


def run_client(plan: Plan) -> ClientReport:
    """Entry point of a client process."""
    report = ClientReport()
    lock = threading.Lock()
    tokens = list(plan.tokens)
    people = [0]
    rng = random.Random(plan.seed)

    def next_entry() -> str | None:
        with lock:
            if people[0] >= plan.max_people or time.monotonic() >= plan.stop_at:
                return None
            people[0] += 1
            if tokens and rng.random() < 0.5:
                return f"/r/{tokens.pop()}"
            return f"/o/{rng.choice(plan.codes)}"

    def phone_loop(n: int) -> None:
        local = random.Random(plan.seed * 1000 + n)
        while True:
            entry = next_entry()
            if entry is None:
                return
            phone = Phone(
                LOOPBACK,
                plan.port,
                secret=plan.secret,
                rng=local,
                htmx=local.random() < plan.htmx_share,
                accept_encoding=plan.accept_encoding,
            )
            outcome: Outcome = phone.respond(entry)
            sid = outcome.submission_id.hex if outcome.submission_id else ""
            with lock:
                report.outcomes.append((outcome.entry, outcome.accepted, sid, outcome.error))
                report.hits.extend((h.step, h.status, h.seconds, h.started) for h in outcome.hits)
                report.reconnects += phone.reconnects
                report.page_sizes.extend(
                    h.size for h in outcome.hits if h.status == 200 and h.step == "page"
                )

    def bare_loop(n: int) -> None:
        phone = Phone(LOOPBACK, plan.port, secret=plan.secret)
        while time.monotonic() < plan.stop_at:
            try:
                phone.get("bare", "/")
            except OSError:
                phone.close()
        phone.close()
        with lock:
            report.hits.extend((h.step, h.status, h.seconds, h.started) for h in phone.hits)
            report.reconnects += phone.reconnects

    def submit_loop(n: int) -> None:
        """The least a submission can cost: one POST of every answer, one insert each."""
        local = random.Random(plan.seed * 1000 + n)
        phone = Phone(LOOPBACK, plan.port, secret=plan.secret, accept_encoding=plan.accept_encoding)
        while time.monotonic() < plan.stop_at:
            form = {f"a{i}": local.choice("abcde") for i in range(plan.bare_submit)}
            try:
                reply = phone.post("submit", "/submit", form)
                ok = reply.status == 200
                error = "" if ok else f"submit: {reply.status}"
            except OSError as exc:
                phone.close()
                ok, error = False, f"{type(exc).__name__}: {exc}"
            with lock:
                report.outcomes.append(("bare", ok, "", error))
        phone.close()
        with lock:
            report.hits.extend((h.step, h.status, h.seconds, h.started) for h in phone.hits)
            report.reconnects += phone.reconnects

    time.sleep(max(0.0, plan.start_at - time.monotonic()))
    target = submit_loop if plan.bare_submit else bare_loop if plan.bare else phone_loop
    threads = [threading.Thread(target=target, args=(n,), daemon=True) for n in range(plan.phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(plan.stop_at - time.monotonic() + 120)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report.cpu_seconds = usage.ru_utime + usage.ru_stime
    return report


def drive(
    port: int,
    secret: str,
    *,
    phones: int,
    seconds: float,
    processes: int,
    tokens: Sequence[str] = (),
    codes: Sequence[str] = (),
    max_people: int = 0,
    bare: bool = False,
    seed: int = 1,
    htmx_share: float = 0.0,
    accept_encoding: str = "",
    bare_submit: int = 0,
) -> tuple[list[ClientReport], float]:
    """Run the phones in `processes` spawned processes; returns their reports and start time."""
    context = multiprocessing.get_context("spawn")
    start_at = time.monotonic() + 3.0  # time for the processes to import and get ready
    plans = []
    for p in range(processes):
        share = phones // processes + (1 if p < phones % processes else 0)
        plans.append(
            Plan(
                port=port,
                secret=secret,
                phones=share,
                start_at=start_at,
                stop_at=start_at + seconds,
                tokens=list(tokens[p::processes]),
                codes=list(codes),
                max_people=max(1, max_people // processes) if max_people else 10**9,
                seed=seed * 100 + p,
                bare=bare,
                htmx_share=htmx_share,
                accept_encoding=accept_encoding,
                bare_submit=bare_submit,
            )
        )
    with context.Pool(processes) as pool:
        reports = pool.map(run_client, plans)
    return reports, start_at

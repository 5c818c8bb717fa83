"""Benchmark: respondent page weight and server time for a 40-item questionnaire (issue 6).

    python -m bench.respondent_pages [--runs 50]

Builds its own launched round in a temporary SQLite database: staff answer exactly 40 items in
several sections, with free text and the role question (the heaviest adult pages). A respondent
enters through an invitation link and answers page by page; the bench records, for each page,
the HTML as served (full page without JavaScript, and the HTMX block with it) and gzip sizes at
level 6 (a common server setting), plus respond.css, respond.js and htmx on a cold cache.

Budgets: the first page (welcome, with CSS and JavaScript, cold cache) <= 30 KB gzipped, and so
is the first section; each further section <= 10 KB; median server time per page < 10 ms (for
the GET of each page and for the POST answering it). Server time is CPU time of the request in
the test client (wall time is reported too: on a busy machine it mostly measures the others).
The limit: a bare Flask app serving the same HTML strings from memory, timed the same way.

Ends with one line of JSON (DESIGN.md 11).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ITEMS = 40
FRAMEWORK = "hmie-children-services"
AUDIENCE = "staff"
BUDGET_FIRST_KB = 30.0
BUDGET_FURTHER_KB = 10.0
BUDGET_MEDIAN_MS = 10.0
STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
ASSETS = ("css/respond.css", "js/respond.js", "js/htmx-2.0.11.min.js")


def gz_kb(data: bytes) -> float:
    return len(gzip.compress(data, compresslevel=6)) / 1024


def _forty_items(rnd: Any) -> None:
    from app.models import ItemOrigin, QuestionItem

    for questionnaire in rnd.questionnaires:
        items = sorted(questionnaire.items, key=lambda i: i.position)
        for extra in items[ITEMS:]:
            questionnaire.items.remove(extra)
        for n in range(len(items), ITEMS):
            model = items[n % len(items)]
            questionnaire.items.append(
                QuestionItem(
                    position=n + 1,
                    section_id=model.section_id,
                    indicator_id=model.indicator_id,
                    statement=f"Our own statement {n + 1}.",
                    scale_id=model.scale_id,
                    origin=ItemOrigin.CUSTOM,
                )
            )


def build(app: Any) -> str:
    """A live round whose staff questionnaire has 40 items; returns an invitation token."""
    import uuid

    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Invitation, RoundStatus
    from app.services.accounts import get_or_create_organisation
    from app.services.frameworks import get_framework
    from app.services.responding import today
    from app.services.rounds import RoundSettings, create_round, freeze
    from app.services.tokens import derive_token, token_hash

    with app.app_context():
        upgrade()
        org = get_or_create_organisation("Benchmark Council")
        framework = get_framework(org.id, FRAMEWORK)
        rnd = create_round(
            org,
            RoundSettings(
                name="Benchmark round",
                framework_id=FRAMEWORK,
                indicator_ids=[i.id for i in framework.indicators if i.items.get(AUDIENCE)],
                audiences=[AUDIENCE],
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=30),
                free_text=True,
                role_question=True,
            ),
        )
        _forty_items(rnd)
        db.session.flush()
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        invitation_id = uuid.uuid4()
        token = derive_token(app.config["SECRET_KEY"], invitation_id)
        db.session.add(
            Invitation(
                id=invitation_id,
                round_id=rnd.id,
                audience=AUDIENCE,
                email="bench@people.example",
                token_hash=token_hash(token),
            )
        )
        db.session.commit()
        return token


def _median_ms(runs: int, work: Callable[[], object]) -> float:
    """Median CPU milliseconds of `work` (the test client runs the app in this thread).

    CPU time, not wall time: on a shared machine wall time mostly measures the other
    processes. Wall time is reported beside it (`_wall_ms`).
    """
    return _median(runs, work, time.thread_time)


def _wall_ms(runs: int, work: Callable[[], object]) -> float:
    return _median(runs, work, time.perf_counter)


def _median(runs: int, work: Callable[[], object], clock: Callable[[], float]) -> float:
    work()  # warm: compiled templates, the questionnaire cache
    times = []
    for _ in range(runs):
        started = clock()
        work()
        times.append(clock() - started)
    return statistics.median(times) * 1000


def walk(app: Any, token: str, runs: int) -> list[dict[str, Any]]:
    """Every page of the questionnaire as one respondent sees it, measured."""
    import re

    from tests.app.respond.helpers import Browser

    phone = Browser(app.test_client())
    phone.enter(f"/r/{token}")
    pages: list[dict[str, Any]] = []
    welcome_url = phone.locations[-1]
    pages.append(_measure(phone, welcome_url, "welcome", runs))
    phone.start()
    while True:
        url = phone.locations[-1]
        page = _measure(phone, url, f"page {len(pages)}", runs)
        pages.append(page)
        phone.get(url)
        if "/send" in phone.form_action():
            break
        action, data = phone.form_action(), {**phone.answer("a"), "nav": "next"}
        data["csrf_token"] = phone.csrf()
        # Answering the page and moving on: the POST that ends in a 303 (repeatable).
        page["post_ms"] = _median_ms(runs, functools.partial(phone.client.post, action, data=data))
        response = phone.post(action, data)
        assert response.status_code == 303, response.status_code
        phone.follow(response)
    assert re.search(r"Section \d+ of \d+", pages[-1]["html"].decode())
    return pages


def _measure(phone: Any, url: str, name: str, runs: int) -> dict[str, Any]:
    client = phone.client
    full = client.get(url)
    block = client.get(url, headers={"HX-Request": "true"})
    assert full.status_code == 200 and block.status_code == 200, (url, full.status_code)
    return {
        "name": name,
        "url": url,
        "html": full.data,
        "html_gz_kb": gz_kb(full.data),
        "block_gz_kb": gz_kb(block.data),
        "server_ms": _median_ms(runs, lambda: client.get(url)),
        "wall_ms": _wall_ms(runs, lambda: client.get(url)),
    }


def bare_flask_ms(pages: list[dict[str, Any]], runs: int) -> float:
    """The same HTML served from memory by a bare Flask app: the floor for our server time."""
    from flask import Flask

    bare = Flask("bare")
    bodies: dict[str, bytes] = {f"/p/{n}": page["html"] for n, page in enumerate(pages)}

    @bare.get("/p/<int:n>")
    def serve(n: int) -> bytes:
        return bodies[f"/p/{n}"]

    client = bare.test_client()
    return statistics.median(_median_ms(runs, functools.partial(client.get, url)) for url in bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from app import create_app
    from app.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-respondent-pages-not-a-secret",
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "RESPOND_PAGE_RATE_LIMIT": "100000 per minute",
            }
        )
        token = build(app)
        pages = walk(app, token, args.runs)
        with app.app_context():
            db.engine.dispose()

    assets_kb = sum(gz_kb((STATIC / name).read_bytes()) for name in ASSETS)
    welcome, sections = pages[0], pages[1:]
    first_total = welcome["html_gz_kb"] + assets_kb
    first_section_total = sections[0]["html_gz_kb"] + assets_kb
    further = max(p["html_gz_kb"] for p in sections[1:])
    further_block = max(p["block_gz_kb"] for p in sections[1:])
    median_ms = statistics.median(p["server_ms"] for p in pages)
    wall_ms = statistics.median(p["wall_ms"] for p in pages)
    slowest_ms = max(p["server_ms"] for p in pages)
    post_ms = statistics.median(p["post_ms"] for p in pages if "post_ms" in p)
    limit_ms = bare_flask_ms(pages, args.runs)

    print(
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}; times are CPU ms (wall ms in the JSON)",
        file=sys.stderr,
    )
    print(
        f"{'page':<10} {'html gz KB':>10} {'htmx gz KB':>10} {'GET ms':>8} {'POST ms':>8}",
        file=sys.stderr,
    )
    for p in pages:
        print(
            f"{p['name']:<10} {p['html_gz_kb']:>10.2f} {p['block_gz_kb']:>10.2f} "
            f"{p['server_ms']:>8.2f} {p.get('post_ms', float('nan')):>8.2f}",
            file=sys.stderr,
        )
    print(f"CSS + JS (cold cache): {assets_kb:.2f} KB gzipped", file=sys.stderr)
    print(
        f"first page total {first_total:.2f} KB, first section total {first_section_total:.2f}"
        f" KB (budget {BUDGET_FIRST_KB}); further sections at most {further:.2f} KB"
        f" (budget {BUDGET_FURTHER_KB}); median server {median_ms:.2f} ms"
        f" (budget {BUDGET_MEDIAN_MS}); bare Flask {limit_ms:.3f} ms",
        file=sys.stderr,
    )
    within = (
        first_total <= BUDGET_FIRST_KB
        and first_section_total <= BUDGET_FIRST_KB
        and further <= BUDGET_FURTHER_KB
        and median_ms < BUDGET_MEDIAN_MS
        and post_ms < BUDGET_MEDIAN_MS
    )
    print(
        json.dumps(
            {
                "bench": "respondent_pages",
                "figures": {
                    "items": ITEMS,
                    "pages": len(pages),
                    "first_page_total_gz_kb": round(first_total, 2),
                    "first_section_total_gz_kb": round(first_section_total, 2),
                    "further_section_max_gz_kb": round(further, 2),
                    "further_section_htmx_max_gz_kb": round(further_block, 2),
                    "assets_gz_kb": round(assets_kb, 2),
                    "median_server_ms": round(median_ms, 2),
                    "median_server_wall_ms": round(wall_ms, 2),
                    "slowest_page_server_ms": round(slowest_ms, 2),
                    "median_answer_post_ms": round(post_ms, 2),
                    "within_budgets": within,
                },
                "limits": {
                    "bare_flask_median_ms": round(limit_ms, 3),
                    "first_page_budget_gz_kb": BUDGET_FIRST_KB,
                    "further_section_budget_gz_kb": BUDGET_FURTHER_KB,
                    "median_server_budget_ms": BUDGET_MEDIAN_MS,
                },
            }
        )
    )
    if not within:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Benchmark: the round workbook for 25,000 responses x 40 items (issue 9).

    python -m bench.export [--responses 25000] [--database-url postgresql://...]

Builds its own round in a fresh database (a temporary SQLite file unless --database-url is
given), loads the answers with app.services.synthetic, then in a separate process exports the
workbook exactly as the download does and reports the time and that process's peak memory
(VmHWM: interpreter, app and export together). The bare-stack limit is the same 1,000,000
answer cells written by openpyxl's write-only mode with nothing else, also in its own process.

Each side runs --repeat times (default 3), alternating; the best time and the largest peak
count. Targets: under 15 s, under 300 MB peak, and within 2x of the bare openpyxl time.
Ends with one line of JSON (DESIGN.md 11).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frameworks.schema import Framework

ITEMS = 40
FRAMEWORK = "hmie-children-services"
AUDIENCE = "staff"
TARGET_SECONDS = 15.0
TARGET_PEAK_MB = 300.0
TARGET_RATIO = 2.0


def _config(database_url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-export-not-a-secret",
        "ANONYMITY_THRESHOLD": 5,
    }


def _peak_mb() -> float:
    """This process's peak resident memory. Linux: VmHWM, which starts afresh at exec;
    ru_maxrss would carry over the benchmark parent's size into the child."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _indicators_for(framework: Framework, wanted: int) -> list[str]:
    """Indicators whose staff statements add up to exactly `wanted` (a small subset sum)."""
    counts = [
        (ind.id, len(ind.items.get(AUDIENCE, [])))
        for ind in framework.indicators
        if ind.items.get(AUDIENCE)
    ]
    reachable: dict[int, list[str]] = {0: []}
    for ident, n in counts:
        for total, chosen in list(reachable.items()):
            if total + n <= wanted and total + n not in reachable:
                reachable[total + n] = [*chosen, ident]
    if wanted not in reachable:
        raise SystemExit(f"no set of indicators gives exactly {wanted} {AUDIENCE} items")
    return reachable[wanted]


def build(database_url: str, responses: int) -> str:
    """A live round with `responses` x 40 answers and some comments; returns its id."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import CommentPrompt
    from app.services.accounts import get_or_create_organisation
    from app.services.frameworks import get_framework
    from app.services.rounds import RoundSettings, create_round
    from app.services.synthetic import (
        Profile,
        SyntheticComment,
        insert_responses,
        items_of,
        make_live,
        random_answers,
    )

    app = create_app(_config(database_url))
    with app.app_context():
        upgrade()
        org = get_or_create_organisation("Benchmark Council")
        framework = get_framework(org.id, FRAMEWORK)
        from datetime import date, timedelta

        rnd = create_round(
            org,
            RoundSettings(
                name="Benchmark round",
                framework_id=FRAMEWORK,
                indicator_ids=_indicators_for(framework, ITEMS),
                audiences=[AUDIENCE],
                opens_on=date.today() - timedelta(days=7),
                closes_on=date.today() + timedelta(days=7),
                role_question=True,
                free_text=True,
            ),
        )
        make_live(rnd)
        items = items_of(rnd, AUDIENCE)
        assert len(items) == ITEMS, len(items)
        rng = random.Random(2025)
        sections = sorted({item.section_id for item in items})
        roles = ["front_line", "manager", "senior_leader", "support"]
        per_role = responses // len(roles)
        for n, role in enumerate(roles):
            size = per_role if n < len(roles) - 1 else responses - per_role * (len(roles) - 1)
            comments = {
                i: [
                    SyntheticComment(
                        sections[i % len(sections)],
                        CommentPrompt.WORKS_WELL,
                        f"Comment {n}-{i}: the team shares information well.",
                    )
                ]
                for i in range(0, size, 10)
            }
            insert_responses(
                rnd,
                AUDIENCE,
                random_answers(items, size, Profile(), rng),
                role=role,
                comments=comments,
            )
        db.session.commit()
        return str(rnd.id)


def child_export(database_url: str, round_id: str, out: str) -> None:
    """Run in a fresh process: export as the download does, print seconds and peak MB."""
    import uuid

    from app import create_app
    from app.extensions import db
    from app.models import FeedbackRound
    from app.services.documents.round_workbook import write_round_workbook

    app = create_app(_config(database_url))
    with app.app_context():
        rnd = db.session.get_one(FeedbackRound, uuid.UUID(round_id))
        started, cpu = time.perf_counter(), time.process_time()
        with open(out, "wb") as stream:
            write_round_workbook(rnd, stream)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mb": _peak_mb()}))


def child_bare(responses: int, out: str) -> None:
    """The limit: the same answer cells, openpyxl write-only, nothing else."""
    from openpyxl import Workbook

    labels = ["Strongly agree", "Agree", "Disagree", "Strongly disagree", "Don't know"]
    rng = random.Random(1)
    rows = [[rng.choice(labels) for _ in range(ITEMS)] for _ in range(1000)]
    started, cpu = time.perf_counter(), time.process_time()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Responses")
    for n in range(responses):
        ws.append(rows[n % 1000])
    wb.save(out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mb": _peak_mb()}))


def _run_child(args: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.export", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        "seconds": min(r["seconds"] for r in runs),
        "cpu_seconds": min(r["cpu_seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=25_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "export":
            child_export(*rest)
        else:
            child_bare(int(rest[0]), rest[1])
        return

    with tempfile.TemporaryDirectory(prefix="chorus-bench-export-") as tmp:
        database_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        cells = args.responses * ITEMS
        print(f"Building a round: {args.responses:,} responses x {ITEMS} items ({cells:,} answers)")
        started = time.perf_counter()
        round_id = build(database_url, args.responses)
        print(f"  loaded in {time.perf_counter() - started:.1f} s (not measured)")

        # Alternate the two, each in a fresh process, and keep the best time of each (the
        # least disturbed by other work on the machine) and the largest peak memory.
        ours_runs, bare_runs = [], []
        for _ in range(args.repeat):
            ours_runs.append(
                _run_child(["--child", "export", database_url, round_id, str(Path(tmp) / "r.xlsx")])
            )
            bare_runs.append(
                _run_child(["--child", "bare", str(args.responses), str(Path(tmp) / "b.xlsx")])
            )
        size_mb = (Path(tmp) / "r.xlsx").stat().st_size / (1024 * 1024)
        ours = _best(ours_runs)
        bare = _best(bare_runs)

    ratio = ours["seconds"] / bare["seconds"]
    cpu_ratio = ours["cpu_seconds"] / bare["cpu_seconds"]
    verdict = (
        "OK"
        if ours["seconds"] < TARGET_SECONDS
        and ours["peak_mb"] < TARGET_PEAK_MB
        and ratio <= TARGET_RATIO
        else "MISSED"
    )
    print(
        f"Round workbook:   {ours['seconds']:.2f} s wall, {ours['cpu_seconds']:.2f} s CPU, "
        f"peak {ours['peak_mb']:.0f} MB, {size_mb:.1f} MB file"
    )
    print(
        f"Bare openpyxl:    {bare['seconds']:.2f} s wall, {bare['cpu_seconds']:.2f} s CPU, "
        f"peak {bare['peak_mb']:.0f} MB for the same {cells:,} cells (the limit)"
    )
    print(
        f"Ratio:            {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (target <= {TARGET_RATIO:.0f}x)"
    )
    print(f"Targets: < {TARGET_SECONDS:.0f} s, < {TARGET_PEAK_MB:.0f} MB: {verdict}")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    n = args.responses
    print(
        json.dumps(
            {
                "bench": "export",
                "figures": {
                    f"round_workbook_{n}x{ITEMS}_s": round(ours["seconds"], 3),
                    f"round_workbook_{n}x{ITEMS}_cpu_s": round(ours["cpu_seconds"], 3),
                    f"round_workbook_{n}x{ITEMS}_peak_mb": round(ours["peak_mb"], 1),
                    f"round_workbook_{n}x{ITEMS}_file_mb": round(size_mb, 2),
                    "ratio_to_bare_x": round(ratio, 2),
                    "cpu_ratio_to_bare_x": round(cpu_ratio, 2),
                },
                "limits": {
                    f"openpyxl_write_only_{cells}_cells_s": round(bare["seconds"], 3),
                    f"openpyxl_write_only_{cells}_cells_cpu_s": round(bare["cpu_seconds"], 3),
                    f"openpyxl_write_only_{cells}_cells_peak_mb": round(bare["peak_mb"], 1),
                    "target_s": TARGET_SECONDS,
                    "target_peak_mb": TARGET_PEAK_MB,
                    "target_ratio_x": TARGET_RATIO,
                },
            }
        )
    )


if __name__ == "__main__":
    main()

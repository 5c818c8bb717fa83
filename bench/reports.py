"""Benchmark: the reports of issue 19 on the demo (a cheap, demo-sized stand-in).

    python -m bench.reports [--repeat 3]

Seeds the demo (`flask demo`) into a temporary SQLite database, then times the committee
results report (PDF and Word) of the demo's latest round and the self-evaluation report (PDF
and Word) of its assessment, beside the limit: WeasyPrint laying out a bare HTML page holding
the same text (no tables, no charts). Best of --repeat runs; peak memory is this process's
VmHWM. Issue 19 also asks for 24 indicators x 8 imported rounds and a 25,000-response round:
not built here. Ends with one line of JSON (DESIGN.md 11).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import select

    from app import create_app
    from app.cli.demo_results import LATEST
    from app.extensions import db
    from app.models import Assessment, FeedbackRound, Role
    from app.services.assessment.assessments import access_for
    from app.services.documents.committee_report import build_committee_report
    from app.services.documents.report_docx import write_docx
    from app.services.documents.report_pdf import html_to_pdf, write_pdf
    from app.services.documents.self_evaluation import build_self_evaluation

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-reports-not-a-secret",
                "DATABASE_URL": f"sqlite:///{folder}/bench.db",
                "INSTANCE_PATH": f"{folder}/instance",
                "MAIL_SERVER": "",
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "--password", "bench password 1"])
        assert result.exit_code == 0, result.output
        figures: dict[str, float] = {}
        with app.app_context():
            rnd = db.session.execute(
                select(FeedbackRound).where(FeedbackRound.name == LATEST)
            ).scalar_one()
            assessment = db.session.execute(select(Assessment)).scalars().first()
            assert assessment is not None
            access = access_for(assessment, assessment.members[0].user_id, Role.COORDINATOR)
            committee, _ = build_committee_report(rnd)
            self_evaluation = build_self_evaluation(assessment, access)
            for name, report in (("committee", committee), ("self_evaluation", self_evaluation)):
                figures[f"{name}_pdf_s"] = _best(
                    partial(write_pdf, report, io.BytesIO()), args.repeat
                )
                figures[f"{name}_docx_s"] = _best(
                    partial(write_docx, report, io.BytesIO()), args.repeat
                )
                text = report.text()
                bare = "<!doctype html><html lang=en><body>" + "".join(
                    f"<p>{html.escape(line)}</p>" for line in text.splitlines()
                )
                figures[f"{name}_bare_weasyprint_s"] = _best(
                    partial(html_to_pdf, bare, io.BytesIO()), args.repeat
                )
                figures[f"{name}_chars"] = len(text)
    figures = {k: round(v, 3) for k, v in figures.items()}
    figures["peak_mb"] = round(_peak_mb(), 1)
    for key, value in figures.items():
        print(f"{key:34} {value}")
    print(json.dumps({"bench": "reports", **figures}))


if __name__ == "__main__":
    main()

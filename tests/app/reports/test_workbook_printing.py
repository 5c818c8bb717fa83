"""Workbooks that print (issue 19): every sheet has a print set-up, and LibreOffice prints the
demo's workbooks in few pages, never splitting a sheet's columns across pages.

Before the print set-up (measured on this demo, LibreOffice 7): the results workbook printed on
103 pages and the assessment workbook on 40 (issue 19); the figures now are in the assertions.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.cli.demo_results import LATEST
from app.extensions import db
from app.models import Assessment, FeedbackRound, Role
from app.services.assessment.assessments import access_for
from app.services.documents.assessment_workbook import write_assessment_workbook
from app.services.documents.round_workbook import write_round_workbook
from tests.services import require

# A third of the 103 pages the results workbook printed on before (issue 19's target).
ROUND_PAGES_MAX = 34
ASSESSMENT_PAGES_MAX = 20


def _pages(tmp_path: Path, name: str, data: bytes) -> int:
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(data)
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return len(PdfReader(tmp_path / f"{name}.pdf").pages)


def demo_workbooks(app: Flask) -> dict[str, bytes]:
    result = app.test_cli_runner().invoke(args=["demo", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rnd = db.session.execute(
            select(FeedbackRound).where(FeedbackRound.name == LATEST)
        ).scalar_one()
        round_out = io.BytesIO()
        write_round_workbook(rnd, round_out)
        assessment = db.session.execute(select(Assessment)).scalars().first()
        assert assessment is not None
        assessment_out = io.BytesIO()
        write_assessment_workbook(
            assessment,
            access_for(assessment, assessment.members[0].user_id, Role.COORDINATOR),
            assessment_out,
        )
    return {"round": round_out.getvalue(), "assessment": assessment_out.getvalue()}


def _cells(ws: Any, ref: str) -> list[Any]:
    found = ws[ref.split("!")[1].replace("$", "")]
    return [found.value] if not isinstance(found, tuple) else [row[0].value for row in found]


def chart_rows(ws: Any, chart: Any) -> dict[Any, Any]:
    """What a native chart plots: its categories and their values, read from its references."""
    (series,) = chart.series
    categories = series.cat.strRef or series.cat.numRef  # openpyxl reads text as numRef
    return dict(zip(_cells(ws, categories.f), _cells(ws, series.val.numRef.f), strict=True))


def charts_cross_no_break(ws: Any) -> None:
    """Every chart lies between two of the sheet's page breaks (row heights are the default,
    so a chart's height in rows is its height over the default row's)."""
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    assert ws._charts, ws.title
    row_emu = 15 * 12700  # 15 pt default rows
    for chart in ws._charts:
        top = chart.anchor._from.row + 1
        bottom = top + -(-chart.anchor.ext.height // row_emu) - 1
        assert not [b for b in breaks if top <= b < bottom], (ws.title, top, bottom, breaks)


def _check_setup(ws: Any) -> None:
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
    assert ws.oddFooter.center.text and "&P" in ws.oddFooter.center.text, ws.title


def test_every_sheet_prints_one_page_wide_in_few_pages(app: Flask, tmp_path: Path) -> None:
    """One test: seeding the demo is the slow part."""
    workbooks = demo_workbooks(app)
    for data in workbooks.values():
        wb = load_workbook(io.BytesIO(data))
        for ws in wb.worksheets:
            _check_setup(ws)
            if ws.tables:
                assert ws.print_title_rows  # the header row repeats on every page
            if ws._charts:
                charts_cross_no_break(ws)
    require("LibreOffice (soffice)", shutil.which("soffice") is not None, "it prints the file")
    round_pages = _pages(tmp_path, "round", workbooks["round"])
    assessment_pages = _pages(tmp_path, "assessment", workbooks["assessment"])
    print(f"pages: results workbook {round_pages}, assessment workbook {assessment_pages}")
    assert round_pages <= ROUND_PAGES_MAX
    assert assessment_pages <= ASSESSMENT_PAGES_MAX

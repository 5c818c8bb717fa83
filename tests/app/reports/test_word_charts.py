"""Charts in the Word reports are pictures with their text alternative set in the document.

Read back as Word and a screen reader would: every picture's docPr has a description naming
each group's figure, a group under k has no number in it, and in the picture itself a hidden
group's row has no bar at all (not a zero-length one) while a shown group's bar ends at its
percentage.
"""

from __future__ import annotations

import io
import random
import re
import uuid
from typing import Any

from flask import Flask
from PIL import Image

from app.services.documents import chart_png
from app.services.documents.committee_report import write_committee_docx
from app.services.documents.report_model import Chart, Report
from app.services.results import CellStatus
from tests.app.exports.conftest import load_round
from tests.app.reports.readback import docx_document
from tests.app.reports.test_self_evaluation import _files, assessment_id  # noqa: F401

BLUE = chart_png.BAR_FILL


def _pictures(document: Any) -> list[tuple[dict[str, str], Image.Image]]:
    found = []
    for shape in document.inline_shapes:
        doc_pr = shape._inline.docPr
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        blob = document.part.related_parts[blip.embed].blob
        found.append((dict(doc_pr.attrib), Image.open(io.BytesIO(blob)).convert("RGB")))
    return found


def _bar_end(image: Image.Image, row: int) -> float | None:
    """Where the blue bar of `row` ends, in percent of the track; None when there is none."""
    s = chart_png.SCALE
    y = int((row * chart_png.ROW + 5) * s)
    xs = [
        x
        for x in range(chart_png.LEFT * s, (chart_png.LEFT + chart_png.TRACK) * s)
        if image.getpixel((x, y)) == BLUE
    ]
    if not xs:
        return None
    return 100 * (max(xs) + 1 - chart_png.LEFT * s) / (chart_png.TRACK * s)


def _check(report: Report, data: bytes) -> int:
    charts = [b for b in report.blocks if isinstance(b, Chart)]
    pictures = _pictures(docx_document(data))
    assert charts and len(pictures) == len(charts)
    suppressed = 0
    for chart, (attrs, image) in zip(charts, pictures, strict=True):
        descr = attrs.get("descr", "")
        assert descr == chart.description and attrs.get("title") == chart.title
        for row, bar in enumerate(chart.bars):
            assert f"{bar.label}: {bar.text}" in descr
            end = _bar_end(image, row)
            if bar.percent is None:
                suppressed += 1
                assert end is None, (chart.title, bar.label)
                # Only the notice ("Fewer than 5 responses"): no percentage, no count.
                said = descr.split(f"{bar.label}: ", 1)[1]
                assert not re.match(r"[^.]*(%|\d+ of \d+|\d+ respondents)", said), said
            elif bar.percent >= 1:
                assert end is not None and abs(end - bar.percent) < 1, (bar.label, end)
    return suppressed


def test_committee_word_charts_are_described_pictures_with_no_small_group_figure(
    app: Flask, seeded_round: uuid.UUID
) -> None:
    with app.app_context():
        rnd = load_round(seeded_round)
        out = io.BytesIO()
        report, results = write_committee_docx(rnd, out, rng=random.Random(1))
    assert results.indicator("4.1").cells["community"].status == CellStatus.SUPPRESSED
    assert _check(report, out.getvalue()) >= 1  # the community group, "not shown"


def test_self_evaluation_word_charts_are_described_pictures(
    app: Flask,
    assessment_id: uuid.UUID,  # noqa: F811
) -> None:
    files = _files(app, assessment_id)
    assert _check(files["report"], files["docx"]) >= 1  # children, one short of k

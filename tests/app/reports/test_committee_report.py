"""The committee results report, read back: every figure is the results service's, nothing for a
group under k, no hidden comment, comments in random order, the same content in PDF and Word."""

from __future__ import annotations

import io
import random
import time
import uuid
from collections import Counter
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.models import Role, RoundStatus
from app.services.documents.committee_report import (
    build_committee_report,
    cell_text,
    write_committee_docx,
    write_committee_pdf,
)
from app.services.results import CellStatus, visible_comments
from tests.app.exports.conftest import HIDDEN_COMMENT, SECRET_COMMENT, load_round, make_round
from tests.app.reports.readback import (
    PDF_SECONDS_MAX,
    docx_document,
    docx_headings,
    docx_text,
    flat,
    pdf_text,
)
from tests.support import login


def _both(app: Flask, round_id: uuid.UUID, seed: int = 1) -> dict[str, Any]:
    with app.app_context():
        rnd = load_round(round_id)
        pdf, word = io.BytesIO(), io.BytesIO()
        started = time.perf_counter()
        report, results = write_committee_pdf(rnd, pdf, rng=random.Random(seed))
        seconds = time.perf_counter() - started
        write_committee_docx(rnd, word, rng=random.Random(seed))
        comments = visible_comments(rnd, rng=random.Random(seed))
    document = docx_document(word.getvalue())
    return {
        "report": report,
        "results": results,
        "comments": comments,
        "pdf": pdf_text(pdf.getvalue()),
        "word": docx_text(document),
        "document": document,
        "seconds": seconds,
    }


def test_every_shown_figure_is_the_results_service_and_hidden_cells_say_why(
    app: Flask, seeded_round: uuid.UUID
) -> None:
    got = _both(app, seeded_round)
    results = got["results"]
    assert got["seconds"] < PDF_SECONDS_MAX
    shown = suppressed = 0
    for body in (got["pdf"], got["word"]):
        for indicator in results.indicators:
            assert indicator.label in body
            for cell in indicator.cells.values():
                assert flat(cell.evidence) in body
                if cell.shown:
                    assert flat(cell_text(cell)) in body
                    shown += 1
                else:
                    suppressed += 1
        for item in results.items:
            assert flat(item.statement) in body
            assert flat(cell_text(item.cell)) in body
        for audience in results.audiences:
            if audience.suppressed:
                assert f"{audience.label} | {audience.invited} | {audience.notice}" in got["word"]
    assert shown and suppressed
    community = results.indicator("4.1").cells["community"]
    assert community.status == CellStatus.SUPPRESSED
    assert "Community: Fewer than 5 responses" in got["pdf"]


def test_no_comment_from_a_small_group_and_no_hidden_comment(
    app: Flask, seeded_round: uuid.UUID
) -> None:
    got = _both(app, seeded_round)
    for body in (got["pdf"], got["word"]):
        assert SECRET_COMMENT not in body
        assert HIDDEN_COMMENT not in body
        assert "Community: fewer than 5 responses, so no comments are shown." in body
    word_paragraphs = Counter(flat(p.text) for p in got["document"].paragraphs)
    for group in got["comments"]:
        for comment in group.comments:
            assert word_paragraphs[flat(comment.text)] >= 1
            assert flat(comment.text) in got["pdf"]
    listed = [p.text for p in got["document"].paragraphs if p.text.startswith("Staff comment")]
    assert len(listed) == 12
    other = [
        p.text
        for p in _both(app, seeded_round, seed=2)["document"].paragraphs
        if p.text.startswith("Staff comment")
    ]
    assert sorted(other) == sorted(listed) and other != listed  # random order, same comments


def test_word_headings_and_the_gaps_between_groups(app: Flask, seeded_round: uuid.UUID) -> None:
    got = _both(app, seeded_round)
    headings = docx_headings(got["document"])
    assert ("Heading 1", "Who was asked and who answered") in headings
    for indicator in got["results"].indicators:
        assert ("Heading 2", indicator.label) in headings
    assert got["results"].disparities
    assert "The largest gaps between groups" in got["pdf"]
    assert "percentage points between Staff" in got["pdf"]


def test_a_live_round_reports_what_its_pages_show(
    app: Flask, client: FlaskClient, seeded_round: uuid.UUID
) -> None:
    page = client.get(f"/results/{seeded_round}").get_data(as_text=True)
    got = _both(app, seeded_round)
    assert "Live: figures as they stood one release ago" in got["pdf"]
    for indicator in got["results"].indicators:
        for cell in indicator.cells.values():
            if cell.shown and cell.percent_text:
                assert cell.percent_text in page


def test_downloads_for_every_role_and_none_for_a_draft(
    app: Flask, client: FlaskClient, seeded_round: uuid.UUID, make_user: Any
) -> None:
    pdf = client.get(f"/results/{seeded_round}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "committee-report.pdf" in pdf.headers["Content-Disposition"]
    assert "1.1 Improvements in performance" in pdf_text(pdf.data)
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    viewer = app.test_client()
    login(viewer, "viewer@a.example")
    word = viewer.get(f"/results/{seeded_round}/report.docx")
    assert word.status_code == 200 and "wordprocessingml" in word.mimetype
    make_user("other@b.example", "Org B", Role.COORDINATOR)
    other = app.test_client()
    login(other, "other@b.example")
    assert other.get(f"/results/{seeded_round}/report.pdf").status_code == 404
    draft = make_round(app, name="Not yet", status=RoundStatus.DRAFT)
    assert client.get(f"/results/{draft}/report.pdf").status_code == 409
    with app.app_context():
        text, _ = build_committee_report(load_round(seeded_round), rng=random.Random(3))
    assert "Committee results report for Org A" in text.subtitle


def test_the_change_since_an_earlier_round_is_the_comparison_pages(
    app: Flask, seeded_round: uuid.UUID
) -> None:
    from app.services.results import close_round, compare_rounds
    from app.services.synthetic import answers_from_counts, insert_responses, items_of
    from tests.app.exports.conftest import SEEDED_AUDIENCES, SEEDED_INDICATORS

    earlier_id = make_round(
        app, name="Last year", indicators=SEEDED_INDICATORS, audiences=SEEDED_AUDIENCES
    )
    with app.app_context():
        earlier = load_round(earlier_id)
        insert_responses(
            earlier, "staff", answers_from_counts(items_of(earlier, "staff"), {"a": 6, "d": 4})
        )
        insert_responses(
            earlier, "community", answers_from_counts(items_of(earlier, "community"), {"a": 2})
        )
        close_round(earlier)
        from app.extensions import db

        db.session.commit()
        comparison = compare_rounds(load_round(seeded_round), load_round(earlier_id))
    got = _both(app, seeded_round)
    assert "Compared with “Last year”" in got["pdf"]
    compared = [i for i in comparison.items if i.compared]
    assert compared
    for item in compared:
        assert f"{item.change_text} (95% CI {item.interval_text})" in got["word"]
    community = [i for i in comparison.items if i.audience == "community"]
    assert community and not any(i.compared for i in community)

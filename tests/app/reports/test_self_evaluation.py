"""The self-evaluation report, read back: PDF with pypdf, Word with python-docx.

Built through the assessment services (ratings, a judgement, evidence of three kinds, an import
of a closed round where parents are unhappy and children are one short of k, an action), so the
report is checked against what the services and the results pages say.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, EvidenceItem, Role
from app.services.assessment.assessments import access_for, framework_of
from app.services.assessment.judgements import save_review
from app.services.documents.report_model import Chart, Table
from app.services.documents.self_evaluation import (
    QUESTIONS,
    build_self_evaluation,
    write_self_evaluation_docx,
    write_self_evaluation_pdf,
)
from app.services.results import round_results
from tests.app.exports.conftest import load_round
from tests.app.exports.test_assessment_workbook import _assessment, _uid
from tests.app.reports.readback import (
    PDF_SECONDS_MAX,
    docx_document,
    docx_headings,
    docx_text,
    flat,
    pdf_reader,
    pdf_text,
)
from tests.support import login


def _with_capacity(app: Flask, assessment_id: uuid.UUID) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        framework = framework_of(assessment)
        fac = access_for(assessment, _uid("fac@a.example"), Role.SAT_MEMBER)
        save_review(
            assessment,
            framework,
            fac,
            {
                "capacity_statement": "We can improve: CAPACITY-STATEMENT.",
                "capacity_confidence": "some",
            },
        )
        db.session.commit()


@pytest.fixture
def assessment_id(app: Flask, coordinator: Any, make_user: Any) -> uuid.UUID:
    found = _assessment(app, make_user)
    _with_capacity(app, found)
    return found


def _files(app: Flask, assessment_id: uuid.UUID, who: str = "fac@a.example") -> dict[str, Any]:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        role = Role.SAT_MEMBER if who.startswith(("fac", "mem")) else Role.COORDINATOR
        access = access_for(assessment, _uid(who), role)
        pdf, word = io.BytesIO(), io.BytesIO()
        started = time.perf_counter()
        report = write_self_evaluation_pdf(assessment, access, pdf)
        seconds = time.perf_counter() - started
        write_self_evaluation_docx(assessment, access, word)
        round_id = (
            db.session.execute(
                select(EvidenceItem.imported_round_id).where(
                    EvidenceItem.assessment_id == assessment_id,
                    EvidenceItem.imported_round_id.is_not(None),
                )
            )
            .scalars()
            .first()
        )
        results = round_results(load_round(round_id))
    return {
        "report": report,
        "pdf": pdf.getvalue(),
        "docx": word.getvalue(),
        "seconds": seconds,
        "results": results,
    }


def test_pdf_and_word_hold_every_indicator_the_three_questions_and_the_method(
    app: Flask, assessment_id: uuid.UUID
) -> None:
    files = _files(app, assessment_id)
    text = pdf_text(files["pdf"])
    document = docx_document(files["docx"])
    word = docx_text(document)
    for body in (text, word):
        assert "Spring self-evaluation" in body and "Org A" in body
        assert "1.1 Improvements in performance" in body
        assert "2.1 Impact on children and young people" in body
        for question in QUESTIONS:
            assert question in body
        assert "Summary of agreed levels" in body
        assert "5: Very good" in body
        assert "Triangulated: 3 kinds of source" in body
        assert "Joint inspection report" in body and "@Attendance data" in body
        assert "=Strong leadership across agencies" in body
        assert "+Run a parents' forum" in body and "Head of service" in body
        assert "CAPACITY-STATEMENT" in body
        assert "Appendix: method" in body and "Anonymity rules" in body
        assert "Possible blind spot" in body
    headings = docx_headings(document)
    assert ("Heading 1", "Summary of agreed levels") in headings
    assert ("Heading 2", "2.1 Impact on children and young people") in headings
    assert ("Heading 3", "How do we know?") in headings
    assert ("Heading 4", "What stakeholders report") in headings
    # The two files say the same things: every block of the report is in both.
    for block in files["report"].blocks:
        if isinstance(block, Chart):
            wanted = [f"{bar.label}: {bar.text}" for bar in block.bars]
        elif isinstance(block, Table):
            wanted = [" | ".join(row) for row in block.rows]
        else:
            wanted = [getattr(block, "text", "")]
        for line in wanted:
            assert flat(line) in word


def test_stakeholder_figures_equal_the_results_service_and_small_groups_show_only_notices(
    app: Flask, assessment_id: uuid.UUID
) -> None:
    files = _files(app, assessment_id)
    results = files["results"]
    text = pdf_text(files["pdf"])
    word = docx_text(docx_document(files["docx"]))
    indicator = results.indicator("2.1")
    parents, staff, children = (indicator.cells[a] for a in ("parents", "staff", "children"))
    assert parents.shown and staff.shown and children.suppressed
    for body in (text, word):
        for cell in (parents, staff):
            assert flat(cell.evidence) in body
            assert f"95% CI {cell.interval_text}" in body
            assert f"{cell.favourable} of {cell.base} answers" in body
        assert "Children and young people: Fewer than 5 responses" in body
    # Children's four answers were all "sad": no figure of theirs is anywhere.
    children_summary = results.audience("children")
    assert children_summary.suppressed
    assert "4 respondents" not in text and "of 4 answers" not in text
    assert not re.search(r"(?<![\d.])0% favourable", text)
    assert not re.search(r"Children and young people: \S*\d", text + word)


def test_the_pdf_is_tagged_in_english_with_page_numbers_and_a_contents_list(
    app: Flask, assessment_id: uuid.UUID
) -> None:
    files = _files(app, assessment_id)
    reader = pdf_reader(files["pdf"])
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    pages = len(reader.pages)
    assert f"Page 3 of {pages}" in reader.pages[2].extract_text()
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents and "2.1 Impact on children and young people" in contents
    assert files["seconds"] < PDF_SECONDS_MAX, f"the PDF took {files['seconds']:.1f} s"


def test_the_word_file_has_its_language_contents_field_page_numbers_and_repeating_headers(
    app: Flask, assessment_id: uuid.UUID
) -> None:
    document = docx_document(_files(app, assessment_id)["docx"])
    assert document.core_properties.language == "en-GB"
    styles = document.styles.element.xml
    assert 'w:lang w:val="en-GB"' in styles
    body = document.element.body.xml
    assert "TOC \\o" in body
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    first_rows = [t.rows[0]._tr.xml for t in document.tables]
    assert first_rows and all("w:tblHeader" in xml for xml in first_rows)


def test_a_viewer_gets_no_ratings_and_no_names(app: Flask, assessment_id: uuid.UUID) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        viewer = access_for(assessment, uuid.uuid4(), Role.VIEWER)
        text = build_self_evaluation(assessment, viewer).text()
    assert "fac@a.example" not in text and "mem@a.example" not in text
    assert "2 members" in text


def test_downloads_for_readers_of_the_assessment(
    app: Flask, client: FlaskClient, assessment_id: uuid.UUID, make_user: Any
) -> None:
    pdf = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store, private"
    assert "chorus-spring-self-evaluation-self-evaluation.pdf" in pdf.headers["Content-Disposition"]
    assert "2.1 Impact on children" in pdf_text(pdf.data)
    word = client.get(f"/assessments/{assessment_id}/report.docx")
    assert word.status_code == 200 and "wordprocessingml" in word.mimetype

    for email, org, role, status in (
        ("viewer@a.example", "Org A", Role.VIEWER, 200),
        ("outsider@a.example", "Org A", Role.SAT_MEMBER, 404),  # not on the team
        ("other@b.example", "Org B", Role.COORDINATOR, 404),
    ):
        make_user(email, org, role)
        other = app.test_client()
        login(other, email)
        for kind in ("pdf", "docx"):
            got = other.get(f"/assessments/{assessment_id}/report.{kind}")
            assert got.status_code == status, (email, kind)

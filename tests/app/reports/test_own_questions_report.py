"""The committee report shows the round's own questions (issue 20): their suppressed tables and
the words, read back from the PDF and the Word file."""

from __future__ import annotations

import io
import random

from flask import Flask

from app.extensions import db
from app.models import FeedbackRound
from app.services.documents.committee_report import write_committee_docx, write_committee_pdf
from tests.app.reports.readback import docx_document, docx_text, flat, pdf_text
from tests.app.results.own_helpers import answered_round


def test_the_report_holds_each_own_question_suppressed(app: Flask) -> None:
    round_id = answered_round(app)["id"]
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        pdf, word = io.BytesIO(), io.BytesIO()
        _report, _results = write_committee_pdf(rnd, pdf, rng=random.Random(1))
        write_committee_docx(rnd, word, rng=random.Random(1))
    for text in (flat(pdf_text(pdf.getvalue())), flat(docx_text(docx_document(word.getvalue())))):
        assert "Your own questions" in text
        assert "Did you get our leaflet?" in text
        assert "15 (75%)" in text  # yes: count and share of everyone answering
        assert "75% 95% CI 53-89%" in text or "75%; 95% CI 53-89%" in text
        assert "Fewer than 5" in text and "Not shown (protects a smaller group)" in text
        assert "Idea number 4" in text and "Parents' idea" in text
        assert "Word of mouth" not in text  # the "other" count is hidden, so are its words

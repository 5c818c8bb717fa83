"""The self-evaluation report of an assessment, as PDF and as Word (issue 19).

Anyone who may read the assessment may download it (viewers too), and it shows what the pages
show them: `Access` decides the members' ratings and names exactly as on the pages.
"""

from __future__ import annotations

import io
import uuid

from flask.typing import ResponseReturnValue

from app.assessment.common import load
from app.assessment.views import bp
from app.exports.download import document, download_name
from app.services.documents.report_docx import DOCX_MIME
from app.services.documents.report_pdf import PDF_MIME
from app.services.documents.self_evaluation import (
    write_self_evaluation_docx,
    write_self_evaluation_pdf,
)


@bp.get("/<uuid:assessment_id>/report.pdf")
def report_pdf(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    out = io.BytesIO()
    write_self_evaluation_pdf(loaded.assessment, loaded.access, out)
    name = download_name(loaded.assessment.title, "self-evaluation", "pdf")
    return document(out.getvalue(), PDF_MIME, name)


@bp.get("/<uuid:assessment_id>/report.docx")
def report_docx(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    out = io.BytesIO()
    write_self_evaluation_docx(loaded.assessment, loaded.access, out)
    name = download_name(loaded.assessment.title, "self-evaluation", "docx")
    return document(out.getvalue(), DOCX_MIME, name)

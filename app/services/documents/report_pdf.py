"""A `Report` as a tagged PDF: WeasyPrint from one HTML template with print CSS.

Tagged (``pdf_tags``) so screen readers get the headings, lists and tables; the document
language comes from the html element; page numbers and the contents list's page references are
CSS (`counter(page)`, `target-counter`).
"""

from __future__ import annotations

from typing import IO

from flask import current_app

from app.services.documents.report_model import Report

PDF_MIME = "application/pdf"
TEMPLATE = "reports/report.html"


def report_html(report: Report) -> str:
    """The report as one HTML page (no request context needed: rendered from the app's loader,
    without the context processors pages use)."""
    template = current_app.jinja_env.get_template(TEMPLATE)
    blocks = [(type(b).__name__, b, f"h{n}") for n, b in enumerate(report.blocks)]
    return template.render(report=report, blocks=blocks)


def html_to_pdf(html: str, out: IO[bytes]) -> None:
    from weasyprint import HTML  # type: ignore[import-untyped]  # imported late: slow to load

    HTML(string=html).write_pdf(out, pdf_tags=True)


def write_pdf(report: Report, out: IO[bytes]) -> None:
    html_to_pdf(report_html(report), out)

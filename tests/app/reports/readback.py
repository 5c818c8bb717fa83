"""Reading reports back as a person's software would: pypdf for the PDF, python-docx for Word."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
from pypdf import PdfReader

# About 1 s on an idle machine; the bound leaves room for a CI box shared with other jobs.
PDF_SECONDS_MAX = 15


def flat(text: str) -> str:
    """Whitespace collapsed, so a sentence the PDF wrapped over two lines is found whole."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return flat(" ".join(page.extract_text() for page in reader.pages))


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def docx_document(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def docx_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(c.text for c in row.cells) for row in table.rows]
    return flat(" ".join(parts))


def docx_headings(document: Any) -> list[tuple[str, str]]:
    """(style name, text) of every heading paragraph."""
    return [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]

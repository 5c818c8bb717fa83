"""Download plumbing: safe file names and streaming a workbook to the browser."""

from __future__ import annotations

import io
import re
import unicodedata

from flask import Response, send_file

from app.services.documents.workbook import XLSX_MIME

__all__ = ["CSV_MIME", "XLSX_MIME", "bytes_io", "document", "download_name", "slug"]

CSV_MIME = "text/csv; charset=utf-8"


def slug(text: str, limit: int = 60) -> str:
    """ASCII letters, digits and hyphens only: safe in any file system and header."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return cleaned[:limit].rstrip("-")


def download_name(title: str, part: str, extension: str) -> str:
    """E.g. "chorus-spring-2025-round-results.xlsx"; never a path or a quote."""
    pieces = [p for p in ("chorus", slug(title) or "export", slug(part)) if p]
    return f"{'-'.join(pieces)}.{extension}"


def bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def document(body: bytes, mimetype: str, filename: str) -> Response:
    """A finished report (PDF, Word) as an attachment that no shared cache keeps."""
    response = send_file(
        io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store, private"
    return response

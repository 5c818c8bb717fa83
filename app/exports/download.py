"""Download plumbing: safe file names and streaming a workbook to the browser."""

from __future__ import annotations

import io
import re
import unicodedata

from app.services.documents.workbook import XLSX_MIME

__all__ = ["CSV_MIME", "XLSX_MIME", "bytes_io", "download_name", "slug"]

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

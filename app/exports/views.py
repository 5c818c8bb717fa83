"""Excel workbooks and paper questionnaires (issue 9)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exports", __name__, url_prefix="/exports")

"""The self-assessment workspace (issue 8)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/assessments")

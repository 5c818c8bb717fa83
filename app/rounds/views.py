"""Rounds and questionnaires: create, edit, copy (issue 4)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

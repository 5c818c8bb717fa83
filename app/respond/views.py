"""The respondent journey on a phone, and the coordinator's preview of it (issue 6)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("respond", __name__)

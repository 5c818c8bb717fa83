"""Framework library pages: index, tree, indicator, import (issue 3)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("frameworks", __name__, url_prefix="/frameworks")

"""flask --app wsgi rounds ..."""

from __future__ import annotations

from flask.cli import AppGroup

rounds_cli = AppGroup("rounds", help="rounds commands.")

"""flask --app wsgi frameworks ..."""

from __future__ import annotations

from flask.cli import AppGroup

frameworks_cli = AppGroup("frameworks", help="frameworks commands.")

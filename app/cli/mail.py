"""flask --app wsgi mail ..."""

from __future__ import annotations

from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="mail commands.")

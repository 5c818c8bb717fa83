"""flask --app wsgi questionnaire ..."""

from __future__ import annotations

from flask.cli import AppGroup

questionnaire_cli = AppGroup("questionnaire", help="questionnaire commands.")

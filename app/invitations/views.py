"""Contacts, launch, outbox, reminders, open links and the response-rate dashboard (issue 5)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("invitations", __name__, url_prefix="/rounds")

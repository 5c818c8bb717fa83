"""Contacts, launch, outbox, reminders, open links and the response-rate dashboard (issue 5).

The blueprint lives here; each group of pages is a small module that adds its routes to it.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("invitations", __name__, url_prefix="/rounds")

# Imported for their routes (they import `bp` from here).
from app.invitations import (  # noqa: E402
    contact_views,
    dashboard_views,
    kiosk_views,
    launch_views,
    manage_views,
    open_link_views,
    outbox_views,
    people_views,
    reminder_views,
)

__all__ = [
    "bp",
    "contact_views",
    "dashboard_views",
    "kiosk_views",
    "launch_views",
    "manage_views",
    "open_link_views",
    "outbox_views",
    "people_views",
    "reminder_views",
]

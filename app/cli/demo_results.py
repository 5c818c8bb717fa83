"""Demo data: the results part of `flask --app wsgi demo`."""

from __future__ import annotations

from app.models import Organisation, User


def seed(org: Organisation, coordinator: User) -> list[str]:
    """Add this part of the demo; return lines to print for the newcomer."""
    return []

"""When a round takes answers: the service's calendar day and the round's answering window."""

from __future__ import annotations

import enum
from datetime import date

from app.models import RoundStatus


class Window(enum.StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def round_window(status: RoundStatus, opens_on: date, closes_on: date, on: date) -> Window:
    """Open means launched, on or after the opening day and on or before the closing day."""
    if status == RoundStatus.CLOSED or on > closes_on:
        return Window.CLOSED
    if status != RoundStatus.LIVE or on < opens_on:
        return Window.NOT_YET
    return Window.OPEN

"""When a round takes answers: the service's calendar day and the round's answering window."""

from __future__ import annotations

import enum
from datetime import date, timedelta

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


def grace_ends_on(closes_on: date, grace_days: int) -> date:
    """The last day answers made before the close may still arrive (issue 18)."""
    return closes_on + timedelta(days=max(0, grace_days))


def still_accepting(status: RoundStatus, closes_on: date, grace_days: int, on: date) -> bool:
    """The round may still take an answer: not closed by its coordinator and not past the end
    of its grace period. Releases hold their remainder back while this is true (DESIGN.md 6.3)."""
    return status != RoundStatus.CLOSED and on <= grace_ends_on(closes_on, grace_days)


def grace_until(status: RoundStatus, closes_on: date, grace_days: int, on: date) -> date | None:
    """The grace period's last day while the round is in it, else None."""
    if in_grace(status, closes_on, grace_days, on):
        return grace_ends_on(closes_on, grace_days)
    return None


def in_grace(status: RoundStatus, closes_on: date, grace_days: int, on: date) -> bool:
    """Past its closing day, yet still taking answers made before it (from a queue)."""
    return on > closes_on and still_accepting(status, closes_on, grace_days, on)

"""Audit entries for the round pages (issue 16): who did it, on which round, counts only."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from app.models import FeedbackRound, User
from app.services import audit


def actor() -> User | None:
    """The signed-in user as a model (for the audit trail), or None."""
    if not current_user or not current_user.is_authenticated:
        return None
    user: Any = current_user
    return user._get_current_object() if hasattr(user, "_get_current_object") else user


def record(action: str, summary: str, rnd: FeedbackRound, **details: Any) -> None:
    audit.record(
        action,
        summary,
        organisation_id=rnd.organisation_id,
        actor=actor(),
        round=rnd,
        object_type="round",
        object_id=rnd.id,
        details=details,
    )

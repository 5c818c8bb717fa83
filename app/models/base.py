"""Shared column helpers. Random UUID keys everywhere (DESIGN.md section 6.1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, Uuid
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Timestamped:
    """For staff-side records only; never mix into response or answer tables."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

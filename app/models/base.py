"""Shared column helpers. Random UUID keys everywhere (DESIGN.md section 6.1)."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, Uuid
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Timestamped:
    """For staff-side records only; never mix into response or answer tables."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def str_enum(kind: type[enum.Enum], name: str) -> Enum:
    """Stored as plain strings with a CHECK constraint: portable across SQLite and PostgreSQL."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        values_callable=lambda e: [m.value for m in e],
        length=20,
        create_constraint=True,
    )

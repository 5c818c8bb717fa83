"""Frameworks an organisation imported itself; built-in ones live in frameworks/*.yaml."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import Timestamped, UUIDPrimaryKey


class CustomFramework(UUIDPrimaryKey, Timestamped, Model):
    """A validated framework definition, visible to its organisation alone."""

    __tablename__ = "custom_framework"
    __table_args__ = (UniqueConstraint("organisation_id", "framework_id", name="uq_custom_fw"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    framework_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)  # re-validated on load

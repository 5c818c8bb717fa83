"""API tokens (issue 21): a coordinator's key for one organisation's JSON API.

Only the sha256 of the secret is stored; the secret itself is shown once, when it is made.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import Timestamped, UUIDPrimaryKey


class ApiPermission(enum.StrEnum):
    READ_RESULTS = "read_results"
    MANAGE_ROUNDS = "manage_rounds"

    @property
    def label(self) -> str:
        return {
            "read_results": "Read frameworks, rounds, results and assessments",
            "manage_rounds": "Create, change, launch and close rounds, and add contacts",
        }[self]


class ApiToken(UUIDPrimaryKey, Timestamped, Model):
    __tablename__ = "api_token"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    prefix: Mapped[str] = mapped_column(
        String(16)
    )  # the secret's first characters, to recognise it
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

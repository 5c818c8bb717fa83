"""An organisation's OpenID Connect identity provider (single sign-on)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.accounts import Organisation
from app.models.base import Timestamped, UUIDPrimaryKey, utcnow


class IdentityProvider(UUIDPrimaryKey, Timestamped, Model):
    """One per organisation. The client secret is stored sealed (app/services/sso.py)."""

    __tablename__ = "identity_provider"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    label: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(300))
    client_secret_sealed: Mapped[str] = mapped_column(Text)
    # Lower-case domains whose people this provider signs in ("council.example.gov.uk").
    email_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    create_accounts: Mapped[bool] = mapped_column(default=False)
    passwords_allowed: Mapped[bool] = mapped_column(default=True)
    # Microsoft Entra ID sends no email_verified: when on, its `xms_edov` claim (the email's
    # domain is verified by the tenant that owns it) vouches instead, for our domains only.
    trust_domain_verified_email: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation] = relationship()

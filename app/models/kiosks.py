"""Kiosks: a shared tablet paired to one open link, taking answers from one person after another.

A kiosk holds staff-side facts only (its name, its pairing, whether it is revoked), never anything
about a response. The pairing code and the device's secret are kept only as keyed hashes; the
revocation keeps the day only, which is what a queued submission's grant is compared with
(app/services/kiosks.py).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import Timestamped, UUIDPrimaryKey


class Kiosk(UUIDPrimaryKey, Timestamped, Model):
    __tablename__ = "kiosk"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    open_link_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("open_link.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    # HMAC of the one-time pairing code; None once used (single use) or never issued again.
    pairing_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
    # HMAC of the secret the paired tablet holds in its cookie; None until paired.
    device_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    paired_on: Mapped[date | None] = mapped_column(Date, default=None)
    revoked_on: Mapped[date | None] = mapped_column(Date, default=None)

    @property
    def revoked(self) -> bool:
        return self.revoked_on is not None

    @property
    def paired(self) -> bool:
        return self.device_hash is not None

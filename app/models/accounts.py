"""Organisations (or partnerships), users and their roles."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import Model
from app.models.base import Timestamped, UUIDPrimaryKey, str_enum


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    SAT_MEMBER = "sat_member"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return {"coordinator": "Coordinator", "sat_member": "SAT member", "viewer": "Viewer"}[self]


def password_hash_method() -> str:
    """scrypt in production; tests configure a cheap method so fixtures stay fast."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class OrganisationKind(enum.StrEnum):
    ORGANISATION = "organisation"
    PARTNERSHIP = "partnership"


class Organisation(UUIDPrimaryKey, Timestamped, Model):
    """The tenant: one organisation, or a partnership of several named member organisations."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        str_enum(OrganisationKind, "organisation_kind"), default=OrganisationKind.ORGANISATION
    )
    member_organisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    # UK GDPR: contacts' addresses and names are erased this many days after a round closes.
    retention_days: Mapped[int] = mapped_column(Integer, default=30)
    # An IANA zone name: rounds open and close at its midnight; dates are shown in it.
    time_zone: Mapped[str] = mapped_column(
        String(64), default="Europe/London", server_default="Europe/London"
    )

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")


class User(UserMixin, UUIDPrimaryKey, Timestamped, Model):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def __repr__(self) -> str:  # never include the hash
        return f"<User {self.email}>"


class Membership(UUIDPrimaryKey, Timestamped, Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="uq_membership_user_org"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "membership_role"))
    # Deactivated on the Team page: the person keeps their account (and other organisations)
    # but can no longer act for this one.
    active: Mapped[bool] = mapped_column(default=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class AccountLinkPurpose(enum.StrEnum):
    INVITE = "invite"  # a colleague invited by a coordinator sets their first password
    RESET = "reset"  # "forgot password"


class AccountLink(UUIDPrimaryKey, Timestamped, Model):
    """A single-use, expiring link emailed to a member of staff.

    The link carries a random token signed with SECRET_KEY; only sha256(token) is kept, so the
    database never holds a usable link, and `used_at` refuses it the second time.
    """

    __tablename__ = "account_link"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    purpose: Mapped[AccountLinkPurpose] = mapped_column(
        str_enum(AccountLinkPurpose, "account_link_purpose")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

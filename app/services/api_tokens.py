"""API tokens: make one (the secret is returned once), find one by its secret, list, revoke.

The secret is 32 random bytes (URL-safe base64) behind a fixed prefix; only its sha256 is
stored, so a copy of the database cannot call the API. sha256 without a salt is enough for a
secret with 256 bits of entropy (no dictionary to try). Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ApiPermission, ApiToken, User
from app.models.base import utcnow

SECRET_PREFIX = "chorus_"
NAME_MAX = 100
MAX_DAYS = 366
DEFAULT_DAYS = 90


class TokenError(ValueError):
    """Input a coordinator must fix; `errors` maps a form field to a plain message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    organisation_id: uuid.UUID,
    creator: User,
    name: str,
    permissions: Iterable[str],
    days: int,
    now: datetime | None = None,
) -> NewToken:
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Enter a name for the token, such as the system that will use it."
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer."
    known = {p.value for p in ApiPermission}
    chosen = sorted(set(permissions))
    if not chosen or any(p not in known for p in chosen):
        errors["permissions"] = "Choose at least one permission."
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"Choose between 1 and {MAX_DAYS} days."
    if errors:
        raise TokenError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = now or utcnow()
    token = ApiToken(
        organisation_id=organisation_id,
        name=name,
        token_hash=secret_hash(secret),
        prefix=secret[: len(SECRET_PREFIX) + 4],
        permissions=chosen,
        created_by_id=creator.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return NewToken(token, secret)


def find_by_secret(secret: str) -> ApiToken | None:
    """The token with this secret, whatever its state (the caller checks expiry and revocation)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    return db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == secret_hash(secret))
    ).scalar_one_or_none()


def usable(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and _aware(token.expires_at) > now


def _aware(moment: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive (in UTC).
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def tokens_of(organisation_id: uuid.UUID) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.organisation_id == organisation_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id)
        ).scalars()
    )


def token_of(organisation_id: uuid.UUID, token_id: uuid.UUID) -> ApiToken | None:
    return db.session.execute(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.organisation_id == organisation_id)
    ).scalar_one_or_none()


def revoke(token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke (once); False if it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or utcnow()
    db.session.flush()
    return True


def mark_used(token: ApiToken, now: datetime | None = None) -> None:
    token.last_used_at = now or utcnow()
    db.session.flush()


def is_expired(token: ApiToken, now: datetime | None = None) -> bool:
    return _aware(token.expires_at) <= (now or utcnow())

"""Accounts: authentication, users, organisations and memberships."""

from __future__ import annotations

import functools
import secrets
import uuid

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import Membership, Organisation, OrganisationKind, Role, User
from app.models.accounts import password_hash_method


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so both failures cost the same time."""
    return generate_password_hash(secrets.token_hex(16), method=method)


MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The user if the email and password match an active account, else None (one answer)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def get_or_create_organisation(
    name: str, kind: OrganisationKind = OrganisationKind.ORGANISATION
) -> Organisation:
    name = " ".join(name.split())
    if not name:
        raise AccountError("The organisation needs a name.")
    org = db.session.execute(
        select(Organisation).where(Organisation.name == name)
    ).scalar_one_or_none()
    if org is None:
        org = Organisation(name=name, kind=kind, member_organisations=[])
        db.session.add(org)
        db.session.flush()
    return org


def create_user(email: str, password: str, org_name: str, role: Role | str, name: str = "") -> User:
    """Create a user (or add a role in another organisation to an existing one)."""
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"{email!r} is not an email address.")
    try:
        role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise AccountError(f"Unknown role {role!r}; use one of: {allowed}.") from None
    org = get_or_create_organisation(org_name)
    user = find_user_by_email(email)
    if user is None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
        user = User(email=email, name=name)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    if membership_for(user.id, org.id) is not None:
        raise AccountError(f"{email} already belongs to {org.name}.")
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    db.session.flush()
    return user


def membership_for(user_id: uuid.UUID, org_id: uuid.UUID) -> Membership | None:
    return db.session.execute(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == org_id
        )
    ).scalar_one_or_none()


def memberships_of(user_id: uuid.UUID) -> list[Membership]:
    return list(
        db.session.execute(
            select(Membership)
            .join(Organisation)
            .where(Membership.user_id == user_id, Membership.active.is_(True))
            .order_by(Organisation.name)
        ).scalars()
    )


def load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None

"""Colleagues invited by email, the Team page's changes and password reset (issue 16).

A link emailed to a member of staff carries a token derived from the link's id with SECRET_KEY,
signed with it too (so a tampered link is refused before any query), and expires; the database
keeps only sha256(token) and marks the link used, so it works once. Issuing a new link of the
same kind for a person withdraws their earlier ones (and a reset's queued message with it).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import (
    AccountLink,
    AccountLinkPurpose,
    Membership,
    MessageKind,
    MessageStatus,
    Organisation,
    OutboxMessage,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import audit
from app.services.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    find_user_by_email,
    normalise_email,
)
from app.services.tokens import derive_link_token

LIFETIME = {
    AccountLinkPurpose.INVITE: timedelta(days=7),
    AccountLinkPurpose.RESET: timedelta(hours=2),
}
NAME_MAX = 200
EMAIL_MAX = 320

EXPIRED = {
    AccountLinkPurpose.INVITE: (
        "This invitation link has expired. Ask the coordinator who invited you to send a new one."
    ),
    AccountLinkPurpose.RESET: (
        "This password reset link has expired. Ask for a new one below; links last two hours."
    ),
}
USED = {
    AccountLinkPurpose.INVITE: (
        "This invitation link has already been used. Sign in with the password you chose, or "
        "reset it if you have forgotten it."
    ),
    AccountLinkPurpose.RESET: (
        "This password reset link has already been used. Ask for a new one if you still need it."
    ),
}
INVALID = "This link is not valid. Check that you copied the whole link from the email."


class LinkProblem(ValueError):
    """Why a link cannot be used, in words for the person holding it."""


def _serializer() -> URLSafeSerializer:
    keys = [str(current_app.config["SECRET_KEY"])]
    keys += [str(k) for k in current_app.config.get("SECRET_KEY_FALLBACKS") or [] if k]
    return URLSafeSerializer(list(reversed(keys)), salt="chorus-account-link")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _keys() -> list[str]:
    keys = [str(current_app.config["SECRET_KEY"])]
    return keys + [str(k) for k in current_app.config.get("SECRET_KEY_FALLBACKS") or [] if k]


def _new_link(
    user: User,
    purpose: AccountLinkPurpose,
    organisation_id: uuid.UUID | None,
    now: datetime | None,
) -> tuple[AccountLink, str]:
    now = now or utcnow()
    db.session.execute(
        delete(AccountLink).where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
    )
    # The token is derived from the link's id with SECRET_KEY, so the mail worker can rebuild
    # it when it sends the message (`signed_link`); only its hash is stored.
    link_id = uuid.uuid4()
    token = derive_link_token(_keys()[0], link_id)
    link = AccountLink(
        id=link_id,
        user_id=user.id,
        organisation_id=organisation_id,
        purpose=purpose,
        token_hash=_digest(token),
        expires_at=now + LIFETIME[purpose],
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def _signed(token: str, purpose: AccountLinkPurpose) -> str:
    return str(_serializer().dumps({"t": token, "p": purpose.value}))


def issue_link(
    user: User,
    purpose: AccountLinkPurpose,
    organisation_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> str:
    """A new signed link value for `user`; earlier unused links of this kind stop working."""
    _link, token = _new_link(user, purpose, organisation_id, now)
    return _signed(token, purpose)


def signed_link(link_id: uuid.UUID, now: datetime | None = None) -> tuple[AccountLink, str] | None:
    """The link (and its signed value) behind an outbox message, if it may still be used;
    None once used, expired or withdrawn by a newer one. Any of the keys may have made it."""
    now = now or utcnow()
    link = db.session.get(AccountLink, link_id)
    if link is None or link.used_at is not None or _as_utc(link.expires_at) <= now:
        return None
    for key in _keys():
        token = derive_link_token(key, link.id)
        if secrets.compare_digest(_digest(token), link.token_hash):
            return link, _signed(token, link.purpose)
    return None


def check_link(
    signed: str, purpose: AccountLinkPurpose, now: datetime | None = None
) -> AccountLink:
    """The stored link behind `signed`, if it may still be used; LinkProblem otherwise."""
    now = now or utcnow()
    try:
        payload = _serializer().loads(signed)
    except BadSignature:
        raise LinkProblem(INVALID) from None
    if not isinstance(payload, dict) or payload.get("p") != purpose.value:
        raise LinkProblem(INVALID)
    link = db.session.execute(
        select(AccountLink).where(AccountLink.token_hash == _digest(str(payload.get("t"))))
    ).scalar_one_or_none()
    if link is None:
        # Withdrawn by a newer link, or the account was removed: as good as used.
        raise LinkProblem(USED[purpose])
    if link.used_at is not None:
        raise LinkProblem(USED[purpose])
    if _as_utc(link.expires_at) <= now:
        raise LinkProblem(EXPIRED[purpose])
    return link


def check_new_password(password: str, confirm: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
    elif len(password) > 200:
        errors["password"] = "Choose a password of 200 characters or fewer."
    elif password != confirm:
        errors["confirm"] = "The two passwords are not the same. Type the same password twice."
    return errors


def use_link(link: AccountLink, password: str, now: datetime | None = None) -> User:
    """Set the password and spend the link (the caller checked the password)."""
    user = db.session.get(User, link.user_id)
    assert user is not None
    user.set_password(password)
    link.used_at = now or utcnow()
    # A reset spends every other reset link too.
    db.session.execute(
        delete(AccountLink).where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == AccountLinkPurpose.RESET,
            AccountLink.used_at.is_(None),
            AccountLink.id != link.id,
        )
    )
    db.session.flush()
    return user


# -- inviting and the Team page ------------------------------------------------------------------


@dataclass(frozen=True)
class Invited:
    user: User
    link: str | None  # None: they already had an account and were simply added


def _clean_email(email: str, errors: dict[str, str]) -> str:
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not email:
        errors["email"] = "Enter your colleague's email address."
    elif len(email) > EMAIL_MAX:
        errors["email"] = f"The email address must be {EMAIL_MAX} characters or fewer."
    elif not local or "." not in domain or any(c.isspace() for c in email) or domain.endswith("."):
        errors["email"] = "Enter an email address like name@example.org."
    return email


def parse_role(value: str, errors: dict[str, str]) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        errors["role"] = "Choose a role: coordinator, SAT member or viewer."
        return None


def invite_colleague(
    org: Organisation, email: str, role_value: str, name: str, actor: User
) -> Invited:
    """Add a colleague to `org` with a role; AccountError carries {field: message} in args[0]."""
    errors: dict[str, str] = {}
    email = _clean_email(email, errors)
    role = parse_role(role_value, errors)
    name = " ".join(name.split())
    if len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer."
    user = find_user_by_email(email) if "email" not in errors else None
    if user is not None:
        existing = db.session.execute(
            select(Membership).where(
                Membership.user_id == user.id, Membership.organisation_id == org.id
            )
        ).scalar_one_or_none()
        if existing is not None:
            errors["email"] = (
                f"{email} is already on this team."
                if existing.active
                else f"{email} is on this team but deactivated: reactivate them below."
            )
    if errors:
        raise AccountError(errors)
    assert role is not None
    link = None
    if user is None:
        user = User(email=email, name=name)
        user.set_password(secrets.token_urlsafe(32))  # unusable until they choose one
        db.session.add(user)
        db.session.flush()
        link = issue_link(user, AccountLinkPurpose.INVITE, org.id)
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    db.session.flush()
    audit.record(
        "user.invited",
        f"Invited {user.name or user.email} as {role.label}",
        organisation_id=org.id,
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"role": role.value, "colleague": user.email},
    )
    return Invited(user=user, link=link)


@dataclass(frozen=True)
class TeamRow:
    membership: Membership
    user: User
    invitation_pending: bool


def team(org: Organisation) -> list[TeamRow]:
    rows = db.session.execute(
        select(Membership, User)
        .join(User, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id)
        .order_by(Membership.active.desc(), func.lower(User.name), User.email)
    ).all()
    pending = set(
        db.session.execute(
            select(AccountLink.user_id).where(
                AccountLink.purpose == AccountLinkPurpose.INVITE,
                AccountLink.used_at.is_(None),
                AccountLink.organisation_id == org.id,
            )
        ).scalars()
    )
    return [TeamRow(m, u, u.id in pending) for m, u in rows]


def membership_in(org: Organisation, membership_id: uuid.UUID) -> Membership | None:
    return db.session.execute(
        select(Membership).where(
            Membership.id == membership_id, Membership.organisation_id == org.id
        )
    ).scalar_one_or_none()


def _other_active_coordinators(org: Organisation, membership: Membership) -> int:
    return int(
        db.session.execute(
            select(func.count())
            .select_from(Membership)
            .join(User, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == org.id,
                Membership.role == Role.COORDINATOR,
                Membership.active.is_(True),
                User.active.is_(True),
                Membership.id != membership.id,
            )
        ).scalar_one()
    )


LAST_COORDINATOR = (
    "{who} the only coordinator, so cannot {what}. Make a colleague a coordinator first."
)


def _who(membership: Membership, actor: User) -> str:
    return "You are" if membership.user_id == actor.id else "This person is"


def _locked_row(org: Organisation, membership: Membership) -> None:
    """PostgreSQL: two coordinators demoting each other at once must not both succeed."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            select(Membership.id)
            .where(Membership.organisation_id == org.id, Membership.role == Role.COORDINATOR)
            .with_for_update()
        ).all()


def change_role(org: Organisation, membership: Membership, role: Role, actor: User) -> bool:
    """True if the role changed; AccountError if it would leave no coordinator."""
    if membership.role == role:
        return False
    _locked_row(org, membership)
    if (
        membership.role == Role.COORDINATOR
        and membership.active
        and _other_active_coordinators(org, membership) == 0
    ):
        raise AccountError(
            {"role": LAST_COORDINATOR.format(who=_who(membership, actor), what="stop being one")}
        )
    before = membership.role
    membership.role = role
    db.session.flush()
    user = db.session.get(User, membership.user_id)
    assert user is not None
    audit.record(
        "user.role_changed",
        f"{user.name or user.email}: {before.label} to {role.label}",
        organisation_id=org.id,
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"from": before.value, "to": role.value},
    )
    return True


def set_active(org: Organisation, membership: Membership, active: bool, actor: User) -> bool:
    if membership.active == active:
        return False
    if not active:
        _locked_row(org, membership)
        if membership.role == Role.COORDINATOR and _other_active_coordinators(org, membership) == 0:
            raise AccountError(
                {"active": LAST_COORDINATOR.format(who=_who(membership, actor), what="be removed")}
            )
    membership.active = active
    db.session.flush()
    user = db.session.get(User, membership.user_id)
    assert user is not None
    audit.record(
        "user.reactivated" if active else "user.deactivated",
        f"{'Reactivated' if active else 'Deactivated'} {user.name or user.email}",
        organisation_id=org.id,
        actor=actor,
        object_type="user",
        object_id=user.id,
    )
    return True


def request_reset(email: str, now: datetime | None = None) -> bool:
    """Queue a reset link for an account that can sign in somewhere (the mail worker sends it,
    like every other message); False otherwise. The page answers the same either way, and
    takes about the same time: only a row or two more is written."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return False
    memberships = (
        db.session.execute(
            select(Membership).where(Membership.user_id == user.id, Membership.active.is_(True))
        )
        .scalars()
        .all()
    )
    if not memberships:
        return False
    # Not in the audit trail: anyone can ask, so an entry would let strangers write to it.
    link, _token = _new_link(user, AccountLinkPurpose.RESET, None, now)
    db.session.add(
        OutboxMessage(
            kind=MessageKind.PASSWORD_RESET,
            to_address=user.email,
            account_link_id=link.id,
            status=MessageStatus.QUEUED,
            attempts=0,
            next_attempt_at=None,  # at once
        )
    )
    db.session.flush()
    return True

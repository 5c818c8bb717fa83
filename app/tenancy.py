"""Who is acting, for which organisation, and the 404 rule for everything else.

Every staff-side object belongs to one organisation. Views load objects through
`get_owned_or_404`, so an object of another organisation is indistinguishable from one that
does not exist.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.dates import use_zone
from app.extensions import db, login_manager
from app.models import Membership, Organisation, Role
from app.services.accounts import memberships_of

M = TypeVar("M")
F = TypeVar("F", bound=Callable[..., Any])

ORG_SESSION_KEY = "org_id"


def load_current_membership() -> ResponseReturnValue | None:
    """Gate every non-public page on sign-in, then set g.membership / g.org."""
    g.membership = None
    g.org = None
    g.memberships = []
    if not current_user.is_authenticated:
        if is_public_endpoint(request.endpoint, current_app.view_functions):
            return None
        return login_manager.unauthorized()
    memberships = memberships_of(current_user.id)
    if not memberships:
        return None
    chosen = str(session.get(ORG_SESSION_KEY, ""))
    membership = next((m for m in memberships if str(m.organisation_id) == chosen), memberships[0])
    g.membership = membership
    g.org = membership.organisation
    g.memberships = memberships
    use_zone(g.org.time_zone)
    return None


def current_org() -> Organisation:
    if getattr(g, "org", None) is None:
        abort(403)
    return g.org


def current_role() -> Role | None:
    membership: Membership | None = getattr(g, "membership", None)
    return membership.role if membership else None


def role_required(*roles: Role) -> Callable[[F], F]:
    """Allow only members holding one of `roles` in the current organisation."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_role() not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]  # functools.wraps keeps the view's signature

    return decorator


def parse_uuid_or_404(value: str | uuid.UUID) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        abort(404)


def get_owned_or_404(model: type[M], object_id: str | uuid.UUID) -> M:
    """The object if it belongs to the current organisation; 404 otherwise."""
    org = current_org()
    obj = db.session.execute(
        select(model).where(
            model.id == parse_uuid_or_404(object_id),  # type: ignore[attr-defined]  # owned models
            model.organisation_id == org.id,  # type: ignore[attr-defined]  # owned models
        )
    ).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def public(view: F) -> F:
    """Mark a view as reachable without signing in (login, health, respondent pages)."""
    view.chorus_public = True  # type: ignore[attr-defined]  # a marker read by is_public_endpoint
    return view


def is_public_endpoint(endpoint: str | None, view_functions: dict[str, Callable[..., Any]]) -> bool:
    if endpoint is None or endpoint == "static":
        return True  # unknown URLs fall through to the 404 page
    return bool(getattr(view_functions.get(endpoint), "chorus_public", False))

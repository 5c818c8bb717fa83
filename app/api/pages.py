"""Settings, API tokens: coordinators make, list and revoke their organisation's tokens.

A new token's secret is shown once, on the page that answers the POST (a redirect would have
to carry it in a URL or a cookie), with no-store so no cache keeps it.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import db
from app.models import ApiPermission, ApiToken, Role
from app.rendering import render_page
from app.services import api_tokens as service
from app.services import audit
from app.tenancy import current_org, current_role, role_required

bp = Blueprint("api_tokens", __name__, url_prefix="/settings/api-tokens")

EXPIRY_CHOICES = (30, 90, 180, 365)


def _page(status: int = 200, **extra: Any) -> ResponseReturnValue:
    org = current_org()
    response = render_page(
        "api/tokens.html",
        status=status,
        tokens=service.tokens_of(org.id),
        permissions=list(ApiPermission),
        expiry_choices=EXPIRY_CHOICES,
        default_days=service.DEFAULT_DAYS,
        usable=service.usable,
        errors=extra.pop("errors", {}),
        form=extra.pop("form", {}),
        **extra,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@role_required(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/")
@role_required(Role.COORDINATOR)
def create() -> ResponseReturnValue:
    org = current_org()
    form = {
        "name": request.form.get("name", ""),
        "permissions": request.form.getlist("permissions"),
        "days": request.form.get("days", ""),
    }
    try:
        days = int(str(form["days"]))
    except ValueError:
        days = 0
    try:
        made = service.create_token(
            org.id, current_user, str(form["name"]), list(form["permissions"]), days
        )
    except service.TokenError as exc:
        return _page(422, errors=exc.errors, form=form)
    audit.record(
        "api_token.created",
        f"Made the API token “{made.token.name}”",
        organisation_id=org.id,
        actor=current_user,
        object_type="api_token",
        object_id=made.token.id,
        details={"permissions": made.token.permissions, "days": days},
    )
    return _page(new_secret=made.secret, new_token=made.token)


@bp.post("/<uuid:token_id>/revoke")
def revoke(token_id: uuid.UUID) -> ResponseReturnValue:
    org = current_org()
    token: ApiToken | None = service.token_of(org.id, token_id)
    if token is None:
        abort(404, "There is no such API token.")
    if current_role() != Role.COORDINATOR:
        abort(403)
    if service.revoke(token):
        audit.record(
            "api_token.revoked",
            f"Revoked the API token “{token.name}”",
            organisation_id=org.id,
            actor=current_user,
            object_type="api_token",
            object_id=token.id,
        )
        flash(f"The token “{token.name}” is revoked: it no longer works.", "success")
    db.session.flush()
    return redirect(url_for("api_tokens.index"), 303)

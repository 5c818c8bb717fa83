"""Home, organisation switching and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.accessibility import published
from app.extensions import db, limiter
from app.rendering import render_page
from app.services.accounts import membership_for
from app.services.rounds import rounds_of
from app.tenancy import ORG_SESSION_KEY, current_org, parse_uuid_or_404, public

bp = Blueprint("main", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    org = current_org()
    return render_page("main/home.html", org=org, rounds=rounds_of(org.id)[:10])


@bp.post("/organisation")
def switch_organisation() -> ResponseReturnValue:
    org_id = parse_uuid_or_404(request.form.get("organisation_id", ""))
    if membership_for(current_user.id, org_id) is None:
        abort(404)
    session[ORG_SESSION_KEY] = str(org_id)
    return redirect(url_for("main.home"), 303)


@bp.get("/health")
@limiter.exempt
@public
def health() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    """The accessibility statement: facts from docs/accessibility.yaml and the recorded audit,
    the operator's contact details and enforcement text from configuration."""
    statement, record = published()
    return render_page(
        "main/accessibility.html",
        statement=statement,
        record=record,
        organisation=current_app.config.get("ACCESSIBILITY_ORGANISATION", ""),
        email=current_app.config.get("ACCESSIBILITY_EMAIL", ""),
        phone=current_app.config.get("ACCESSIBILITY_PHONE", ""),
        response_days=current_app.config.get("ACCESSIBILITY_RESPONSE_DAYS", 5),
        enforcement=current_app.config.get("ACCESSIBILITY_ENFORCEMENT", "gb"),
        enforcement_text=current_app.config.get("ACCESSIBILITY_ENFORCEMENT_TEXT", ""),
    )

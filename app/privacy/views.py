"""Privacy: how long contacts are kept, per organisation and per round, and erasure requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.invitations.common import load_round
from app.models import FeedbackRound, Role
from app.rendering import render_page
from app.services import retention
from app.services.accounts import normalise_email
from app.tenancy import current_org, parse_uuid_or_404, role_required

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def _page(status: int = 200, **extra: Any) -> ResponseReturnValue:
    org = current_org()
    rounds = list(
        db.session.execute(
            select(FeedbackRound)
            .where(FeedbackRound.organisation_id == org.id)
            .order_by(FeedbackRound.closes_on.desc(), FeedbackRound.name)
        ).scalars()
    )
    schedule = [
        (
            rnd,
            None if rnd.is_draft else retention.erase_on(rnd, org.retention_days, org),
        )
        for rnd in rounds
    ]
    ctx: dict[str, Any] = {
        "org": org,
        "schedule": schedule,
        "errors": {},
        "round_errors": {},
        "days_value": str(org.retention_days),
        "erase_email": "",
        # A date input's value is machine-readable (ISO), set here rather than in the template.
        "retain_values": {
            str(rnd.id): rnd.retain_until.isoformat() for rnd in rounds if rnd.retain_until
        },
        "one_day": timedelta(days=1),
    }
    ctx["retain_values"].update(extra.pop("retain_values", {}))
    ctx.update(extra)
    return render_page("privacy/index.html", status=status, **ctx)


@bp.get("")
@role_required(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/retention")
@role_required(Role.COORDINATOR)
def set_days() -> ResponseReturnValue:
    org = current_org()
    value = request.form.get("retention_days", "")
    try:
        days = retention.set_organisation_days(org, value, current_user)
    except retention.RetentionError as exc:
        db.session.rollback()
        return _page(422, errors=exc.args[0], days_value=value)
    db.session.commit()
    flash(f"Contacts' details are now erased {days} days after a round closes.", "success")
    return redirect(url_for("privacy.index"), 303)


@bp.post("/rounds/<round_id>")
def set_round(round_id: str) -> ResponseReturnValue:
    org = current_org()
    rnd = load_round(parse_uuid_or_404(round_id), coordinator=True)
    value = request.form.get("retain_until", "")
    try:
        retention.set_round_retain_until(rnd, org, value, current_user)
    except retention.RetentionError as exc:
        db.session.rollback()
        message = exc.args[0]["retain_until"]
        return _page(
            422,
            errors={f"retain-{rnd.id}": message},
            round_errors={str(rnd.id): message},
            retain_values={str(rnd.id): value},
        )
    db.session.commit()
    flash(f"Saved how long {rnd.name} keeps its contacts.", "success")
    return redirect(url_for("privacy.index") + f"#round-{rnd.id}", 303)


@bp.post("/erasure")
@role_required(Role.COORDINATOR)
def erase() -> ResponseReturnValue:
    org = current_org()
    email = request.form.get("email", "").strip()
    address = normalise_email(email)
    local, _, domain = address.partition("@")
    if not local or "." not in domain or len(address) > 320:
        return _page(
            422,
            errors={"email": "Enter the email address to erase, like name@example.org."},
            erase_email=email,
        )
    if request.form.get("confirm") != "yes":
        return _page(
            422,
            errors={"confirm": "Tick the box to confirm: erasing cannot be undone."},
            erase_email=email,
        )
    erased, rounds = retention.erase_person(org, address, current_user)
    db.session.commit()
    if rounds:
        flash(
            f"{email} was erased from {rounds} round{'s' if rounds != 1 else ''}: "
            f"{erased.contacts} contact{'s' if erased.contacts != 1 else ''} and "
            f"{erased.invitations} invitation{'s' if erased.invitations != 1 else ''}. "
            "Their anonymous answers, if any, stay in the results.",
            "success",
        )
    else:
        flash(f"{email} is not in any round of {org.name}: there was nothing to erase.", "info")
    return redirect(url_for("privacy.index"), 303)

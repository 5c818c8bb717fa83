"""The Team page: colleagues, their roles, invitations by email and deactivation (issue 16)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import db
from app.invitations.outbox_views import demo_links_shown
from app.mail import staff
from app.models import AccountLinkPurpose, Membership, Role
from app.rendering import render_page
from app.services.accounts import AccountError
from app.services.accounts import colleagues as service
from app.services.links import base_url
from app.tenancy import current_org, current_role, parse_uuid_or_404, role_required

bp = Blueprint("team", __name__, url_prefix="/team")

ROLE_HINTS = {
    Role.COORDINATOR: "runs rounds, invites colleagues, sees the audit trail",
    Role.SAT_MEMBER: "rates indicators on self-assessments",
    Role.VIEWER: "reads results and exports",
}


def _page(status: int = 200, **extra: Any) -> ResponseReturnValue:
    org = current_org()
    ctx: dict[str, Any] = {
        "org": org,
        "rows": service.team(org),
        "roles": list(Role),
        "role_hints": ROLE_HINTS,
        "errors": {},
        "form": {"email": "", "name": "", "role": Role.SAT_MEMBER.value},
        "row_errors": {},
        "shown_link": None,
    }
    ctx.update(extra)
    return render_page("team/index.html", status=status, **ctx)


@bp.get("")
@role_required(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/invite")
@role_required(Role.COORDINATOR)
def invite() -> ResponseReturnValue:
    org = current_org()
    form = {k: request.form.get(k, "") for k in ("email", "name", "role")}
    try:
        invited = service.invite_colleague(
            org, form["email"], form["role"], form["name"], current_user
        )
    except AccountError as exc:
        db.session.rollback()
        return _page(422, errors=exc.args[0], form=form)
    role = service.parse_role(form["role"], {})
    assert role is not None
    db.session.commit()
    user = invited.user
    inviter = current_user.name or current_user.email
    if invited.link is None:
        staff.send(
            user.email,
            f"You have been added to {org.name} on Chorus",
            "mail/staff/added.txt",
            name=user.name,
            inviter=inviter,
            org_name=org.name,
            role_label=role.label,
            link=base_url() + url_for("auth.login"),
        )
        flash(f"{user.email} already had a Chorus account and is now on this team.", "success")
        return redirect(url_for("team.index"), 303)
    link = base_url() + url_for("auth.welcome", signed=invited.link)
    sent = staff.send(
        user.email,
        f"{inviter} invited you to {org.name} on Chorus",
        "mail/staff/invite.txt",
        name=user.name,
        inviter=inviter,
        org_name=org.name,
        role_label=role.label,
        link=link,
    )
    if sent:
        flash(f"Invitation sent to {user.email}. The link lasts 7 days.", "success")
        return redirect(url_for("team.index"), 303)
    if demo_links_shown():
        return _page(shown_link=(user.email, link))
    flash(
        f"{user.email} is on the team, but the invitation email could not be sent. "
        "Check the mail settings, then use “Send a new link”.",
        "error",
    )
    return redirect(url_for("team.index"), 303)


def _own(membership_id: str) -> Membership:
    """The membership if it is the current organisation's (else 404, for every role), then
    the role check (403), as rounds do."""
    membership = service.membership_in(current_org(), parse_uuid_or_404(membership_id))
    if membership is None:
        abort(404)
    if current_role() != Role.COORDINATOR:
        abort(403)
    return membership


def _row_page(membership_id: str, field: str, exc: AccountError) -> ResponseReturnValue:
    db.session.rollback()
    message = exc.args[0].get(field) if isinstance(exc.args[0], dict) else str(exc)
    return _page(422, row_errors={membership_id: message})


@bp.post("/<membership_id>/role")
def change_role(membership_id: str) -> ResponseReturnValue:
    org = current_org()
    membership = _own(membership_id)
    errors: dict[str, str] = {}
    role = service.parse_role(request.form.get("role", ""), errors)
    if role is None:
        return _page(422, row_errors={membership_id: errors["role"]})
    try:
        changed = service.change_role(org, membership, role, current_user)
    except AccountError as exc:
        return _row_page(membership_id, "role", exc)
    db.session.commit()
    if changed:
        flash(f"{membership.user.name or membership.user.email} is now {role.label}.", "success")
    return redirect(url_for("team.index"), 303)


@bp.post("/<membership_id>/active")
def set_active(membership_id: str) -> ResponseReturnValue:
    org = current_org()
    membership = _own(membership_id)
    wanted = request.form.get("active", "")
    if wanted not in ("yes", "no"):
        return _page(422, row_errors={membership_id: "Choose to deactivate or reactivate."})
    try:
        changed = service.set_active(org, membership, wanted == "yes", current_user)
    except AccountError as exc:
        return _row_page(membership_id, "active", exc)
    db.session.commit()
    who = membership.user.name or membership.user.email
    if changed:
        flash(
            f"{who} can sign in to {org.name} again."
            if wanted == "yes"
            else f"{who} can no longer sign in to {org.name}.",
            "success",
        )
    return redirect(url_for("team.index"), 303)


@bp.post("/<membership_id>/link")
def resend(membership_id: str) -> ResponseReturnValue:
    """A fresh invitation link for a colleague who has not chosen a password (the old one stops)."""
    org = current_org()
    membership = _own(membership_id)
    pending = {r.membership.id for r in service.team(org) if r.invitation_pending}
    if membership.id not in pending:
        return _page(
            422, row_errors={membership_id: "This colleague has already chosen a password."}
        )

    signed = service.issue_link(membership.user, AccountLinkPurpose.INVITE, org.id)
    db.session.commit()
    link = base_url() + url_for("auth.welcome", signed=signed)
    inviter = current_user.name or current_user.email
    sent = staff.send(
        membership.user.email,
        f"{inviter} invited you to {org.name} on Chorus",
        "mail/staff/invite.txt",
        name=membership.user.name,
        inviter=inviter,
        org_name=org.name,
        role_label=membership.role.label,
        link=link,
    )
    if not sent and demo_links_shown():
        return _page(shown_link=(membership.user.email, link))
    flash(
        f"A new link was sent to {membership.user.email}."
        if sent
        else "The email could not be sent. Check the mail settings.",
        "success" if sent else "error",
    )
    return redirect(url_for("team.index"), 303)

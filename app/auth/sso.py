"""Single sign-on pages: start at the provider, come back, and the coordinator's settings page."""

from __future__ import annotations

import logging
import uuid

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user

from app.auth.limits import client_rate_limit
from app.extensions import db, limiter
from app.models import Role
from app.rendering import render_page
from app.services import sso
from app.services.accounts import memberships_of
from app.tenancy import ORG_SESSION_KEY, current_org, public, role_required

bp = Blueprint("sso", __name__)
log = logging.getLogger(__name__)

PENDING_KEY = "sso_pending"
NO_PROVIDER = (
    "Single sign-on is not set up for that address. Sign in with your password, "
    "or ask your coordinator."
)


def _safe_next(target: str | None) -> str | None:
    from app.auth.views import _safe_next as safe

    return safe(target)


def _start(provider_id: uuid.UUID, login_hint: str = "") -> ResponseReturnValue:
    provider = sso.get_provider(provider_id)
    if provider is None:
        abort(404, "That sign-in link is not known. Use the sign-in page.")
    try:
        begun = sso.begin(provider, url_for("sso.callback", _external=True), login_hint=login_hint)
    except sso.SsoError as error:
        log.warning("single sign-on could not start for provider %s: %s", provider.id, error)
        return _refused(f"Sign-in through {provider.label} is not available just now. {error}")
    pending = dict(begun.pending)
    next_path = _safe_next(request.args.get("next"))
    if next_path:
        pending["next"] = next_path
    session[PENDING_KEY] = pending
    return redirect(begun.url, 303)


def _refused(message: str) -> ResponseReturnValue:
    return render_page(
        "auth/login.html",
        block="content",
        status=422,
        error=message,
        email="",
        sso_email="",
    )


@bp.post("/login/sso")
@limiter.limit(client_rate_limit)
@public
def start_by_email() -> ResponseReturnValue:
    """ "Sign in with your organisation's account": the address's domain picks the provider."""
    email = request.form.get("sso_email", "").strip()
    provider = sso.provider_for_email(email) if "@" in email else None
    if provider is None:
        return render_page(
            "auth/login.html",
            block="content",
            status=422,
            error=None,
            sso_error=NO_PROVIDER if email else "Enter your work email address.",
            email="",
            sso_email=email,
        )
    next_path = _safe_next(request.args.get("next"))
    return redirect(
        url_for("sso.start", provider_id=provider.id, login_hint=email, next=next_path), 303
    )


@bp.get("/login/sso/<uuid:provider_id>")
@public
def start(provider_id: uuid.UUID) -> ResponseReturnValue:
    """The sign-in page with "Sign in with <provider>": the link an organisation gives its
    people, and where the email form leads. A page of our own between the form and the provider,
    because the CSP's form-action 'self' rightly stops a form's redirect leaving the site."""
    provider = sso.get_provider(provider_id)
    if provider is None:
        abort(404, "That sign-in link is not known. Use the sign-in page.")
    return render_page(
        "auth/login.html",
        block="content",
        error=None,
        email="",
        sso_email="",
        provider=provider,
        login_hint=request.args.get("login_hint", "")[:320],
    )


@bp.get("/login/sso/<uuid:provider_id>/go")
@limiter.limit(client_rate_limit)
@public
def go(provider_id: uuid.UUID) -> ResponseReturnValue:
    """Off to the provider (a link, not a form: see `start`)."""
    return _start(provider_id, login_hint=request.args.get("login_hint", "")[:320])


@bp.get("/auth/sso/callback")
@limiter.limit(client_rate_limit)
@public
def callback() -> ResponseReturnValue:
    pending = session.pop(PENDING_KEY, None)
    if not isinstance(pending, dict):
        return _refused("That sign-in has expired or was already used. Start again.")
    state = request.args.get("state", "")
    if not state or not sso.same(state, str(pending.get("state", ""))):
        return _refused("That sign-in did not match the one started here. Start again.")
    try:
        provider = sso.get_provider(uuid.UUID(str(pending.get("provider"))))
    except ValueError:
        provider = None
    if provider is None:
        return _refused("That sign-in provider is no longer set up. Start again.")
    if request.args.get("iss") and request.args["iss"] != provider.issuer:
        return _refused(f"Sign-in through {provider.label} did not work: wrong issuer.")
    if request.args.get("error"):
        reason = request.args.get("error_description") or request.args["error"]
        return _refused(f"{provider.label} did not sign you in ({reason[:200]}).")
    code = request.args.get("code", "")
    if not code:
        return _refused(f"{provider.label} sent no sign-in code. Start again.")
    try:
        claims = sso.finish(provider, pending, code)
        user = sso.user_for(provider, claims)
    except sso.SsoError as error:
        db.session.rollback()
        log.warning("single sign-on refused for provider %s: %s", provider.id, error)
        return _refused(f"Sign-in through {provider.label} did not work: {error}.")
    if not memberships_of(user.id):
        return _refused("Your account is not part of any organisation yet. Ask a coordinator.")
    # The provider sends people back with a GET (OpenID Connect's redirect; a cross-site POST
    # would arrive without our SameSite=Lax session), so this GET commits what it wrote itself:
    # an account made on first sign-in and its audit entry. The unit of work rolls back GETs.
    db.session.commit()
    session.clear()  # a fresh session on sign-in (no fixation)
    login_user(user)
    session[ORG_SESSION_KEY] = str(provider.organisation_id)
    return redirect(pending.get("next") or url_for("main.home"), 303)


@bp.route("/settings/sign-in", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def settings() -> ResponseReturnValue:
    org = current_org()
    provider = sso.provider_of(org.id)
    errors: dict[str, str] = {}
    values = {
        "label": provider.label if provider else "",
        "issuer": provider.issuer if provider else "",
        "client_id": provider.client_id if provider else "",
        "email_domains": ", ".join(provider.email_domains) if provider else "",
        "create_accounts": provider.create_accounts if provider else False,
        "passwords_allowed": provider.passwords_allowed if provider else True,
        "trust_domain_verified_email": provider.trust_domain_verified_email if provider else False,
    }
    if request.method == "POST":
        form = sso.ProviderForm(
            label=request.form.get("label", ""),
            issuer=request.form.get("issuer", ""),
            client_id=request.form.get("client_id", ""),
            client_secret=request.form.get("client_secret", ""),
            email_domains=request.form.get("email_domains", ""),
            create_accounts=request.form.get("create_accounts") == "yes",
            passwords_allowed=request.form.get("passwords") != "off",
            trust_domain_verified_email=request.form.get("trust_domain_verified_email") == "yes",
        )
        values = {
            "label": form.label,
            "issuer": form.issuer,
            "client_id": form.client_id,
            "email_domains": form.email_domains,
            "create_accounts": form.create_accounts,
            "passwords_allowed": form.passwords_allowed,
            "trust_domain_verified_email": form.trust_domain_verified_email,
        }
        try:
            sso.save_provider(org, current_user, form)
        except sso.SsoError as error:
            db.session.rollback()
            errors[error.field if isinstance(error, sso.SsoConfigError) else "issuer"] = str(error)
        else:
            flash("Single sign-on settings saved.", "success")
            return redirect(url_for("sso.settings"), 303)
    return render_page(
        "auth/sign_in_settings.html",
        block="content",
        status=422 if errors else 200,
        errors=errors,
        values=values,
        provider=provider,
        callback_url=url_for("sso.callback", _external=True),
        start_url=url_for("sso.start", provider_id=provider.id, _external=True)
        if provider
        else None,
        allow_http=bool(current_app.config.get("SSO_ALLOW_HTTP_LOOPBACK")),
    )

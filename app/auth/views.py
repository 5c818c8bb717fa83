"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from app.auth.limits import account_key, account_rate_limit, client_rate_limit, failed_sign_in
from app.extensions import limiter
from app.rendering import render_page
from app.services.accounts import authenticate, memberships_of
from app.services.sso import passwords_refused_by
from app.tenancy import ORG_SESSION_KEY, public

bp = Blueprint("auth", __name__)

BAD_LOGIN = "The email address or password is not right. Check them and try again."


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a login link cannot bounce someone to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(client_rate_limit, methods=["POST"])
@limiter.limit(
    account_rate_limit, key_func=account_key, methods=["POST"], deduct_when=failed_sign_in
)
@public
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        user = authenticate(email, password) if email and password else None
        if user is None:
            error = BAD_LOGIN
        elif not memberships_of(user.id):
            error = "Your account is not part of any organisation yet. Ask a coordinator."
        elif (refusing := passwords_refused_by(user)) is not None:
            error = (
                f"{refusing.name} has switched off Chorus passwords: sign in with your "
                "organisation's account below."
            )
        else:
            session.clear()  # a fresh session on sign-in (no fixation)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"), 303)
    return render_page(
        "auth/login.html", block="content", status=422 if error else 200, error=error, email=email
    )


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    session.pop(ORG_SESSION_KEY, None)
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"), 303)


from app.auth import account_views  # noqa: E402,F401  (adds its routes to bp)

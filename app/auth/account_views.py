"""A colleague's first password, "forgot password" and the reset link (issue 16).

The forgot-password page answers the same words, with the same status, whether or not the
address has an account, and is rate-limited per client and per address (the address keyed by
an HMAC, as sign-in is).
"""

from __future__ import annotations

from flask import abort, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user

from app.auth.limits import account_key, account_rate_limit, client_rate_limit
from app.auth.views import bp
from app.extensions import db, limiter
from app.models import AccountLinkPurpose, User
from app.rendering import render_page
from app.services.accounts import colleagues, memberships_of
from app.tenancy import public

FORGOT_SENT = (
    "If {email} has a Chorus account, we have sent it a link to choose a new password. "
    "The link lasts two hours. Check your spam folder if it does not arrive."
)


def _choose_password(
    signed: str, purpose: AccountLinkPurpose, endpoint: str, template: str
) -> ResponseReturnValue:
    if len(signed) > 500:
        abort(404)
    try:
        link = colleagues.check_link(signed, purpose)
    except colleagues.LinkProblem as problem:
        status = 422 if request.method == "POST" else 410
        return render_page(template, problem=str(problem), errors={}, status=status)
    user = db.session.get(User, link.user_id)
    assert user is not None
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        errors = colleagues.check_new_password(password, request.form.get("confirm", ""))
        if not errors:
            colleagues.use_link(link, password)
            db.session.commit()
            if user.active and memberships_of(user.id):
                session.clear()
                login_user(user)
                return redirect(url_for("main.home"), 303)
            return redirect(url_for("auth.login"), 303)
    return render_page(
        template,
        problem=None,
        errors=errors,
        user=user,
        action=url_for(endpoint, signed=signed),
        status=422 if errors else 200,
    )


@bp.route("/account/welcome/<signed>", methods=["GET", "POST"])
@limiter.limit(client_rate_limit, methods=["POST"])
@public
def welcome(signed: str) -> ResponseReturnValue:
    """A colleague invited by a coordinator chooses their first password."""
    return _choose_password(signed, AccountLinkPurpose.INVITE, "auth.welcome", "auth/welcome.html")


@bp.route("/account/reset/<signed>", methods=["GET", "POST"])
@limiter.limit(client_rate_limit, methods=["POST"])
@public
def reset(signed: str) -> ResponseReturnValue:
    return _choose_password(signed, AccountLinkPurpose.RESET, "auth.reset", "auth/reset.html")


@bp.route("/account/forgot", methods=["GET", "POST"])
@limiter.limit(client_rate_limit, methods=["POST"])
@limiter.limit(account_rate_limit, key_func=account_key, methods=["POST"])
@public
def forgot() -> ResponseReturnValue:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.home"))
    email = request.form.get("email", "").strip() if request.method == "POST" else ""
    error = sent = None
    if request.method == "POST":
        if not email or "@" not in email or len(email) > colleagues.EMAIL_MAX:
            error = "Enter the email address you sign in with, like name@example.org."
        else:
            # Queued in the outbox: the mail worker sends it (and retries), as all mail.
            colleagues.request_reset(email)
            db.session.commit()
            sent = FORGOT_SENT.format(email=email)
    return render_page(
        "auth/forgot.html", error=error, sent=sent, email=email, status=422 if error else 200
    )

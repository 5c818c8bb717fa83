"""Sign-in limits: per client (LOGIN_RATE_LIMIT) and per account (LOGIN_ACCOUNT_RATE_LIMIT).

The per-account limit stops guesses spread over many clients against one address. Its key is
an HMAC of the normalised email address under SECRET_KEY, so the limiter's storage (Redis) never
holds an address, and it is counted for addresses with and without an account alike: a limited
unknown address answers exactly as a limited real one (no account enumeration).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Response, current_app, request

from app.services.accounts import normalise_email


def client_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def account_rate_limit() -> str:
    return str(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def account_key_for(secret: str, email: str) -> str:
    """The limiter key of an address: the same however it is typed, and no address in it."""
    message = b"chorus-login-account:" + normalise_email(email).encode()
    return "login-account-" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def account_key() -> str:
    return account_key_for(str(current_app.config["SECRET_KEY"]), request.form.get("email", ""))


def failed_sign_in(response: Response) -> bool:
    """Only refused attempts count against an account, so signing in often is never limited."""
    return response.status_code == 422

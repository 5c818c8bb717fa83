"""Flask-WTF's CSRF protection with its token serializer built once (issue 15).

Flask-WTF builds a serializer and derives its signing key for every token it makes and every
token it checks: on a respondent's page that was a visible share of the CPU. The tokens, the
session value they are checked against, the checks and their messages are Flask-WTF's own
(`generate_csrf` and `validate_csrf` in flask_wtf/csrf.py, 1.3): only the serializer is kept,
and while tokens never expire, each session's token is signed once and each token checked once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, ValidationError, same_origin
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from app.services.bounded_cache import BoundedCache
from app.signing import url_safe_timed

log = logging.getLogger("flask_wtf.csrf")  # where Flask-WTF logs why a token was refused
_SALT = "wtf-csrf-token"


def _secret() -> str:
    return str(current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)


def _field() -> str:
    return str(current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token")


def _serializer() -> URLSafeTimedSerializer:
    return url_safe_timed(_secret(), _SALT)


# Tokens already signed, when tokens never expire (WTF_CSRF_TIME_LIMIT None, the default here:
# respondents may take all day). A token's timestamp is then never checked, so the token signed
# for a session's value once serves every later page of that session: one HMAC fewer per page.
# Only signed tokens of values the sessions' cookies already carry; bounded like the sessions.
_KEPT_MAX = 5_000
_SIGNED: BoundedCache[tuple[str, str], str] = BoundedCache(_KEPT_MAX)


def _signed(value: str) -> str:
    if current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
        return str(_serializer().dumps(value))
    key = (_secret(), value)
    token = _SIGNED.get(key)
    if token is None:
        token = str(_serializer().dumps(value))
        _SIGNED.put(key, token)
    return token


# Tokens already checked, when tokens never expire: (secret, token) -> the value it signs. A phone
# sends the same token with every page it answers (one of the tokens `_signed` keeps), so its
# signature is checked once per process, not on every POST. Only tokens whose signature passed are
# kept, and the value is still compared with the session's on every request.
_CHECKED: BoundedCache[tuple[str, str], Any] = BoundedCache(_KEPT_MAX)


def _opened(data: Any, time_limit: int | None) -> Any:
    if time_limit is not None or not isinstance(data, str):
        return _serializer().loads(data, max_age=time_limit)
    key = (_secret(), data)
    found = _CHECKED.get(key)
    if found is None:
        found = _serializer().loads(data)  # raises as before on a bad token
        _CHECKED.put(key, found)
    return found


def generate_csrf() -> str:
    """The page's token (one per request), as flask_wtf.csrf.generate_csrf makes it."""
    field = _field()
    if field not in g:
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        value = session[field]
        if not isinstance(value, str):  # as Flask-WTF: a value it cannot sign is replaced
            value = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        setattr(g, field, _signed(value))
    return str(g.get(field))


def validate_csrf(data: Any) -> None:
    """As flask_wtf.csrf.validate_csrf; raises ValidationError with its messages."""
    field = _field()
    time_limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field not in session:
        raise ValidationError("The CSRF session token is missing.")
    try:
        token = _opened(data, time_limit)
    except SignatureExpired as e:
        raise ValidationError("The CSRF token has expired.") from e
    except BadData as e:
        raise ValidationError("The CSRF token is invalid.") from e
    if not hmac.compare_digest(session[field], token):
        raise ValidationError("The CSRF tokens do not match.")


class Protect(CSRFProtect):
    """CSRFProtect checking with the kept serializer; the rest is Flask-WTF's."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = generate_csrf
        # Flask-WTF also puts its own generate_csrf in every template's context; this processor,
        # registered after its own, puts ours there instead.
        app.context_processor(lambda: {"csrf_token": generate_csrf})

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as e:
            log.info(e.args[0])
            self._error_response(e.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True

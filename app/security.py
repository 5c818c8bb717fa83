"""Security headers and request logging hygiene."""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

# Browsers that saw this over HTTPS refuse plain HTTP for a year (sent on HTTPS responses only:
# over plain HTTP the header is meaningless and could pin a site that has no certificate yet).
HSTS = "max-age=31536000; includeSubDomains"

# Invitation links carry a token in the path; no log line may hold one (DESIGN.md 6.2).
# Staff account links (/account/welcome/..., /account/reset/...) are signed, so they hold dots.
_TOKEN_PATH = re.compile(r"(/(?:r|unsubscribe|account/welcome|account/reset)/)[A-Za-z0-9_\-.]{16,}")
# The respondent's pages: logged with no client address and no user agent (DESIGN.md 6.2), so
# the access log cannot put a person (an address, a device) beside the time they answered.
_RESPONDENT_PATH = re.compile(r"^/(?:r|q|o|unsubscribe|forgotten)(?:/|$)")
# Werkzeug's request line: 'ADDRESS - - [date] "GET /path HTTP/1.1" 200 -' (maybe coloured).
_WERKZEUG_LINE = re.compile(
    r'^(?P<address>\S+) - - \[[^\]]*\] "(?:\x1b\[[\d;]*m)?[A-Z]+ (?P<path>\S+)'
)


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(r"\1[redacted]", text)


def is_respondent_path(path: str) -> bool:
    return bool(_RESPONDENT_PATH.match(path or ""))


def anonymise_request_line(text: str) -> str:
    """A werkzeug request line without its client address when the path is a respondent's."""
    match = _WERKZEUG_LINE.match(text)
    if match and is_respondent_path(match.group("path")):
        return "-" + text[match.end("address") :]
    return text


class RedactTokens(logging.Filter):
    """Tokens out of every line; the client address out of respondent request lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = anonymise_request_line(redact(message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction(*extra: str) -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "chorus", *extra):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def add_security_headers(response: Response) -> Response:
    # One pass over the headers already set (a view may set its own), not one per header: this
    # runs on every request, and respondent pages are counted in milliseconds (issue 15).
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 (Headers iterates pairs)
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", HSTS)
    add_vary(response, "HX-Request")
    return response


def add_vary(response: Response, name: str) -> None:
    """Name a request header in Vary, once (as `response.vary.add`, without parsing the header
    into a set and writing it back: every respondent request does this)."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = name
    elif name.lower() not in {part.strip().lower() for part in vary.split(",")}:
        response.headers["Vary"] = f"{vary}, {name}"


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client address and scheme from their
    X-Forwarded-For/-Proto headers (so HTTPS is seen as HTTPS, and sign-in limits count the real
    client). With none (the default) those headers are ignored: anyone could send them."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # middleware, as Flask documents
            app.wsgi_app, x_for=count, x_proto=count
        )


def init_security(app: Flask) -> None:
    trust_proxies(app)
    app.after_request(add_security_headers)
    # The app logger too: Flask logs "Exception on <path>" for unhandled errors.
    install_log_redaction(app.logger.name)

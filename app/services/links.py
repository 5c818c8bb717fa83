"""The public addresses Chorus hands out: invitation, open-link and opt-out links.

Built by path in one place so emails render outside a request (the mail worker has none).
The paths match the respondent blueprint (`respond.enter_invitation` at /r/<token>,
`respond.enter_open_link` at /o/<code>) and `optout.unsubscribe` at /unsubscribe/<token>;
tests/app/invitations/test_links.py fails if a route moves.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """PUBLIC_BASE_URL, else the host of the current request, else the local dev server."""
    configured = (current_app.config.get("PUBLIC_BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEFAULT_BASE_URL


def invitation_path(token: str) -> str:
    return f"/r/{token}"


def open_link_path(code: str) -> str:
    return f"/o/{code}"


def unsubscribe_path(token: str) -> str:
    return f"/unsubscribe/{token}"


def reset_path(signed: str) -> str:
    """`auth.reset`: a member of staff chooses a new password."""
    return f"/account/reset/{signed}"


def invitation_url(token: str) -> str:
    return base_url() + invitation_path(token)


def open_link_url(code: str) -> str:
    return base_url() + open_link_path(code)


def unsubscribe_url(token: str) -> str:
    return base_url() + unsubscribe_path(token)


def short_display(url: str) -> str:
    """The link as people type it from a poster: no scheme."""
    return url.split("://", 1)[-1]

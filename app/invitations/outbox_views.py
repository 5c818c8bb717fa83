"""The coordinator's Outbox: sending progress, failures, and (demo only) the links.

Links are shown only in the demonstration configuration (`demo_links_shown`): a coordinator
who could see which link belongs to whom could open it, read that person's saved draft and
learn whether they have answered. Having no mail server is not enough: a production install
waiting for its mail settings is still production.
"""

from __future__ import annotations

import uuid

from flask import current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.dates import today
from app.invitations.common import load_round, page_number
from app.invitations.views import bp
from app.mail.outbox import as_utc, retry_failed
from app.mail.smtp import mail_configured
from app.models import MessageStatus, Role
from app.rendering import render_page
from app.services.invitations import invitation_messages, outbox_rounds
from app.services.keys import secret_keys
from app.services.links import invitation_url, unsubscribe_url
from app.services.tokens import live_token
from app.tenancy import current_org, role_required

PER_PAGE = 50


def demo_links_shown() -> bool:
    """The demonstration configuration: DEMO_LINKS on (only `make run` sets it), a debug or
    test app, and no mail server. Production (no debug) never shows links, whatever is set."""
    app = current_app
    return (
        bool(app.config.get("DEMO_LINKS", False))
        and (app.debug or app.testing)
        and not mail_configured()
    )


@bp.get("/outbox")
@role_required(Role.COORDINATOR)
def outbox() -> ResponseReturnValue:
    org = current_org()
    rounds = outbox_rounds(org.id, today())
    round_id: uuid.UUID | None = None
    try:
        round_id = uuid.UUID(request.args.get("round", ""))
    except ValueError:
        round_id = None
    if round_id not in {r.round_id for r in rounds}:
        round_id = None
    try:
        status: MessageStatus | None = MessageStatus(request.args.get("status", ""))
    except ValueError:
        status = None
    page = page_number()
    rows, total = invitation_messages(
        org.id, round_id=round_id, status=status, page=page, per_page=PER_PAGE
    )
    demo = demo_links_shown()
    links: dict[uuid.UUID, tuple[str, str]] = {}
    if demo:
        for row in rows:
            if row.invitation_id is not None and row.token_hash is not None:
                token = live_token(secret_keys(), row.invitation_id, row.token_hash)
                links[row.message_id] = (invitation_url(token), unsubscribe_url(token))
    return render_page(
        "invitations/outbox.html",
        block="content",
        rounds=rounds,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        round_id=round_id,
        status_filter=status,
        statuses=list(MessageStatus),
        demo=demo,
        mail_on=mail_configured(),
        links=links,
        as_utc=as_utc,
    )


@bp.post("/<uuid:round_id>/outbox/retry")
def retry_outbox(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    count = retry_failed(rnd.id)
    flash(
        f"{count} message{'s' if count != 1 else ''} will be tried again."
        if count
        else "There were no failed messages to try again.",
        "success",
    )
    return redirect(url_for("invitations.outbox", round=str(rnd.id)), 303)

"""The response-rate dashboard: counts per audience, never who (HTMX refreshes it)."""

from __future__ import annotations

import uuid

from flask import request
from flask.typing import ResponseReturnValue

from app.dates import long_date, today
from app.invitations.common import audience_labels, load_round
from app.invitations.views import bp
from app.mail.smtp import mail_configured
from app.models import RoundStatus
from app.rendering import render_page
from app.services.invitations import response_rates

POLL_SECONDS = 5


@bp.get("/<uuid:round_id>/responses")
def dashboard(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id)
    rates = response_rates(rnd, audience_labels(rnd), today())
    # Live updates can be stopped (WCAG 2.2.2); without JavaScript the page never polls.
    live = rnd.status == RoundStatus.LIVE and request.args.get("live", "1") != "0"
    response = render_page(
        "invitations/dashboard.html",
        block="figures",
        rnd=rnd,
        rates=rates,
        total=rates.total,
        live=live,
        poll_seconds=POLL_SECONDS,
        mail_on=mail_configured(),
        closes=long_date(rnd.closes_on),
        opens=long_date(rnd.opens_on),
    )
    response.headers["Cache-Control"] = "no-store"
    return response

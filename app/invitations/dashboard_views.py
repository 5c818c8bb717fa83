"""The response-rate dashboard: counts per audience, never who (HTMX refreshes it).

Coordinators only. It is a tool for running the round (sending, failures, reminders) and its
counts move one person at a time; viewers and the Self-Assessment Team read the results,
which say how many answered in released steps. Answers received per audience are suppressed
with the results' rule (`surveys.received`): nothing under k, no total that gives a small
audience away, no channel that can be worked out by subtraction.
"""

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
from app.services.invitations import received_by_audience, response_rates
from app.services.mix import waiting_counts

POLL_SECONDS = 5


def waiting_total(round_id: uuid.UUID) -> int:
    """Sealed answers not yet released into the results (the mix, DESIGN.md 6.3). Shown only
    beside a shown total: released counts are on the results."""
    return sum(waiting_counts(round_id).values())


@bp.get("/<uuid:round_id>/responses")
def dashboard(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    rates = response_rates(rnd, audience_labels(rnd), today())
    received = received_by_audience(rates, rnd.threshold)
    waiting = waiting_total(rnd.id) if received.total is not None else 0
    # Live updates can be stopped (WCAG 2.2.2); without JavaScript the page never polls.
    live = rnd.status == RoundStatus.LIVE and request.args.get("live", "1") != "0"
    response = render_page(
        "invitations/dashboard.html",
        block="figures",
        rnd=rnd,
        rates=rates,
        total=rates.total,
        received=received,
        waiting=waiting,
        live=live,
        poll_seconds=POLL_SECONDS,
        mail_on=mail_configured(),
        closes=long_date(rnd.closes_on),
        opens=long_date(rnd.opens_on),
    )
    response.headers["Cache-Control"] = "no-store"
    return response

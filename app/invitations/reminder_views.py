"""Reminders: a preview count, then "send"; and the optional schedule.

Who is still to remind is everyone invited minus those who answered (and a few other groups
shown elsewhere), so the number to remind per audience follows the dashboard's rule
(`surveys.received`): while any audience has fewer than k answers received, that audience's
number to remind, the round's total to remind and the "already answered" count are not shown,
and the confirmation carries an opaque check instead of the number.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.dates import long_date, today
from app.extensions import db
from app.invitations.common import audience_labels, load_round
from app.invitations.views import bp
from app.mail.smtp import mail_configured
from app.models import Channel, FeedbackRound
from app.rendering import render_page
from app.services import reminders as reminder_service
from app.services.invitations import received_by_audience, response_rates
from app.services.reminders import ReminderPreview
from surveys.evidence import PROTECTS_SMALLER_GROUP


def _expected(rnd: FeedbackRound, count: int) -> str:
    """What the form sends back: proves the count is unchanged without showing it."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"reminders:{rnd.id}:{count}".encode(), hashlib.sha256).hexdigest()[:24]


def _shown_counts(rnd: FeedbackRound, preview: ReminderPreview) -> tuple[dict[str, Any], bool]:
    """Per audience: its number to remind, or the words a hidden one reads; and whether the
    round's totals may show. Invited minus still to remind is about the number who answered
    by email, so an audience's number shows only where its email count itself is shown."""
    rates = response_rates(rnd, audience_labels(rnd), today())
    received = received_by_audience(rates, rnd.threshold)
    shown: dict[str, Any] = {}
    all_shown = True
    for aud, got in received.audiences.items():
        visible = got.shown and got.channels.get(Channel.EMAIL.value) is not None
        all_shown = all_shown and visible
        if aud in preview.per_audience:
            shown[aud] = (
                preview.per_audience[aud] if visible else got.notice or PROTECTS_SMALLER_GROUP
            )
    for aud, n in preview.per_audience.items():  # an audience no rate row knows (none today)
        shown.setdefault(aud, n)
    return shown, all_shown


def _page(rnd: FeedbackRound, status: int = 200, **extra: Any) -> ResponseReturnValue:
    day = today()
    preview = reminder_service.preview(rnd, day)
    per_audience, totals_shown = _shown_counts(rnd, preview)
    upcoming = sorted(
        (rnd.closes_on.toordinal() - d, d) for d in rnd.reminder_days_before_close or []
    )
    return render_page(
        "invitations/reminders.html",
        block="content",
        status=status,
        rnd=rnd,
        labels=audience_labels(rnd),
        preview=preview,
        per_audience=per_audience,
        totals_shown=totals_shown,
        expected=_expected(rnd, preview.count),
        mail_on=mail_configured(),
        closes=long_date(rnd.closes_on),
        schedule=[
            (d, long_date(rnd.closes_on.fromordinal(o)), rnd.closes_on.fromordinal(o) < day)
            for o, d in upcoming
        ],
        errors=extra.pop("errors", {}),
        form=extra.pop("form", {}),
        **extra,
    )


@bp.get("/<uuid:round_id>/reminders")
def reminders(round_id: uuid.UUID) -> ResponseReturnValue:
    return _page(load_round(round_id, coordinator=True))


@bp.post("/<uuid:round_id>/reminders/send")
def send_reminders(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    day = today()
    preview = reminder_service.preview(rnd, day)
    if preview.blocked:
        return _page(rnd, 422, errors={"send": preview.blocked})
    if preview.count == 0:
        return _page(rnd, 422, errors={"send": "There is nobody to remind at the moment."})
    expected = request.form.get("expected", "")
    _, totals_shown = _shown_counts(rnd, preview)
    if not hmac.compare_digest(expected, _expected(rnd, preview.count)):
        now = f" to {preview.count}" if totals_shown else ""
        return _page(
            rnd,
            422,
            errors={
                "send": f"The number to remind has changed{now} since the page "
                "was loaded (people answered, or messages went out). Check it and send again."
            },
        )
    queued = reminder_service.queue_reminders(rnd, day, actor=current_user)
    where = "being sent" if mail_configured() else "kept on the Outbox page (no mail server)"
    if totals_shown:
        flash(f"{queued} reminder{'s are' if queued != 1 else ' is'} {where}.", "success")
    else:
        flash(f"Reminders are {where}.", "success")
    return redirect(url_for("invitations.dashboard", round_id=rnd.id), 303)


@bp.post("/<uuid:round_id>/reminders/schedule")
def reminder_schedule(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    try:
        days, gap = reminder_service.parse_schedule(
            request.form.get("reminder_days", ""), request.form.get("reminder_gap", "")
        )
        reminder_service.set_schedule(rnd, days, gap)
    except reminder_service.ReminderSettingsError as exc:
        db.session.rollback()
        return _page(load_round(round_id), 422, errors=exc.errors, form=request.form)
    if days:
        when = ", ".join(str(d) for d in days)
        flash(
            f"Saved: reminders {when} days before the close, at least {gap} days apart.", "success"
        )
    else:
        flash(f"Saved: no scheduled reminders; at least {gap} days between messages.", "success")
    return redirect(url_for("invitations.reminders", round_id=rnd.id), 303)

"""Reminders: a preview count, then "send"; and the optional schedule."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.dates import long_date, today
from app.extensions import db
from app.invitations.common import audience_labels, load_round
from app.invitations.views import bp
from app.mail.smtp import mail_configured
from app.models import FeedbackRound
from app.rendering import render_page
from app.services import reminders as reminder_service


def _page(rnd: FeedbackRound, status: int = 200, **extra: Any) -> ResponseReturnValue:
    day = today()
    preview = reminder_service.preview(rnd, day)
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
    if expected != str(preview.count):
        return _page(
            rnd,
            422,
            errors={
                "send": f"The number to remind has changed to {preview.count} since the page "
                "was loaded (people answered, or messages went out). Check it and send again."
            },
        )
    queued = reminder_service.queue_reminders(rnd, day)
    where = "being sent" if mail_configured() else "kept on the Outbox page (no mail server)"
    flash(f"{queued} reminder{'s are' if queued != 1 else ' is'} {where}.", "success")
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

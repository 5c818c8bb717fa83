"""Launch a round, after a summary of what will happen."""

from __future__ import annotations

import uuid

from flask import current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.dates import long_date, today
from app.extensions import db
from app.invitations.common import audience_labels, load_round
from app.invitations.views import bp
from app.mail.smtp import mail_configured
from app.rendering import render_page
from app.services import launch as launch_service
from app.services.rounds import RoundError


@bp.route("/<uuid:round_id>/launch", methods=["GET", "POST"])
def launch(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    labels = audience_labels(rnd)
    day = today()
    problems: list[str] = []
    if request.method == "POST":
        try:
            result = launch_service.launch(
                rnd, secret=current_app.config["SECRET_KEY"], labels=labels, today=day
            )
        except launch_service.LaunchRefused as exc:
            db.session.rollback()
            problems = exc.problems
        except RoundError as exc:
            db.session.rollback()
            problems = list(exc.errors.values())
        else:
            n = result.invitations
            if not n:
                flash("The round is live. Share the open links or QR codes.", "success")
            elif mail_configured():
                flash(
                    f"The round is live. {n} invitation{'s' if n != 1 else ''} "
                    f"{'are' if n != 1 else 'is'} being sent.",
                    "success",
                )
            else:
                flash(
                    f"The round is live. No mail server is set up, so the {n} invitation"
                    f"{'s are' if n != 1 else ' is'} kept on the Outbox page.",
                    "success",
                )
            return redirect(url_for("invitations.dashboard", round_id=rnd.id), 303)
        rnd = load_round(round_id)
    plan = launch_service.plan_launch(rnd, labels, day)
    if problems:
        plan.problems = problems
    return render_page(
        "invitations/launch.html",
        block="content",
        status=422 if problems else 200,
        rnd=rnd,
        plan=plan,
        posted=bool(problems),
        mail_on=mail_configured(),
        opens=long_date(rnd.opens_on),
        closes=long_date(rnd.closes_on),
        sends_on=long_date(plan.sends_on),
        sends_today=plan.sends_on == day,
    )

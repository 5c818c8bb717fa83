"""Launch a round, after a summary of what will happen, the warnings to tick and the email."""

from __future__ import annotations

import uuid

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.dates import long_date, today
from app.extensions import db
from app.invitations.common import audience_labels, audience_or_404, load_round
from app.invitations.views import bp
from app.mail import render as mail_render
from app.mail.smtp import mail_configured
from app.rendering import render_page
from app.services import launch as launch_service
from app.services.rounds import RoundError
from surveys.launch_checks import unticked

# The preview is a whole email document with inline styles (as mail programs need): it gets a
# policy of its own that runs nothing and loads nothing, framed only by Chorus's launch page.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; "
    "form-action 'none'"
)


@bp.route("/<uuid:round_id>/launch", methods=["GET", "POST"])
def launch(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    labels = audience_labels(rnd)
    day = today()
    problems: list[str] = []
    tick_error = ""
    ticked = set(request.form.getlist("ack"))
    if request.method == "POST":
        plan = launch_service.plan_launch(rnd, labels, day)
        left = unticked(plan.checks, ticked) if plan.ready else []
        if left:
            tick_error = (
                "Tick each warning to confirm you have read it, or change the round first: "
                + " ".join(w.message for w in left)
            )
        else:
            try:
                from app.rounds.audit_trail import record

                result = launch_service.launch(
                    rnd, secret=current_app.config["SECRET_KEY"], labels=labels, today=day
                )
                record(
                    "round.launched",
                    f"Launched the round: {result.invitations} invitations queued, "
                    f"opening on {long_date(rnd.opens_on)}.",
                    rnd,
                    invitations=result.invitations,
                    opens_on=rnd.opens_on.isoformat(),
                    warnings_acknowledged=sorted(w.code for w in plan.checks),
                )
            except launch_service.LaunchRefused as exc:
                db.session.rollback()
                problems = exc.problems
            except RoundError as exc:
                db.session.rollback()
                problems = list(exc.errors.values())
            else:
                n = result.invitations
                waits = rnd.opens_on > day
                if not n:
                    flash("The round is launched. Share the open links or QR codes.", "success")
                elif waits:
                    flash(
                        f"The round is scheduled. {n} invitation{'s' if n != 1 else ''} will be "
                        f"sent on {long_date(rnd.opens_on)}, when it opens.",
                        "success",
                    )
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
    email = None
    if plan.audiences and rnd.is_draft:
        email = mail_render.preview(rnd.id, plan.audiences[0].audience)
    return render_page(
        "invitations/launch.html",
        block="content",
        status=422 if problems or tick_error else 200,
        rnd=rnd,
        plan=plan,
        posted=bool(problems or tick_error),
        tick_error=tick_error,
        ticked=ticked,
        email=email,
        mail_on=mail_configured(),
        opens=long_date(rnd.opens_on),
        closes=long_date(rnd.closes_on),
        sends_on=long_date(plan.sends_on),
        sends_today=plan.sends_on == day,
    )


@bp.get("/<uuid:round_id>/launch/preview/<audience>.html")
def email_preview(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    audience_or_404(rnd, audience)
    kind = request.args.get("kind", "invitation")
    if kind not in ("invitation", "reminder"):
        abort(404)
    email = mail_render.preview(rnd.id, audience, mail_render.MessageKind(kind))
    response = Response(email.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response

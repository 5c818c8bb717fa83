""" "You said, we did" extras (issue 19): the QR poster of the public page, and the optional
email to everyone who was invited. The page itself is written in `views.you_said`."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.i18n import LANGUAGES, speaking
from app.mail.render import build_context
from app.models import RoundStatus
from app.rendering import render_page
from app.results.views import _coordinators_only, _round, bp
from app.services import qr, round_notices, you_said_email
from app.services.links import base_url, short_display


@bp.get("/<uuid:round_id>/you-said-we-did/poster")
def you_said_poster(round_id: uuid.UUID) -> ResponseReturnValue:
    """An A4 poster with a QR code of one audience's public page (?audience=, ?lang=)."""
    rnd = _round(round_id)
    notice = round_notices.get_notice(rnd)
    if notice is None or not notice.published or rnd.status != RoundStatus.CLOSED:
        abort(404, "Publish the page first: the poster points people to it.")
    audiences = [q.audience for q in rnd.questionnaires]
    audience = request.args.get("audience") or (audiences[0] if audiences else "")
    questionnaire = next((q for q in rnd.questionnaires if q.audience == audience), None)
    if questionnaire is None:
        abort(404, "This round asked no such audience.")
    ctx = build_context(rnd.id, audience)
    url = base_url() + you_said_email.you_said_public_path(questionnaire.id)
    wanted = request.args.get("lang")
    code = wanted if wanted in ctx.languages else ctx.languages[0]
    with speaking(code):
        return render_page(
            "results/you_said_poster.html",
            rnd=rnd,
            ctx=ctx,
            audience=audience,
            short_url=short_display(url),
            qr=qr.qr_svg_inline(url, f"QR code: {short_display(url)}"),
            poster_languages=[LANGUAGES[c] for c in ctx.languages],
        )


@bp.post("/<uuid:round_id>/you-said-we-did/email")
def you_said_send_email(round_id: uuid.UUID) -> ResponseReturnValue:
    """Queue the email to everyone invited (coordinators; once; while addresses are kept)."""
    rnd = _round(round_id)
    _coordinators_only()
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm: the email goes to everyone invited, once.", "error")
        return redirect(url_for("results.you_said", round_id=rnd.id), 303)
    try:
        sent = you_said_email.queue_email(rnd, current_user)
    except you_said_email.EmailRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("results.you_said", round_id=rnd.id), 303)
    flash(
        f"Emailing {sent} people: everyone invited, except those who opted out or whose "
        "address bounced. The outbox sends it.",
        "success",
    )
    return redirect(url_for("results.you_said", round_id=rnd.id), 303)

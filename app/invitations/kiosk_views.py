"""Kiosks for open links (issue 18): create one, show its pairing code once, revoke it."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.dates import date_time, today
from app.extensions import db
from app.invitations.common import audience_labels, load_round
from app.invitations.open_link_views import _link_or_404
from app.invitations.views import bp
from app.models import FeedbackRound, Kiosk, User
from app.rendering import render_page
from app.services import kiosks as kiosk_service
from app.services.links import base_url


def _kiosk_or_404(rnd: FeedbackRound, kiosk_id: uuid.UUID) -> Kiosk:
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.round_id != rnd.id:
        abort(404, "There is no such kiosk in this round.")
    return kiosk


def _actor() -> User:
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def _show_code(rnd: FeedbackRound, kiosk: Kiosk, code: str) -> ResponseReturnValue:
    """The code, once: this page is never cached and the code is not stored in clear."""
    label = audience_labels(rnd).get(kiosk_service.link_of(kiosk).audience, "")
    response = render_page(
        "invitations/kiosk_code.html",
        rnd=rnd,
        kiosk=kiosk,
        label=label,
        code=kiosk_service.display_code(code),
        pair_url=base_url() + url_for("respond.kiosk_pair"),
        expires=date_time(kiosk.pairing_expires_at),
        minutes=kiosk_service.PAIRING_MINUTES,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<uuid:round_id>/open-links/<audience>/kiosks")
def create_kiosk(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    link = _link_or_404(rnd, audience)
    name = kiosk_service.clean_name(request.form.get("name", ""))
    if name is None:
        flash(
            f"Give the kiosk a name of up to {kiosk_service.NAME_MAX} characters, such as "
            "“Gala day tablet 1”.",
            "error",
        )
        return redirect(url_for("invitations.open_links", round_id=rnd.id) + "#kiosks", 303)
    kiosk, code = kiosk_service.create(rnd, link, name, _actor())
    return _show_code(rnd, kiosk, code)


@bp.post("/<uuid:round_id>/kiosks/<uuid:kiosk_id>")
def change_kiosk(round_id: uuid.UUID, kiosk_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    kiosk = _kiosk_or_404(rnd, kiosk_id)
    action = request.form.get("action", "")
    if action == "code":
        if kiosk.paired or kiosk.revoked:
            flash("Only a kiosk that is waiting to be paired can get a new code.", "error")
            return redirect(url_for("invitations.open_links", round_id=rnd.id), 303)
        return _show_code(rnd, kiosk, kiosk_service.new_pairing_code(rnd, kiosk, _actor()))
    if action == "revoke":
        if request.form.get("confirm") != "yes":
            flash("Tick the box to confirm that this kiosk should stop taking answers.", "error")
            return redirect(url_for("invitations.open_links", round_id=rnd.id), 303)
        kiosk_service.revoke(rnd, kiosk, _actor(), today())
        flash(
            f"The kiosk “{kiosk.name}” is revoked: it takes no more answers. Answers it "
            "queued offline before today's end are still accepted.",
            "success",
        )
        return redirect(url_for("invitations.open_links", round_id=rnd.id), 303)
    abort(400)

"""Open links and QR codes per audience, and a printable A4 poster."""

from __future__ import annotations

import uuid

from flask import Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.dates import long_date
from app.i18n import LANGUAGES, local_long_date, speaking
from app.invitations.common import (
    audience_labels,
    audience_or_404,
    load_round,
)
from app.invitations.views import bp
from app.mail.render import build_context
from app.models import FeedbackRound, OpenLink
from app.rendering import render_page
from app.services import kiosks as kiosk_service
from app.services import open_links as link_service
from app.services.launch import link_audiences
from app.services.links import open_link_url, short_display


def _link_or_404(rnd: FeedbackRound, audience: str) -> OpenLink:
    if audience not in link_audiences(rnd):  # a questionnaire's, or the shared children's
        audience_or_404(rnd, audience)
    link = link_service.link_for(rnd, audience)
    if link is None:
        abort(404, "Open links are created when the round is launched.")
    return link


@bp.get("/<uuid:round_id>/open-links")
def open_links(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id)
    labels = audience_labels(rnd)
    order = ["children", *rnd.groups]  # the shared children's link, then the bands in order
    links = sorted(
        link_service.links_of(rnd.id),
        key=lambda link: order.index(link.audience) if link.audience in order else len(order),
    )
    return render_page(
        "invitations/open_links.html",
        block="content",
        rnd=rnd,
        labels=labels,
        links=[
            (
                link,
                open_link_url(link.code),
                link_service.qr_svg_inline(
                    link, f"QR code for the {labels.get(link.audience, link.audience)} link"
                ),
            )
            for link in links
        ],
        closes=long_date(rnd.closes_on),
        bands_shared="children" in link_audiences(rnd),
        kiosks=kiosk_service.kiosks_of(rnd.id),
        kiosk_rate=kiosk_service.send_rate_limit(),
        kiosk_pool=kiosk_service.grant_pool(),
    )


@bp.post("/<uuid:round_id>/open-links/<audience>")
def change_open_link(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    link = _link_or_404(rnd, audience)
    label = audience_labels(rnd).get(audience, audience)
    action = request.form.get("action", "")
    if action == "deactivate":
        link_service.set_active(link, False)
        message = f"The {label} open link is switched off: people who use it are told so."
    elif action == "activate":
        link_service.set_active(link, True)
        message = f"The {label} open link works again."
    elif action == "replace":
        if request.form.get("confirm") != "yes":
            flash("Tick the box to confirm: old posters and links will stop working.", "error")
            return redirect(url_for("invitations.open_links", round_id=rnd.id), 303)
        link_service.replace_code(link)
        message = f"The {label} open link has a new address. Print new posters."
    else:
        abort(400)
    flash(message, "success")
    return redirect(url_for("invitations.open_links", round_id=rnd.id), 303)


@bp.get("/<uuid:round_id>/open-links/<audience>/poster")
def poster(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd = load_round(round_id)
    link = _link_or_404(rnd, audience)
    ctx = build_context(rnd.id, audience)
    url = open_link_url(link.code)
    # A poster in each language the round offers (?lang=cy); anything else: the default.
    wanted = request.args.get("lang")
    code = wanted if wanted in ctx.languages else ctx.languages[0]
    with speaking(code):
        return render_page(
            "invitations/poster.html",
            rnd=rnd,
            link=link,
            ctx=ctx,
            url=url,
            short_url=short_display(url),
            qr=link_service.qr_svg_inline(link, f"QR code: {short_display(url)}"),
            closes=local_long_date(rnd.closes_on),
            poster_languages=[LANGUAGES[c] for c in ctx.languages],
        )


def _qr_file(round_id: uuid.UUID, audience: str, kind: str) -> Response:
    rnd = load_round(round_id)
    link = _link_or_404(rnd, audience)
    return Response(
        link_service.qr_file(link, kind),
        mimetype="image/svg+xml" if kind == "svg" else "image/png",
        headers={"Content-Disposition": f'attachment; filename="qr-{audience}.{kind}"'},
    )


@bp.get("/<uuid:round_id>/open-links/<audience>/qr.svg")
def qr_svg(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    return _qr_file(round_id, audience, "svg")


@bp.get("/<uuid:round_id>/open-links/<audience>/qr.png")
def qr_png(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    return _qr_file(round_id, audience, "png")

"""A tablet becomes a kiosk (issue 18): pairing with a one-time code, then one person after
another on the open link's questionnaire through the `kiosk` channel.

/kiosk/pair    the pairing form (a wrong, used or expired code says so and changes nothing)
/kiosk         the kiosk's home: checks the tablet is still a kiosk, clears anything of the
               last person and goes to the questionnaire's welcome page
/kiosk/offline JSON for working offline all day: the questionnaire's blank pages and grants
               (app/services/offline) for the tablet's encrypted queue (app/static/js/kiosk.js);
               on a shared children's link, the list of its age bands, and with `band=` that
               band's own kit and welcome page (each child chooses their band on the tablet,
               even offline, and reads that band's welcome page before its questions)
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.extensions import limiter
from app.i18n import N_, _
from app.rendering import render_page
from app.respond import state
from app.respond.views import BLOCK, Halt, _survey, bp, kiosk_problem, refused
from app.services import abuse, kiosks
from app.services.responding import Refusal, enter_kiosk, today
from app.tenancy import public

PAIR_RATE_LIMIT = "10 per 10 minutes"
PAIR_PROBLEMS = {
    "wrong_code": N_(
        "That code is not right, or it has already been used. Check it on the coordinator's "
        "screen and type it again."
    ),
    "expired": N_(
        "That code has expired. Ask the coordinator to make a new pairing code for this kiosk."
    ),
    "revoked": N_("This kiosk has been revoked. Ask the coordinator to create a new kiosk."),
}


def _pair_page(error: str = "", status: int = 200) -> Response:
    return render_page(
        "respond/kiosk_pair.html",
        block=BLOCK,
        status=status,
        title=(_("Error: ") if error else "") + _("Set up this tablet as a kiosk"),
        organisation="",
        error=error,
    )


@bp.get("/kiosk/pair")
@public
def kiosk_pair() -> ResponseReturnValue:
    return _pair_page()


@bp.post("/kiosk/pair")
@limiter.limit(PAIR_RATE_LIMIT, key_func=abuse.client_key)
@public
def kiosk_pair_post() -> ResponseReturnValue:
    try:
        kiosk, secret = kiosks.pair(request.form.get("code", "")[:40], today())
    except kiosks.KioskProblem as problem_:
        return _pair_page(_(PAIR_PROBLEMS[problem_.code]), problem_.status)
    response = redirect(url_for("respond.kiosk_home", paired="1"), 303)
    response.set_cookie(
        kiosks.DEVICE_COOKIE,
        kiosks.device_cookie(kiosk, secret),
        max_age=kiosks.DEVICE_MAX_AGE,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
    return response


def _kiosk_entry() -> tuple[kiosks.Kiosk, Any]:
    try:
        kiosk = kiosks.device_kiosk(request.cookies.get(kiosks.DEVICE_COOKIE))
    except kiosks.KioskProblem as problem_:
        state.forget_entry()
        response = kiosk_problem(problem_)
        state.clear_progress(response)
        raise Halt(response) from None
    try:
        entry = enter_kiosk(kiosks.link_of(kiosk), today())
    except Refusal as refusal:
        raise Halt(refused(refusal)) from None
    return kiosk, entry


@bp.get("/kiosk")
@public
def kiosk_home() -> ResponseReturnValue:
    """Every person starts here: nothing of the last one is kept (session entry renewed,
    answers cookie cleared); `paired=1` tells the tablet's script to make its queue's key."""
    _kiosk, entry = _kiosk_entry()
    state.forget_entry()
    state.remember_entry(entry)
    target = url_for("respond.welcome", questionnaire_id=entry.questionnaire_id)
    shown = [f"{k}=1" for k in ("paired", "sent", "idle") if request.args.get(k) == "1"]
    response = redirect(target + ("?" + "&".join(shown) if shown else ""), 303)
    state.clear_progress(response)
    return response


@bp.get("/kiosk/offline")
@limiter.limit(kiosks.grant_rate_limit, key_func=kiosks.limit_key)
@public
def kiosk_offline() -> ResponseReturnValue:
    """What the tablet needs to take answers offline: every blank page of the questionnaire
    and up to `want` grants (at most the pool size). JSON, never cached."""
    from app.respond.kiosk_offline import band_welcome, offline_kit  # the offline half's grants

    kiosk, entry = _kiosk_entry()
    questionnaire_id = entry.questionnaire_id
    band = request.args.get("band")
    if entry.choose_band:
        # A shared children's link asks the age band first: one kit per band, each fetched on
        # its own (`band=`), and without `band` the list of bands to fetch.
        bands = dict(_survey(questionnaire_id).shape.bands)
        if band is None:
            return jsonify({"bands": [{"band": b, "q": q.hex} for b, q in bands.items()]})
        if band not in bands:
            response = jsonify({"reason": "There is no such age band on this link."})
            response.status_code = 422
            return response
        questionnaire_id = bands[band]
    try:
        want = max(0, min(int(request.args.get("want", "0")), kiosks.grant_pool()))
    except ValueError:
        want = 0
    kit = offline_kit(kiosk, questionnaire_id, want)
    if entry.choose_band:
        kit["band"] = band
        kit["intro"] = band_welcome(questionnaire_id, entry)
    return jsonify(kit)

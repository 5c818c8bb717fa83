"""Routes for answering offline (issue 18): the queued submission, blank pages, the worker.

- POST /q/<id>/queued: a submission that waited on the device (JSON). The grant is the
  credential, not a cookie, so it is CSRF-exempt; a JSON body cannot be sent from another site
  without a CORS preflight, which this app never answers. See /work/notes/offline-contract.md
  and app/services/offline/.
- GET /q/<id>/offline/page/<n>: page n as first shown, with no answers; /q/<id>/offline/pages:
  all of them and the blank check page in one JSON body (compressed together: far fewer
  bytes), for the service worker to keep so the questionnaire can go on without a signal (the
  answers stay in the browser).
- GET /q/offline-sw.js: the service worker (scope /q/): it imports the store and its own work
  (static/js/offline-worker.js) under their current fingerprinted names, so a deploy updates it.
"""

from __future__ import annotations

import json
import uuid

from flask import abort, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import refresh  # type: ignore[import-untyped]  # as app/i18n.py imports it

from app import i18n
from app.extensions import csrf, limiter
from app.i18n import _
from app.models import Channel
from app.respond import state
from app.respond.offline import offline_form
from app.respond.views import _answering, _render_check, _render_page, _welcome, bp
from app.services import abuse, kiosks
from app.services.offline import read_body, take
from app.services.offline.queued import BAD_REQUEST, OTHER_SURVEY, Answer
from app.services.responding import load_survey, today
from app.tenancy import public


def _reply(answer: Answer) -> ResponseReturnValue:
    body: dict[str, object] = {"status": answer.code, "message": _(answer.message)}
    if answer.page is not None:
        body["page"] = answer.page
    return jsonify(body), answer.status


def _speak(survey_languages: tuple[str, ...], wanted: str | None) -> None:
    """The language the answers were written in (sent along; counted at release, never kept)."""
    if wanted in survey_languages:
        g.chorus_lang = wanted
        refresh()
    else:
        i18n.speak(survey_languages)


@bp.post("/q/<uuid:questionnaire_id>/queued")
@csrf.exempt
@limiter.limit(abuse.send_rate_limit, key_func=abuse.client_key, exempt_when=kiosks.is_kiosk)
@public
def queued(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    if not request.is_json:
        return jsonify({"status": "bad_request", "message": _("Send the answers as JSON.")}), 415
    survey = load_survey(questionnaire_id)
    if survey is None:
        return _reply(OTHER_SURVEY)
    body = read_body(request.get_json(silent=True))
    if body is None:
        i18n.speak(survey.languages)
        return _reply(BAD_REQUEST)
    _speak(survey.languages, body.language)
    answer = take(questionnaire_id, body, on=today())
    response = current_app.make_response(_reply(answer))
    if answer.stored:
        # Nothing of the answers stays in this browser's cookie; its session (if it sent one
        # for this questionnaire) now shows the thank-you page. Nothing here needs either.
        state.clear_progress(response)
        entry = state.current_entry()
        if (
            entry is not None
            and entry.questionnaire_id == questionnaire_id
            and not entry.done
            and entry.channel != Channel.KIOSK  # a kiosk's next person starts afresh
        ):
            state.mark_done(entry)
            if entry.channel == Channel.OPEN_LINK:  # one answer per device, as after a Send
                response.set_cookie(
                    abuse.DONE_COOKIE,
                    abuse.with_answered(request.cookies.get(abuse.DONE_COOKIE), questionnaire_id),
                    max_age=abuse.DONE_MAX_AGE,
                    httponly=True,
                    secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                    samesite="Lax",
                )
    return response


@bp.get("/q/<uuid:questionnaire_id>/offline/page/<int:number>")
@public
def blank_page(questionnaire_id: uuid.UUID, number: int) -> ResponseReturnValue:
    entry, survey = _answering(questionnaire_id)
    page = survey.shape.page(number)
    if page is None:
        abort(404)
    return _render_page(survey, entry, page, values={}, errors={})


@bp.get("/q/<uuid:questionnaire_id>/offline/pages")
@public
def blank_pages(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    entry, survey = _answering(questionnaire_id)
    pages = {
        str(page.number): _render_page(survey, entry, page, values={}, errors={}).get_data(
            as_text=True
        )
        for page in survey.shape.pages
    }
    # The check page too, blank: offline.js fills it in from the answers on the phone. And the
    # welcome page (on a shared children's link, the band's own), for Back from the first page:
    # its Start goes on to the first page kept, offline.
    check = _render_check(survey, entry, None).get_data(as_text=True)
    kept = offline_form(survey, entry, None)
    welcome = _welcome(survey, entry, None, offline=kept).get_data(as_text=True)
    return jsonify({"pages": pages, "check": check, "welcome": welcome})


@bp.get("/q/offline-sw.js")
@public
def service_worker() -> ResponseReturnValue:
    names = ", ".join(
        json.dumps(url_for("static", filename=f"js/{n}.js"))
        for n in ("offline-store", "offline-worker")
    )
    source = f"// Chorus: answering offline (issue 18)\nimportScripts({names});\n"
    response = current_app.response_class(source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/q/"
    return response

"""Answering offline on a respondent's page (issue 18): what a questionnaire page tells its script.

Every questionnaire page's form carries, as data attributes, what the offline script
(static/js/offline.js, loaded after the page is shown) needs: a grant for this browser's
submission id, where to send a queued submission, and where the blank copies of the pages are.
Without JavaScript nothing reads them and everything works as before.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from app import i18n
from app.models import Channel
from app.respond.state import SessionEntry
from app.services.offline import issue_grant
from app.services.responding import Progress, Shape, Survey, today
from app.services.tokens import token_hash

SW_SCOPE = "/q/"


def scripts() -> str:
    """The offline scripts, in load order, for respond.js to add once the page is shown."""
    return " ".join(url_for("static", filename=f"js/{n}.js") for n in ("offline-store", "offline"))


def offline_form(
    survey: Survey, entry: SessionEntry, progress: Progress | None
) -> dict[str, Any] | None:
    """The offline attributes of a questionnaire page's form (no grant without a progress)."""
    if entry.channel not in (Channel.EMAIL, Channel.OPEN_LINK):
        return None
    shape = survey.shape
    qid = shape.questionnaire_id
    found: dict[str, Any] = {
        **_addresses(shape),
        "lang": i18n.current().code,  # sent back with the answers: counted at release only
        "grant": "",
        "sid": "",
    }
    if progress is not None:
        found["sid"] = progress.submission_id.hex
        found["grant"] = issue_grant(
            questionnaire_id=qid,
            round_id=shape.round_id,
            submission_id=progress.submission_id,
            channel=entry.channel,
            on=today(),
            invitation_hash=token_hash(entry.token) if entry.token else None,
        )
    return found


def _addresses(shape: Shape) -> dict[str, Any]:
    """What every page of a questionnaire tells its script alike (built once per process for a
    frozen questionnaire: each page asked for six addresses)."""
    key = ("offline", request.script_root)
    found: dict[str, Any] | None = shape.rendered.get(key) if shape.frozen else None
    if found is None:
        qid = shape.questionnaire_id
        found = {
            "q": qid.hex,
            "pages": shape.last_page,
            "base": url_for("respond.welcome", questionnaire_id=qid),
            "queue": url_for("respond.queued", questionnaire_id=qid),
            "js": scripts(),
            "sw": url_for("respond.service_worker"),
        }
        if shape.frozen:
            shape.rendered[key] = found
    return found

"""What a kiosk needs to keep taking answers with no signal all day (issue 18).

Fetched by app/static/js/kiosk.js while online: every page of the questionnaire as first shown
(blank, the same for everyone), and grants from the offline half (app/services/offline) that let
the answers it takes offline be sent later through `POST /q/<id>/queued`. The tablet keeps the
answers of the person in front of it in memory only, and what waits to be sent encrypted.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from jinja2_fragments.flask import render_block
from werkzeug.routing import BuildError

from app.i18n import _, page_heading
from app.models import Kiosk
from app.rendering import top_level_imports
from app.respond.views import (
    BLOCK,
    WELCOME_TEMPLATE,
    _common,
    _survey,
    check_context,
    welcome_context,
)
from app.services import kiosks
from app.services.responding import Entry, today

PAGE_TEMPLATE = "respond/page.html"
CHECK_TEMPLATE = "respond/check.html"


def _queue_url(questionnaire_id: uuid.UUID) -> str:
    try:
        return url_for("respond.queued", questionnaire_id=questionnaire_id)
    except BuildError:  # the offline half's endpoint, by its documented path
        return f"/q/{questionnaire_id}/queued"


def band_welcome(questionnaire_id: uuid.UUID, entry: Entry) -> str:
    """A band's own welcome page (the kiosk's survey block), as a child sees it online after
    choosing their band on a shared children's link: kiosk.js shows it offline too."""
    survey = _survey(questionnaire_id)
    context = welcome_context(survey, entry, None, choosing=False)
    return render_block(
        WELCOME_TEMPLATE, BLOCK, **top_level_imports(WELCOME_TEMPLATE), **context, sent=False
    )


def offline_kit(kiosk: Kiosk, questionnaire_id: uuid.UUID, want: int) -> dict[str, Any]:
    survey = _survey(questionnaire_id)
    shape = survey.shape
    pages = []
    for page in shape.pages:
        title = _(
            "%(unit)s %(number)s of %(last)s: %(heading)s",
            unit=_(shape.unit),
            number=page.number,
            last=shape.last_page,
            heading=page_heading(page, shape),
        )
        action = url_for("respond.page", questionnaire_id=questionnaire_id, number=page.number)
        form = {
            "action": action,
            "can_save": False,
            "stamp": None,
            "kiosk": True,
        }
        html = render_block(
            PAGE_TEMPLATE,
            BLOCK,
            **top_level_imports(PAGE_TEMPLATE),
            **_common(survey),
            title=title,
            page=page,
            values={},
            errors={},
            summary=[],
            form=form,
        )
        pages.append({"html": html})  # its title is the block's data-title
    # The check page's frame: kiosk.js builds its rows from the blank pages above and the
    # answers it holds in memory.
    check = check_context(survey, None, kiosk=True, offline=None, frame=True)
    check_html = render_block(CHECK_TEMPLATE, BLOCK, **top_level_imports(CHECK_TEMPLATE), **check)
    on = today()
    grants = [kiosks.issue_kiosk_grant(kiosk, questionnaire_id, on) for _n in range(want)]
    # Only what kiosk.js reads: every byte here is fetched again with each pool of grants.
    return {
        "q": questionnaire_id.hex,
        "queue": _queue_url(questionnaire_id),
        # The page the tablet's service worker keeps, to start again after a reload offline.
        "welcome": url_for("respond.welcome", questionnaire_id=questionnaire_id),
        "pages": pages,
        "check": {"html": check_html},
        # Each grant's submission id is its payload's `s`: the tablet reads it from there
        # (sent once, not twice, and the grants bare: they are most of what a kiosk fetches).
        "grants": [g for g, _s in grants],
    }

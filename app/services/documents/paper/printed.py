"""The printed paper questionnaire (issue 17): one audience's questions in one of the round's
languages, as a tagged PDF to print and hand out, numbered like the entry template's columns.

The questionnaire's own words (introduction, headings, statements) come from its translations,
English where one is missing; everything else (instructions, scale labels, comment prompts,
the question about the person) from the gettext catalog of that language. The document names
its language and direction (`lang`, `dir`: Arabic prints right to left). Which language a
filled-in form was is said when it is typed in, and counted at release like any other answer's
language, never stored with the answers (DESIGN.md 6.1).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.i18n import LANGUAGES, Language, local_long_date, offered, speaking
from app.models import FeedbackRound, Questionnaire
from app.services.documents.paper.live import ensure_live
from app.services.responding.shape import build_shape

PDF_MIME = "application/pdf"
TEMPLATE = "respond/paper_questionnaire.html"
STYLESHEET = Path(__file__).resolve().parents[3] / "static" / "css" / "paper_print.css"


def printed_language(rnd: FeedbackRound, code: object) -> Language:
    """The language asked for if the round offers it, else the round's default (no error:
    an unknown `lang` in a link falls back, as on the respondent pages)."""
    codes = offered(rnd.languages)
    return LANGUAGES[code if isinstance(code, str) and code in codes else codes[0]]


@dataclass(frozen=True)
class Printed:
    """What the template needs besides the shape: the words already in the chosen language."""

    language: Language
    organisation: str
    threshold: int
    closes_on: str


def paper_html(
    rnd: FeedbackRound, questionnaire: Questionnaire, code: str, organisation: str
) -> str:
    """The questionnaire as one HTML document in language `code` (one the round offers)."""
    shape = build_shape(questionnaire, rnd)
    with speaking(code) as language:
        printed = Printed(
            language=language,
            organisation=organisation,
            threshold=rnd.threshold,
            closes_on=local_long_date(rnd.closes_on),
        )
        template = current_app.jinja_env.get_template(TEMPLATE)
        return template.render(shape=shape, printed=printed, code=language.code)


def build_printed(
    rnd: FeedbackRound, questionnaire: Questionnaire, code: str, organisation: str
) -> bytes:
    """The printable questionnaire of a live round as PDF bytes (PaperError otherwise)."""
    ensure_live(rnd)
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]  # imported late: slow to load

    out = io.BytesIO()
    HTML(string=paper_html(rnd, questionnaire, code, organisation)).write_pdf(
        out, stylesheets=[CSS(filename=str(STYLESHEET))], pdf_tags=True
    )
    return out.getvalue()

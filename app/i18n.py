"""Languages: the interface catalogs (gettext, Flask-Babel) and which language a page speaks.

Catalogs live in app/translations/<code>/LC_MESSAGES/messages.po (under version control) and are
compiled to .mo at install (`make` install targets; `make messages` extracts and updates).
A string not yet translated has an empty msgstr, which gettext answers with the English: never
a blank. Staff pages always speak English; respondent pages speak the language the respondent
chose from those the round offers (kept in the session cookie, never on a response row:
DESIGN.md 6.1), else the round's default.

The lookup stays cheap: Flask-Babel loads each catalog once per process and keeps the request's
translations on the request context; nothing here touches the database.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.pofile import read_po
from flask import Flask, g, has_app_context, has_request_context, request, session
from flask_babel import (  # type: ignore[import-untyped]
    Babel,
    force_locale,
    get_locale,
    get_translations,
    refresh,
)

from app.dates import long_date

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
SESSION_LANG = "lang"  # the respondent's chosen interface language, in the signed session
DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    code: str
    own_name: str  # what its speakers call it: offered by this name on the welcome page
    english_name: str
    direction: str  # "ltr" or "rtl"
    html_lang: str  # the page's lang attribute
    reviewed: bool  # has a fluent speaker checked the catalog? (coordinators are told)


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "English", "ltr", "en-GB", True),
        Language("cy", "Cymraeg", "Welsh", "ltr", "cy", False),
        Language("ar", "العربية", "Arabic", "rtl", "ar", False),
    )
}


@dataclass(frozen=True)
class CatalogStatus:
    language: Language
    translated: int
    total: int

    @property
    def percent(self) -> int:
        """Whole per cent, rounded down: 100 only when every string is translated."""
        return 100 if self.total == 0 else self.translated * 100 // self.total

    @property
    def complete(self) -> bool:
        return self.translated == self.total

    @property
    def summary(self) -> str:
        reviewed = "yes" if self.language.reviewed else "no"
        return f"{self.percent}% translated; reviewed by a fluent speaker: {reviewed}"


def po_path(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"


@functools.cache
def catalog_status(code: str) -> CatalogStatus:
    """How much of a language's interface catalog is translated (read once per process)."""
    language = LANGUAGES[code]
    if code == DEFAULT:  # the source language: every msgid is its own English
        path = po_path("cy")
        with path.open("rb") as handle:
            total = sum(1 for m in read_po(handle) if m.id)
        return CatalogStatus(language, total, total)
    with po_path(code).open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    done = sum(1 for m in messages if not m.fuzzy and _translated(m.string))
    return CatalogStatus(language, done, len(messages))


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return bool(string) and all(s.strip() for s in string)
    return isinstance(string, str) and bool(string.strip())


def known(code: object) -> str | None:
    return code if isinstance(code, str) and code in LANGUAGES else None


def offered(codes: Iterable[str] | None) -> tuple[str, ...]:
    """A round's languages, known ones only, English if none; the first is the default."""
    found = tuple(dict.fromkeys(c for c in (codes or ()) if c in LANGUAGES))
    return found or (DEFAULT,)


def _select_locale() -> str:
    chosen = g.get("chorus_lang") if has_app_context() else None
    if chosen:
        return str(chosen)
    if not has_request_context():
        return DEFAULT
    if request.blueprint == "respond" and request.endpoint != "respond.preview":
        return known(session.get(SESSION_LANG)) or DEFAULT
    return DEFAULT


def speak(languages: Iterable[str] | None) -> Language:
    """Set this respondent request's language: the session's choice if the round offers it,
    else the round's default. An unknown or unoffered code falls back without an error."""
    codes = offered(languages)
    wanted = known(session.get(SESSION_LANG))
    code = wanted if wanted in codes else codes[0]
    g.chorus_lang = code
    refresh()
    return LANGUAGES[code]


def choose(code: object) -> None:
    """Remember a respondent's choice (a known code only; the round decides if it is offered)."""
    found = known(code)
    if found:
        session[SESSION_LANG] = found


def current() -> Language:
    return LANGUAGES.get(_select_locale(), LANGUAGES[DEFAULT])


@contextmanager
def speaking(code: str | None) -> Iterator[Language]:
    """Render something (an email, a poster) in a language outside the request's choice."""
    language = LANGUAGES.get(code or DEFAULT, LANGUAGES[DEFAULT])
    # The questionnaire's own words (statement(), page_heading()) follow the same language.
    previous = g.get("chorus_lang") if has_app_context() else None
    with force_locale(language.code):
        if has_app_context():
            g.chorus_lang = language.code
        try:
            yield language
        finally:
            if has_app_context():
                if previous is None:
                    g.pop("chorus_lang", None)
                else:
                    g.chorus_lang = previous


def N_(message: str) -> str:
    """Mark a string for the catalogs where it is defined; translate it where it is shown."""
    return message


def translations() -> Any:
    """Flask-Babel's translations for this request, looked up once per locale.

    Flask-Babel finds them again on every string (three context look-ups and the locale's
    name built each time): a respondent's page has dozens. Kept beside Flask-Babel's own state,
    and only while its locale is the same object, so `refresh()` (a round's language chosen)
    and `force_locale()` (an email in another language) are followed as before.
    """
    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None)
    kept = getattr(ctx, "chorus_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    ctx = g.get("_flask_babel") if g else None  # made by the look-up if it was not there
    if ctx is not None:
        ctx.chorus_translations = (getattr(ctx, "babel_locale", None), found)
    return found


def gettext(message: str, **values: object) -> str:
    """flask_babel.gettext, with the request's translations kept (`translations`)."""
    text = translations().ugettext(message)
    return str(text if not values else text % values)


def _(message: str, **values: object) -> str:
    """gettext for Python code (lazy-free: call it while rendering, inside a request)."""
    return gettext(message, **values)


def local_long_date(day: date | None) -> str:
    """app.dates.long_date in the page's language ("dydd Llun 1 Mawrth 2027")."""
    code = str(get_locale() or DEFAULT) if has_app_context() else DEFAULT
    if day is None or code == DEFAULT:
        return long_date(day)
    return str(format_date(day, "EEEE d MMMM y", locale=code))


def page_heading(page: Any, shape: Any = None) -> str:
    """A respondent page's heading: fixed headings from the catalog, section titles and
    statements from the questionnaire's own translations (English where there is none)."""
    if page.comments_of:
        title = page.comments_of
        if shape is not None:
            title = shape.said(_select_locale(), "sections", page.section_id, title)
        return _("%(section)s: your comments", section=title)
    if page.questions:
        if shape is not None and shape.one_question_per_page:
            return own_text(page.questions[0])
        return _(page.heading)
    if page.role or page.heading == "Tell us more":
        return _(page.heading)
    if shape is not None:
        if page.section_id:
            return str(shape.said(_select_locale(), "sections", page.section_id, page.heading))
        if page.items and shape.one_question_per_page:
            return statement(shape, page.items[0])
    return str(page.heading)


def statement(shape: Any, item: Any) -> str:
    return str(shape.said(_select_locale(), "items", item.id, item.statement))


def own_text(question: Any) -> str:
    """One of the round's own questions in the page's language (English where untranslated)."""
    return str(question.text_in(_select_locale()))


def own_choices(question: Any) -> list[tuple[str, str]]:
    """(code, label) of a round's own question: its options in the round's own translation,
    the fixed words (Yes, No, Don't know, Other) from the catalog."""
    return [
        (code, label if mine else _(label))
        for code, label, mine in question.choices_in(_select_locale())
    ]


def audience_name(shape: Any) -> str:
    """The audience's name as respondents read it: a round's own audience (issue 22) from the
    questionnaire's translations, a built-in one from the catalog; English where neither has it."""
    code = _select_locale()
    words = shape.translations.get(code) if code != DEFAULT else None
    return str(((words or {}).get("audience") or {}).get("name") or _(str(shape.audience_label)))


def intro_lines(shape: Any) -> tuple[str, ...]:
    code = _select_locale()
    words = shape.translations.get(code) if code != DEFAULT else None
    text = (words or {}).get("intro") or ""
    if not text:
        return tuple(shape.intro_lines)
    return tuple(line for line in str(text).splitlines() if line.strip())


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=_select_locale, default_translation_directories=str(TRANSLATIONS))
    # Flask-Babel's own template callables, with the request's translations kept.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # the i18n extension's
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )

    @app.context_processor
    def _language() -> dict[str, object]:
        return {"language": current, "languages": LANGUAGES}

    app.add_template_global(page_heading)
    app.add_template_global(statement)
    app.add_template_global(intro_lines)
    app.add_template_global(own_text)
    app.add_template_global(own_choices)
    app.add_template_global(audience_name)
    # For words that arrive in a variable (a scale's labels, an audience's name): the catalog's
    # translation as plain text, escaped like any value. Jinja's `_()` would mark it safe.
    app.add_template_filter(lambda text: _(str(text)) if text else "", "tr")

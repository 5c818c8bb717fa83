"""A questionnaire's own words in other languages (issue 17): what there is to translate, what
is missing, and storing a checked set. Translations freeze with the questionnaire at launch.

The interface (buttons, hints, scale labels) comes from the gettext catalogs (app/i18n.py);
this is the questionnaire's content: its introduction, section headings and statements, and the
round's own questions (issue 20): their words and options, kept on each question.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from app.extensions import db
from app.i18n import DEFAULT, LANGUAGES
from app.models import FeedbackRound, Questionnaire, RoundQuestion
from app.services.round_audiences import find as own_audience
from app.services.rounds import ensure_draft, ordered_items

INTRO, SECTION, ITEM, OWN = "intro", "section", "item", "own"
AUDIENCE = "audience"  # the name of an audience the round defines itself (issue 22)
# The English columns' own limits.
LIMITS = {INTRO: 2000, SECTION: 200, ITEM: 300, OWN: 300, AUDIENCE: 120}
ROUND = "round"  # the "audience" of the round's own questions: one set of words per round
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)s")


@dataclass(frozen=True)
class Part:
    """One thing to translate: an introduction, a section heading or a statement."""

    audience: str
    kind: str  # INTRO, SECTION or ITEM
    key: str  # "" for the intro, the section id, or the item's uuid
    english: str
    label: str  # where it is, for people: "Parents and carers, question 3"


def parts(rnd: FeedbackRound, labels: dict[str, str]) -> list[Part]:
    found: list[Part] = []
    order = rnd.groups
    for q in sorted(
        rnd.questionnaires,
        key=lambda q: order.index(q.audience) if q.audience in order else 99,
    ):
        label = labels.get(q.audience, q.audience)
        own = own_audience(rnd, q.audience)
        if own is not None:  # respondents read its name ("Elected members survey"), and
            # invitations its plural ("... is asking elected members what they think ...")
            found.append(Part(q.audience, AUDIENCE, "name", own.name, f"{label}, name"))
            found.append(
                Part(q.audience, AUDIENCE, "plural", own.plural, f"{label}, in a sentence")
            )
        if q.intro.strip():
            found.append(Part(q.audience, INTRO, "", q.intro, f"{label}, introduction"))
        with_items = {item.section_id for item in q.items}
        for section in q.sections:
            if section["id"] in with_items:
                found.append(
                    Part(q.audience, SECTION, section["id"], section["title"], f"{label}, section")
                )
        for n, item in enumerate(ordered_items(q), start=1):
            found.append(
                Part(q.audience, ITEM, str(item.id), item.statement, f"{label}, question {n}")
            )
    return found + _own_parts(rnd, labels)


def _own_parts(rnd: FeedbackRound, labels: dict[str, str]) -> list[Part]:
    """The round's own questions: each one's words ("<id>") and options ("<id>/<n>"), saying
    whom it is asked of when not everyone; one asked of no audience has nobody to read it."""
    from app.services.questions import asked_of, questions_of, spec_of

    found = []
    for n, question in enumerate(questions_of(rnd.id), start=1):
        asked = asked_of(rnd, question)
        if not asked:
            continue
        spec = spec_of(question)
        where = f"Your own question {n}"
        if question.audiences is not None:
            where += f" (asked of {', '.join(labels.get(a, a) for a in asked)})"
        found.append(Part(ROUND, OWN, str(question.id), spec.text, where))
        for m, option in enumerate(spec.options, start=1):
            found.append(Part(ROUND, OWN, f"{question.id}/{m}", option, f"{where}, option {m}"))
    return found


def _own(key: str) -> tuple[RoundQuestion | None, int | None]:
    """The question a part's key names, and its option number (None: the question's words)."""
    question_id, _, option = key.partition("/")
    try:
        found = db.session.get(RoundQuestion, uuid.UUID(question_id))
    except ValueError:
        return None, None
    return found, int(option) if option.isdigit() else None


def translated(q: Questionnaire | None, code: str, kind: str, key: str) -> str:
    if kind == OWN:
        question, option = _own(key)
        words = ((question.translations or {}) if question else {}).get(code) or {}
        if option is None:
            return str(words.get("text") or "")
        options = list(words.get("options") or [])
        return str(options[option - 1]) if 0 < option <= len(options) else ""
    assert q is not None
    words = (q.translations or {}).get(code, {})
    if kind == INTRO:
        return str(words.get("intro") or "")
    if kind == AUDIENCE:
        return str((words.get("audience") or {}).get(key) or "")
    return str((words.get("sections" if kind == SECTION else "items") or {}).get(key) or "")


def missing(rnd: FeedbackRound, labels: dict[str, str]) -> dict[str, list[Part]]:
    """For each language the round offers besides English: the parts not yet translated."""
    by_audience = {q.audience: q for q in rnd.questionnaires}
    every = parts(rnd, labels)
    return {
        code: [p for p in every if not translated(by_audience.get(p.audience), code, p.kind, p.key)]
        for code in rnd.languages or []
        if code != DEFAULT and code in LANGUAGES
    }


def store(rnd: FeedbackRound, cells: dict[tuple[str, str, str, str], str]) -> int:
    """Write checked translations: (audience, kind, key, code) -> text ("" removes one).
    Only a draft's questionnaires change (ensure_draft); returns how many cells were set."""
    ensure_draft(rnd)
    by_audience = {q.audience: q for q in rnd.questionnaires}
    changed: dict[str, dict[str, Any]] = {}
    count = 0
    own: dict[uuid.UUID, dict[str, Any]] = {}
    for (audience, kind, key, code), text in cells.items():
        if kind == OWN:
            count += _store_own(own, key, code, text)
            continue
        q = by_audience[audience]
        words = changed.setdefault(audience, _copy(q.translations or {}))
        lang = words.setdefault(code, {"intro": "", "sections": {}, "items": {}})
        if kind == INTRO:
            lang["intro"] = text
        elif kind == AUDIENCE:
            names = lang.setdefault("audience", {})
            if text:
                names[key] = text
            else:
                names.pop(key, None)
        else:
            bucket = lang.setdefault("sections" if kind == SECTION else "items", {})
            if text:
                bucket[key] = text
            else:
                bucket.pop(key, None)
        count += bool(text)
    for audience, words in changed.items():
        by_audience[audience].translations = words  # a new object, so the JSON is written
    for question_id, words in own.items():
        question = db.session.get(RoundQuestion, question_id)
        if question is not None:
            question.translations = words
    return count


def _store_own(own: dict[uuid.UUID, dict[str, Any]], key: str, code: str, text: str) -> int:
    question, option = _own(key)
    if question is None:
        return 0
    words = own.setdefault(
        question.id,
        {
            c: {"text": w.get("text", ""), "options": list(w.get("options") or [])}
            for c, w in (question.translations or {}).items()
        },
    )
    lang = words.setdefault(code, {"text": "", "options": []})
    if option is None:
        lang["text"] = text
    else:
        options = lang["options"]
        options.extend([""] * (option - len(options)))
        options[option - 1] = text
    return int(bool(text))


def _copy(words: dict[str, Any]) -> dict[str, Any]:
    return {
        code: {
            **({"audience": dict(lang["audience"])} if lang.get("audience") else {}),
            "intro": lang.get("intro", ""),
            "sections": dict(lang.get("sections") or {}),
            "items": dict(lang.get("items") or {}),
        }
        for code, lang in words.items()
    }


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))

"""A questionnaire's own words in other languages (issue 17): what there is to translate, what
is missing, and storing a checked set. Translations freeze with the questionnaire at launch.

The interface (buttons, hints, scale labels) comes from the gettext catalogs (app/i18n.py);
this is the questionnaire's content: its introduction, section headings and statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.i18n import DEFAULT, LANGUAGES
from app.models import FeedbackRound, Questionnaire
from app.services.round_audiences import find as own_audience
from app.services.rounds import ensure_draft, ordered_items

INTRO, SECTION, ITEM = "intro", "section", "item"
AUDIENCE = "audience"  # the name of an audience the round defines itself (issue 22)
LIMITS = {INTRO: 2000, SECTION: 200, ITEM: 300, AUDIENCE: 120}  # the English columns' own limits
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
    return found


def translated(q: Questionnaire, code: str, kind: str, key: str) -> str:
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
        code: [p for p in every if not translated(by_audience[p.audience], code, p.kind, p.key)]
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
    for (audience, kind, key, code), text in cells.items():
        q = by_audience[audience]
        words = changed.setdefault(audience, _copy(q.translations or {}))
        lang = words.setdefault(code, {"intro": "", "sections": {}, "items": {}})
        if kind == INTRO:
            lang["intro"] = text
        elif kind == AUDIENCE:
            own = lang.setdefault("audience", {})
            if text:
                own[key] = text
            else:
                own.pop(key, None)
        else:
            bucket = lang.setdefault("sections" if kind == SECTION else "items", {})
            if text:
                bucket[key] = text
            else:
                bucket.pop(key, None)
        count += bool(text)
    for audience, words in changed.items():
        by_audience[audience].translations = words  # a new object, so the JSON is written
    return count


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

"""Audiences a round defines itself (issue 22): add, change, give statements, remove; before
launch only. The rules are in surveys.audiences; this stores them on the round
(`FeedbackRound.custom_audiences`, each id also in `audiences`) and keeps that audience's
questionnaire in step. Flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import delete

from app.extensions import db
from app.models import Contact, FeedbackRound, ItemOrigin, OpenLink, Questionnaire
from app.services.frameworks import UnknownFramework, get_framework
from app.services.rounds import ensure_draft, organisation_name, store_questionnaire
from frameworks import Framework
from frameworks.item_review import PLAIN_AUDIENCES, Finding, review
from surveys import audiences as custom
from surveys import questionnaire as qgen
from surveys.audiences import AudienceError, CustomAudience, Statement

__all__ = [
    "AudienceError",
    "add_audience",
    "advice",
    "base_framework",
    "by_email",
    "by_open_link",
    "customs_of",
    "find",
    "remove_audience",
    "set_statements",
    "update_audience",
]

_ORIGINS = {"bank": ItemOrigin.BANK, "edited": ItemOrigin.EDITED, "custom": ItemOrigin.CUSTOM}


def customs_of(rnd: FeedbackRound) -> list[CustomAudience]:
    return custom.load(rnd.custom_audiences)


def find(rnd: FeedbackRound, audience_id: str) -> CustomAudience | None:
    """The round's own audience with this id (None for a built-in or framework one)."""
    if not custom.is_custom(audience_id):
        return None
    return next((c for c in customs_of(rnd) if c.id == audience_id), None)


def base_framework(rnd: FeedbackRound) -> Framework:
    """The round's framework without its own audiences (UnknownFramework if it has gone)."""
    return get_framework(rnd.organisation_id, rnd.framework_id)


def by_email(rnd: FeedbackRound, audience: str) -> bool:
    """May this audience be invited by email? Every built-in and framework audience may."""
    found = find(rnd, audience)
    return found.email if found else True


def by_open_link(rnd: FeedbackRound, audience: str) -> bool:
    """May this audience answer through an open link (its QR code, kiosks)?"""
    found = find(rnd, audience)
    return found.open_link if found else True


def advice(rnd: FeedbackRound) -> dict[str, list[Finding]]:
    """The item-bank review rules (frameworks/item_review.py) over each of the round's own
    audiences' statements: first person, what they can see for themselves, and, for an audience
    like parents, service users or the community, a reading age of 11. Advice, not refusals."""
    customs = customs_of(rnd)
    if not customs:
        return {}
    try:
        framework = custom.extend(base_framework(rnd), customs)
    except UnknownFramework:
        return {}
    own = {c.id for c in customs}
    chosen = set(rnd.indicator_ids)
    framework = framework.model_copy(
        update={
            "indicators": [
                ind.model_copy(update={"items": {a: v for a, v in ind.items.items() if a in own}})
                for ind in framework.indicators
                if ind.id in chosen
            ]
        }
    )
    plain = frozenset(c.id for c in customs if c.resembles in PLAIN_AUDIENCES)
    found: dict[str, list[Finding]] = {}
    names = {c.id: c.name for c in customs}
    for finding in review(framework, plain):
        if not finding.statement:  # about the whole bank: "the <id> statements read at ..."
            words = finding.message.replace(f"the {finding.audience} ", "these ", 1)
            finding = replace(finding, message=words[:1].upper() + words[1:])
        found.setdefault(finding.audience, []).append(finding)
    return {a: found[a] for a in names if a in found}


def _save(rnd: FeedbackRound, customs: Sequence[CustomAudience]) -> None:
    rnd.custom_audiences = [c.to_dict() for c in customs]  # a new list, so the JSON is written
    own = [c.id for c in customs]
    rnd.audiences = [a for a in rnd.audiences if not custom.is_custom(a)] + own


def add_audience(
    rnd: FeedbackRound,
    *,
    name: str,
    plural: str,
    scale: str,
    email: bool,
    open_link: bool,
    resembles: str | None,
) -> CustomAudience:
    """A new audience, starting from the bank of the audience it resembles (or no statements)."""
    ensure_draft(rnd)
    base = base_framework(rnd)
    customs = customs_of(rnd)
    errors = custom.check(
        name=name,
        plural=plural,
        scale=scale,
        email=email,
        open_link=open_link,
        resembles=resembles,
        framework=base,
        customs=customs,
        asked=rnd.audiences,
    )
    if errors:
        raise AudienceError(errors)
    name = custom.clean(name)
    made = CustomAudience(
        id=custom.new_id(name, [*base.audience_ids, *(c.id for c in customs)]),
        name=name,
        plural=custom.clean(plural) or custom.lower_first(name),
        scale=scale,
        email=email,
        open_link=open_link,
        resembles=resembles or None,
        statements=custom.from_bank(base, resembles, rnd.indicator_ids),
    )
    _save(rnd, [*customs, made])
    _regenerate(rnd, made.id)
    return made


def update_audience(
    rnd: FeedbackRound,
    audience_id: str,
    *,
    name: str,
    plural: str,
    scale: str,
    email: bool,
    open_link: bool,
) -> CustomAudience:
    ensure_draft(rnd)
    base = base_framework(rnd)
    customs = customs_of(rnd)
    old = _one(customs, audience_id)
    errors = custom.check(
        name=name,
        plural=plural,
        scale=scale,
        email=email,
        open_link=open_link,
        resembles=old.resembles,
        framework=base,
        customs=customs,
        audience_id=audience_id,
        asked=rnd.audiences,
    )
    if errors:
        raise AudienceError(errors)
    name = custom.clean(name)
    changed = replace(
        old,
        name=name,
        plural=custom.clean(plural) or custom.lower_first(name),
        scale=scale,
        email=email,
        open_link=open_link,
    )
    _save(rnd, [changed if c.id == audience_id else c for c in customs])
    if not email:
        _remove_contacts(rnd, audience_id)
    _regenerate(rnd, audience_id)
    stale = {"name"} if changed.name != old.name else set()
    stale |= {"plural"} if changed.plural != old.plural else set()
    for q in [q for q in rnd.questionnaires if q.audience == audience_id and stale]:
        words = {code: dict(lang) for code, lang in (q.translations or {}).items()}
        for lang in words.values():  # a translation of other words is missing, not kept
            lang["audience"] = {
                k: v for k, v in (lang.get("audience") or {}).items() if k not in stale
            }
        q.translations = words
    db.session.flush()
    return changed


def set_statements(rnd: FeedbackRound, audience_id: str, texts: Mapping[str, str]) -> int:
    """Statements per chosen indicator from one text each (one statement a line); returns how
    many the audience has now. AudienceError names the field "statements-<indicator>"."""
    ensure_draft(rnd)
    base = base_framework(rnd)
    customs = customs_of(rnd)
    old = _one(customs, audience_id)
    statements: dict[str, tuple[Statement, ...]] = {}
    errors: dict[str, str] = {}
    for indicator_id in rnd.indicator_ids:
        if indicator_id not in texts:
            kept = old.statements.get(indicator_id)
            if kept:
                statements[indicator_id] = kept
            continue
        bank = custom.bank(base, old.resembles, indicator_id)
        try:
            found = custom.read_statements(
                texts[indicator_id], old.statements.get(indicator_id, ()), bank
            )
        except AudienceError as exc:
            errors[f"statements-{indicator_id}"] = exc.errors["statements"]
            continue
        if found:
            statements[indicator_id] = found
    if errors:
        raise AudienceError(errors)
    changed = replace(old, statements=statements)
    _save(rnd, [changed if c.id == audience_id else c for c in customs])
    _regenerate(rnd, audience_id)
    return changed.statements_for(rnd.indicator_ids)


def remove_audience(rnd: FeedbackRound, audience_id: str) -> CustomAudience:
    ensure_draft(rnd)
    customs = customs_of(rnd)
    old = _one(customs, audience_id)
    _save(rnd, [c for c in customs if c.id != audience_id])
    for q in [q for q in rnd.questionnaires if q.audience == audience_id]:
        rnd.questionnaires.remove(q)
    _remove_contacts(rnd, audience_id)
    db.session.execute(
        delete(OpenLink).where(OpenLink.round_id == rnd.id, OpenLink.audience == audience_id)
    )
    db.session.flush()
    return old


def _remove_contacts(rnd: FeedbackRound, audience_id: str) -> None:
    db.session.execute(
        delete(Contact).where(Contact.round_id == rnd.id, Contact.audience == audience_id)
    )


def _one(customs: Sequence[CustomAudience], audience_id: str) -> CustomAudience:
    for c in customs:
        if c.id == audience_id:
            return c
    raise LookupError(audience_id)


def _regenerate(rnd: FeedbackRound, audience_id: str) -> None:
    """Make this audience's questionnaire again from its statements (none: no questionnaire)."""
    customs = customs_of(rnd)
    framework = custom.extend(base_framework(rnd), customs)
    kept: dict[str, dict[str, Any]] = {}  # code -> its name and the items' words, by English
    for q in [q for q in rnd.questionnaires if q.audience == audience_id]:
        english = {str(i.id): i.statement for i in q.items}
        titles = {s["id"]: s["title"] for s in q.sections}
        for code, lang in (q.translations or {}).items():
            kept[code] = {
                "audience": dict(lang.get("audience") or {}),
                "intro": {q.intro: lang.get("intro")} if lang.get("intro") else {},
                "sections": {
                    (k, titles[k]): v
                    for k, v in (lang.get("sections") or {}).items()
                    if k in titles
                },
                "items": {
                    english[k]: v for k, v in (lang.get("items") or {}).items() if k in english
                },
            }
        rnd.questionnaires.remove(q)
    db.session.flush()
    result = qgen.build_questionnaires(
        framework,
        rnd.indicator_ids,
        [audience_id],
        organisation=organisation_name(rnd),
        free_text=rnd.free_text,
    )
    generated = result.questionnaires.get(audience_id)
    if generated is not None:
        row = store_questionnaire(audience_id, generated, framework)
        origins = _origins(_one(customs, audience_id))
        for item in row.items:
            origin = origins.get(item.bank_key or "")
            if origin is not None:
                item.origin, item.bank_statement = origin
        row.translations = _carried(row, kept)
        rnd.questionnaires.append(row)
    db.session.flush()


def _carried(row: Questionnaire, kept: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The new questionnaire's translations: its name's, and each part's (introduction, section
    heading, statement) whose English is word for word what was translated; other parts are
    missing again, so launch says so."""
    words = {code: dict(lang) for code, lang in (row.translations or {}).items()}
    for code, old in kept.items():
        lang = words.setdefault(code, {"intro": "", "sections": {}, "items": {}})
        if old["audience"]:
            lang["audience"] = old["audience"]
        if row.intro in old["intro"]:
            lang["intro"] = old["intro"][row.intro]
        sections = dict(lang.get("sections") or {})
        for s in row.sections:
            if (s["id"], s["title"]) in old["sections"]:
                sections[s["id"]] = old["sections"][(s["id"], s["title"])]
        lang["sections"] = sections
        items = dict(lang.get("items") or {})
        for item in row.items:
            if item.statement in old["items"]:
                items[str(item.id)] = old["items"][item.statement]
        lang["items"] = items
    return words


def _origins(c: CustomAudience) -> dict[str, tuple[ItemOrigin, str | None]]:
    """Questionnaire bank key -> the item's origin and the bank wording it came from."""
    out: dict[str, tuple[ItemOrigin, str | None]] = {}
    for indicator_id, statements in c.statements.items():
        for n, s in enumerate(statements, start=1):
            out[f"{indicator_id}/{c.id}/{n}"] = (_ORIGINS[s.origin], s.text)
    return out

"""Rounds and their stored questionnaires: create, change while a draft, copy, delete, freeze.

Views and CLI commands call these; they flush, the caller commits once. Editing single items of a
draft questionnaire lives in `app.services.round_edits`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select

from app.extensions import db
from app.i18n import offered
from app.models import (
    Contact,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    ItemOrigin,
    Organisation,
    QuestionItem,
    Questionnaire,
    RoundStatus,
)
from app.services.frameworks import UnknownFramework, get_framework
from frameworks import Framework
from surveys import audiences as custom
from surveys import questionnaire as qgen
from surveys.selection import SelectionError

MIN_THRESHOLD = 3
MAX_THRESHOLD = 100  # above this almost nothing could ever be reported
MAX_GRACE_DAYS = 30  # a late phone is days late, not months: results wait for the grace to end
SCOPE_FIELDS = ("organisation", "partners", "services", "customers", "outcomes")
SCOPE_MAX = 2000
NAME_MAX = 200


class RoundError(ValueError):
    """Input a coordinator must fix; `errors` maps a form field to a plain message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class RoundLocked(RoundError):
    """A launched or closed round cannot change."""

    def __init__(self) -> None:
        super().__init__(
            {
                "round": "This round has been launched, so its questionnaires cannot change. "
                "Copy it into a new draft round to make changes."
            }
        )


@dataclass
class RoundSettings:
    name: str
    framework_id: str
    indicator_ids: list[str]
    audiences: list[str]
    opens_on: date | None
    closes_on: date | None
    threshold: int | None = None
    grace_days: int = 3  # days after the close that answers made offline before it may arrive
    scope: dict[str, str] = field(default_factory=dict)
    children_bands: list[str] = field(default_factory=lambda: list(qgen.CHILDREN_BANDS))
    free_text: bool = True
    role_question: bool = False
    languages: list[str] = field(default_factory=lambda: ["en"])  # the first is the default
    easy_read_audiences: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, rnd: FeedbackRound) -> RoundSettings:
        """The settings a round has now (to pre-fill the edit form)."""
        return cls(
            name=rnd.name,
            framework_id=rnd.framework_id,
            indicator_ids=list(rnd.indicator_ids),
            audiences=[a for a in rnd.audiences if not custom.is_custom(a)],
            opens_on=rnd.opens_on,
            closes_on=rnd.closes_on,
            threshold=rnd.threshold,
            grace_days=rnd.grace_days,
            scope=dict(rnd.scope or {}),
            children_bands=list(rnd.children_bands or ()),
            free_text=rnd.free_text,
            role_question=rnd.role_question,
            languages=list(rnd.languages or ["en"]),
            easy_read_audiences=list(rnd.easy_read_audiences or []),
        )


def clean_name(name: str) -> str:
    return " ".join(name.split())


def validate_settings(
    org_id: uuid.UUID, settings: RoundSettings, own: Iterable[str] = ()
) -> Framework:
    """Check everything a coordinator typed; raise RoundError naming each bad field. `own`:
    the round's own audiences that have statements (issue 22), which may be all it asks."""
    errors: dict[str, str] = {}
    name = clean_name(settings.name)
    if not name:
        errors["name"] = "Enter a name for the round."
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer."
    framework: Framework | None = None
    if not settings.framework_id:
        errors["framework_id"] = "Choose a framework."
    else:
        try:
            framework = get_framework(org_id, settings.framework_id)
        except UnknownFramework:
            errors["framework_id"] = f"There is no framework called {settings.framework_id!r}."
    if framework is not None:
        errors.update(_check_selection(framework, settings, set(own)))
    if settings.opens_on is None:
        errors["opens_on"] = "Enter the date the round opens."
    if settings.closes_on is None:
        errors["closes_on"] = "Enter the date the round closes."
    if settings.opens_on and settings.closes_on and settings.closes_on < settings.opens_on:
        errors["closes_on"] = "The closing date must be on or after the opening date."
    if settings.threshold is not None and settings.threshold < MIN_THRESHOLD:
        errors["threshold"] = (
            f"The anonymity threshold must be {MIN_THRESHOLD} or more, so nobody can be "
            "identified from small groups."
        )
    elif settings.threshold is not None and settings.threshold > MAX_THRESHOLD:
        errors["threshold"] = f"The anonymity threshold must be {MAX_THRESHOLD} or fewer."
    if set(settings.easy_read_audiences) - set(qgen.EASY_READ_AUDIENCES):
        errors["easy_read"] = "Easy read can be chosen for people who use the service only."
    if not 0 <= settings.grace_days <= MAX_GRACE_DAYS:
        errors["grace_days"] = (
            f"The grace period must be between 0 and {MAX_GRACE_DAYS} days (0: none)."
        )
    if qgen.CHILDREN in settings.audiences:
        try:
            qgen.check_children_bands(settings.children_bands)
        except SelectionError as exc:
            errors["children_bands"] = str(exc)
    for key in SCOPE_FIELDS:
        if len((settings.scope.get(key) or "").strip()) > SCOPE_MAX:
            errors[f"scope_{key}"] = f"This must be {SCOPE_MAX} characters or fewer."
    if errors:
        raise RoundError(errors)
    assert framework is not None
    return framework


def _check_selection(
    framework: Framework, settings: RoundSettings, own: set[str] | None = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    known = {i.id for i in framework.indicators}
    unknown = [i for i in settings.indicator_ids if i not in known]
    if unknown:
        errors["indicator_ids"] = "Not indicators of this framework: " + ", ".join(unknown)
    elif not settings.indicator_ids:
        errors["indicator_ids"] = "Choose at least one indicator."
    bad_audiences = [a for a in settings.audiences if a not in framework.audience_ids]
    if bad_audiences:
        errors["audiences"] = "Not audiences of this framework: " + ", ".join(bad_audiences)
    elif not settings.audiences and not own:
        errors["audiences"] = "Choose at least one audience."
    if (
        not errors
        and not own
        and not _anyone_can_answer(framework, settings.indicator_ids, settings.audiences)
    ):
        errors["audiences"] = (
            "None of the chosen audiences can answer questions about the chosen indicators. "
            "Choose other audiences or add indicators they can judge."
        )
    return errors


def _anyone_can_answer(
    framework: Framework, indicator_ids: Iterable[str], audiences: list[str]
) -> bool:
    chosen = set(indicator_ids)
    return any(
        ind.items.get(audience)
        for ind in framework.indicators
        if ind.id in chosen
        for audience in audiences
    )


def create_round(org: Organisation, settings: RoundSettings) -> FeedbackRound:
    framework = validate_settings(org.id, settings)
    rnd = FeedbackRound(organisation_id=org.id)
    _apply(rnd, settings, framework)
    db.session.add(rnd)
    db.session.flush()
    generate_questionnaires(rnd, framework, org.name)
    return rnd


def update_round(rnd: FeedbackRound, org: Organisation, settings: RoundSettings) -> FeedbackRound:
    """Change a draft's settings; questionnaires are rebuilt only if what is asked changed.

    A rebuild on the same framework keeps the coordinator's edits where they still apply
    (see `_restore_edits`); a change of framework starts again from the new item bank.
    """
    ensure_draft(rnd)
    framework = validate_settings(org.id, settings, own_asked(rnd, settings.indicator_ids))
    framework = custom.extend(framework, custom.load(rnd.custom_audiences))
    asked_before = _asked(rnd)
    same_framework = rnd.framework_id == framework.id
    old_indicators = set(rnd.indicator_ids)
    snapshots = {q.audience: _snapshot(q, org.name) for q in rnd.questionnaires}
    easy_before = set(rnd.easy_read_audiences or ())
    _apply(rnd, settings, framework)
    if _asked(rnd) != asked_before:
        generate_questionnaires(rnd, framework, org.name)
        easy_now = set(rnd.easy_read_audiences or ())
        for q in rnd.questionnaires:
            if q.audience in snapshots:
                # Edits to the standard wording do not carry into easy read, nor back.
                if same_framework and (q.audience in easy_before) == (q.audience in easy_now):
                    _restore_edits(q, snapshots[q.audience], old_indicators, framework, org.name)
                _restore_translations(q, snapshots[q.audience])
    db.session.flush()
    return rnd


def own_asked(rnd: FeedbackRound | None, indicator_ids: Iterable[str]) -> list[str]:
    """The round's own audiences with a statement for one of these indicators."""
    chosen = list(indicator_ids)
    customs = custom.load(rnd.custom_audiences) if rnd is not None else []
    return [c.id for c in customs if c.statements_for(chosen)]


def _asked(rnd: FeedbackRound) -> tuple[Any, ...]:
    return (
        rnd.framework_id,
        tuple(rnd.indicator_ids),
        tuple(rnd.audiences),
        tuple(rnd.children_bands or ()),
        rnd.free_text,
        rnd.role_question,
        tuple(rnd.easy_read_audiences or ()),
    )


def _apply(rnd: FeedbackRound, s: RoundSettings, framework: Framework) -> None:
    order = {i.id: n for n, i in enumerate(framework.indicators)}
    audience_order = {a: n for n, a in enumerate(framework.audience_ids)}
    rnd.name = clean_name(s.name)
    rnd.framework_id = framework.id
    rnd.indicator_ids = sorted(set(s.indicator_ids), key=order.__getitem__)
    own = [c.id for c in custom.load(rnd.custom_audiences)]  # kept: the Audiences page's
    rnd.audiences = sorted(set(s.audiences) - set(own), key=audience_order.__getitem__) + own
    rnd.opens_on = s.opens_on  # type: ignore[assignment]  # validate_settings refused None
    rnd.closes_on = s.closes_on  # type: ignore[assignment]  # validate_settings refused None
    rnd.threshold = s.threshold or current_app.config["ANONYMITY_THRESHOLD"]
    rnd.grace_days = s.grace_days
    rnd.scope = {k: (s.scope.get(k) or "").strip() for k in SCOPE_FIELDS}
    # Kept youngest first; a legacy band only while the coordinator keeps it (alone).
    rnd.children_bands = (
        list(qgen.check_children_bands(s.children_bands))
        if qgen.CHILDREN in rnd.audiences
        else [b for b in qgen.CHILDREN_BANDS if b in s.children_bands]
    )
    rnd.free_text = s.free_text
    rnd.role_question = s.role_question
    rnd.languages = list(offered(s.languages))
    rnd.easy_read_audiences = [
        a for a in qgen.EASY_READ_AUDIENCES if a in s.easy_read_audiences and a in rnd.audiences
    ]


def ensure_draft(rnd: FeedbackRound) -> None:
    if rnd.status != RoundStatus.DRAFT:
        raise RoundLocked()


def generate_questionnaires(
    rnd: FeedbackRound, framework: Framework, organisation_name: str
) -> dict[str, str]:
    """Replace the draft's questionnaires with freshly generated ones; return skipped reasons."""
    ensure_draft(rnd)
    try:
        result = qgen.build_questionnaires(
            framework,
            rnd.indicator_ids,
            rnd.audiences,
            organisation=organisation_name,
            children_bands=rnd.children_bands or (),
            free_text=rnd.free_text,
            role_question=rnd.role_question,
            easy_read_audiences=rnd.easy_read_audiences or (),
        )
    except SelectionError as exc:
        raise RoundError({"indicator_ids": str(exc)}) from None
    for old in list(rnd.questionnaires):
        rnd.questionnaires.remove(old)
    db.session.flush()
    for audience, generated in result.questionnaires.items():
        rnd.questionnaires.append(store_questionnaire(audience, generated, framework))
    db.session.flush()
    return result.skipped


def _bank_translations(framework: Framework | None, key: str, statement: str) -> dict[str, str]:
    """The item bank's statement in other languages, for bank key "2.1/parents/1": only while
    the item asks the bank's own statement (not its easy-read wording, say)."""
    try:
        indicator_id, audience, n = key.rsplit("/", 2)
        spec = framework.indicator(indicator_id).items[audience][int(n) - 1] if framework else None
    except (KeyError, ValueError, IndexError, AttributeError):
        return {}
    if getattr(spec, "statement", None) != statement:
        return {}
    return dict(getattr(spec, "statements", None) or {})


def store_questionnaire(
    audience: str, q: qgen.Questionnaire, framework: Framework | None = None
) -> Questionnaire:
    row = Questionnaire(
        audience=audience,
        intro=q.intro,
        easy_read=q.easy_read,
        one_question_per_page=q.one_question_per_page,
        sections=[{"id": s.id, "title": s.title, "free_text": s.free_text} for s in q.sections],
        role_question=q.role_question.to_dict() if q.role_question else None,
    )
    position = 0
    words: dict[str, dict[str, Any]] = {}
    for section in q.sections:
        for item in section.items:
            position += 1
            item_id = uuid.uuid4()
            for code, text in _bank_translations(framework, item.key, item.statement).items():
                lang = words.setdefault(code, {"intro": "", "sections": {}, "items": {}})
                lang["items"][str(item_id)] = text
            row.items.append(
                QuestionItem(
                    id=item_id,
                    position=position,
                    section_id=section.id,
                    indicator_id=item.indicator_id,
                    theme_id=item.theme_id,
                    statement=item.statement,
                    scale_id=item.scale_id,
                    origin=ItemOrigin.BANK,
                    bank_key=item.key,
                    bank_statement=item.statement,
                )
            )
    row.translations = words
    return row


def skipped_audiences(rnd: FeedbackRound, framework: Framework) -> dict[str, str]:
    """Audiences chosen for the round that got no questionnaire, with the reason."""
    have = {q.audience for q in rnd.questionnaires}
    expected = rnd.groups
    missing = [a for a in expected if a not in have]
    if not missing:
        return {}
    result = qgen.build_questionnaires(
        framework,
        rnd.indicator_ids,
        {qgen.CHILDREN if qgen.is_children(a) else a for a in missing},
        children_bands=rnd.children_bands or (),
        easy_read_audiences=rnd.easy_read_audiences or (),
    )
    return {a: reason for a, reason in result.skipped.items() if a in missing}


def as_generated(row: Questionnaire, framework: Framework) -> qgen.Questionnaire:
    """The stored questionnaire (with any edits) as the pure dataclass surveys/ works with."""
    sections = []
    for sec in row.sections:
        items = tuple(
            qgen.QuestionItem(
                key=str(item.id),
                indicator_id=item.indicator_id,
                theme_id=item.theme_id,
                statement=item.statement,
                scale_id=item.scale_id,
                origin=item.origin.value,
            )
            for item in ordered_items(row)
            if item.section_id == sec["id"]
        )
        if items:
            sections.append(qgen.QuestionSection(sec["id"], sec["title"], items, sec["free_text"]))
    role = qgen.RoleQuestion.from_dict(row.role_question) if row.role_question else None
    return qgen.Questionnaire(
        framework_id=framework.id,
        audience=row.audience,
        audience_label=framework.audience_label(row.audience),
        easy_read=row.easy_read,
        one_question_per_page=row.one_question_per_page,
        intro=row.intro,
        sections=tuple(sections),
        role_question=role,
        estimated_minutes=questionnaire_minutes(row),
    )


def ordered_items(row: Questionnaire) -> list[QuestionItem]:
    """Items by position (the relationship list can be stale within a unit of work)."""
    return sorted(row.items, key=lambda item: item.position)


def questionnaire_minutes(row: Questionnaire) -> int:
    """Estimated minutes for the stored questionnaire, by the rules of surveys.questionnaire."""
    with_items = {item.section_id for item in row.items}
    return qgen.estimated_minutes(
        [item.scale_id for item in row.items],
        free_text_sections=sum(1 for s in row.sections if s["free_text"] and s["id"] in with_items),
        role_question=row.role_question is not None,
    )


def default_intro(row: Questionnaire, organisation_name: str) -> str:
    """The introduction Chorus would write for this questionnaire as it stands now."""
    return qgen.intro_text(
        row.audience,
        organisation=organisation_name,
        easy_read=row.easy_read,
        minutes=questionnaire_minutes(row),
        scale_ids=[item.scale_id for item in row.items],
        read_aloud=qgen.band_of(row.audience) in qgen.READ_ALOUD_BANDS,
    )


def organisation_name(rnd: FeedbackRound) -> str:
    org = db.session.get(Organisation, rnd.organisation_id)
    return org.name if org else ""


def intro_changed(row: Questionnaire) -> bool:
    """True when the coordinator wrote their own introduction."""
    return row.intro != default_intro(row, organisation_name(row.round))


def freeze(rnd: FeedbackRound) -> None:
    """Make the questionnaires immutable (called by launch, in its transaction)."""
    ensure_draft(rnd)
    for q in rnd.questionnaires:
        q.frozen = True
    db.session.flush()


def rounds_of(org_id: uuid.UUID) -> list[FeedbackRound]:
    return list(
        db.session.execute(
            select(FeedbackRound)
            .where(FeedbackRound.organisation_id == org_id)
            .order_by(FeedbackRound.opens_on.desc(), FeedbackRound.name)
        ).scalars()
    )


def round_of(org_id: uuid.UUID, round_id: uuid.UUID) -> FeedbackRound | None:
    """The organisation's round with this id, or None (also for another organisation's)."""
    return db.session.execute(
        select(FeedbackRound).where(
            FeedbackRound.id == round_id, FeedbackRound.organisation_id == org_id
        )
    ).scalar_one_or_none()


def questionnaire_of(rnd: FeedbackRound, audience: str) -> Questionnaire | None:
    return next((q for q in rnd.questionnaires if q.audience == audience), None)


# -- copy and delete ------------------------------------------------------------------------------


def one_year_later(day: date) -> date:
    """The same day next year; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def copy_name(name: str) -> str:
    suffix = " (copy)"
    return clean_name(name)[: NAME_MAX - len(suffix)] + suffix


def copy_round(
    rnd: FeedbackRound, org: Organisation, name: str = "", *, with_contacts: bool = False
) -> FeedbackRound:
    """A new draft with the same settings and word-for-word the same questionnaires.

    Identical wording and scales (edits and custom items included) let results be compared
    round against round (DESIGN.md section 7). Dates move on one year; the coordinator checks
    them before launch.
    """
    if rnd.organisation_id != org.id:
        raise RoundError({"round": "That round belongs to another organisation."})
    new_name = clean_name(name) or copy_name(rnd.name)
    if len(new_name) > NAME_MAX:
        raise RoundError({"name": f"The name must be {NAME_MAX} characters or fewer."})
    try:
        get_framework(org.id, rnd.framework_id)
    except UnknownFramework:
        raise RoundError(
            {
                "round": f"The framework {rnd.framework_id!r} is no longer available, so this "
                "round cannot be copied."
            }
        ) from None
    copy = FeedbackRound(
        organisation_id=org.id,
        name=new_name,
        framework_id=rnd.framework_id,
        scope=dict(rnd.scope or {}),
        opens_on=one_year_later(rnd.opens_on),
        closes_on=one_year_later(rnd.closes_on),
        threshold=rnd.threshold,
        grace_days=rnd.grace_days,
        audiences=list(rnd.audiences),
        indicator_ids=list(rnd.indicator_ids),
        children_bands=list(rnd.children_bands or ()),
        free_text=rnd.free_text,
        role_question=rnd.role_question,
        languages=list(rnd.languages or ["en"]),
        easy_read_audiences=list(rnd.easy_read_audiences or []),
        custom_audiences=[dict(c) for c in rnd.custom_audiences or []],
        status=RoundStatus.DRAFT,
        copied_from_id=rnd.id,
        reminder_days_before_close=list(rnd.reminder_days_before_close or []),
        reminder_min_gap_days=rnd.reminder_min_gap_days,
    )
    for q in rnd.questionnaires:
        copy.questionnaires.append(_copy_questionnaire(q))
    db.session.add(copy)
    db.session.flush()
    if with_contacts:
        _copy_contacts(rnd, copy)
    return copy


def _copy_contacts(source: FeedbackRound, copy: FeedbackRound) -> None:
    """The source's contacts (a draft's) or invitees (a launched round's) become the copy's
    contacts; people who opted out of the source round are left out, and who answered plays
    no part."""
    if source.status == RoundStatus.DRAFT:
        rows = db.session.execute(
            select(Contact.audience, Contact.email, Contact.name).where(
                Contact.round_id == source.id
            )
        ).all()
    else:
        rows = db.session.execute(
            select(Invitation.audience, Invitation.email, Invitation.name).where(
                Invitation.round_id == source.id,
                Invitation.status != InvitationStatus.OPTED_OUT,
            )
        ).all()
    if rows:
        db.session.execute(
            insert(Contact),
            [
                {"id": uuid.uuid4(), "round_id": copy.id, "audience": a, "email": e, "name": n}
                for a, e, n in rows
            ],
        )
    db.session.flush()


def _copy_questionnaire(q: Questionnaire) -> Questionnaire:
    row = Questionnaire(
        audience=q.audience,
        intro=q.intro,
        easy_read=q.easy_read,
        one_question_per_page=q.one_question_per_page,
        sections=[dict(s) for s in q.sections],
        role_question=dict(q.role_question) if q.role_question else None,
    )
    new_ids: dict[str, str] = {}
    for item in ordered_items(q):
        new_id = uuid.uuid4()
        new_ids[str(item.id)] = str(new_id)
        row.items.append(
            QuestionItem(
                id=new_id,
                position=item.position,
                section_id=item.section_id,
                indicator_id=item.indicator_id,
                theme_id=item.theme_id,
                statement=item.statement,
                scale_id=item.scale_id,
                origin=item.origin,
                bank_key=item.bank_key,
                bank_statement=item.bank_statement,
            )
        )
    # The same words in the same languages, keyed by the copy's own items.
    row.translations = {
        code: {
            "intro": words.get("intro", ""),
            "sections": dict(words.get("sections") or {}),
            "items": {
                new_ids[old]: text
                for old, text in (words.get("items") or {}).items()
                if old in new_ids
            },
        }
        for code, words in (q.translations or {}).items()
    }
    return row


def contact_count(rnd: FeedbackRound) -> int:
    return db.session.execute(
        select(func.count()).select_from(Contact).where(Contact.round_id == rnd.id)
    ).scalar_one()


def delete_round(rnd: FeedbackRound) -> None:
    """Delete a draft with its questionnaires and contacts; launched rounds are kept."""
    if rnd.status != RoundStatus.DRAFT:
        raise RoundError(
            {
                "round": "Only draft rounds can be deleted. This round has been launched, so it "
                "is kept with its invitations and responses."
            }
        )
    db.session.delete(rnd)
    db.session.flush()


# -- keeping edits when a draft's questionnaires are rebuilt ---------------------------------------


@dataclass(frozen=True)
class _KeptItem:
    position: int
    section_id: str
    indicator_id: str
    theme_id: str | None
    statement: str
    origin: ItemOrigin
    bank_key: str | None
    bank_statement: str | None


@dataclass(frozen=True)
class _Words:
    """A part's English and its translations ({code: text}) before a rebuild."""

    english: str
    translations: dict[str, str]


@dataclass(frozen=True)
class _Snapshot:
    items: tuple[_KeptItem, ...]
    intro: str | None  # None: it was Chorus's own wording, so write it afresh
    version: int
    # Translations as they stood, keyed the way a rebuilt questionnaire can find them again:
    # "" for the introduction, "section:<id>", "bank:<bank key>", "custom:<indicator>:<words>".
    words: dict[str, _Words] = field(default_factory=dict)
    own_words: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> name, plural


def _snapshot(q: Questionnaire, organisation_name: str) -> _Snapshot:
    items = tuple(
        _KeptItem(
            i.position,
            i.section_id,
            i.indicator_id,
            i.theme_id,
            i.statement,
            i.origin,
            i.bank_key,
            i.bank_statement,
        )
        for i in ordered_items(q)
    )
    intro = None if q.intro == default_intro(q, organisation_name) else q.intro
    own = {
        code: dict(lang["audience"])
        for code, lang in (q.translations or {}).items()
        if lang.get("audience")
    }
    return _Snapshot(items, intro, q.version or 1, _words_of(q), own)


def _part_key(item: QuestionItem | _KeptItem) -> str:
    if item.origin == ItemOrigin.CUSTOM or not item.bank_key:
        # A custom item comes back under a new id: its indicator and words find it.
        return f"custom:{item.indicator_id}:{item.statement}"
    return f"bank:{item.bank_key}"


def _words_of(q: Questionnaire) -> dict[str, _Words]:
    stored = q.translations or {}

    def of(kind: str, key: str, english: str) -> _Words:
        found = {
            code: str(text)
            for code, lang in stored.items()
            if (text := lang.get("intro") if kind == "intro" else (lang.get(kind) or {}).get(key))
        }
        return _Words(english, found)

    words = {"": of("intro", "", q.intro)}
    for s in q.sections:
        words[f"section:{s['id']}"] = of("sections", s["id"], s["title"])
    for item in ordered_items(q):
        words[_part_key(item)] = of("items", str(item.id), item.statement)
    return words


def _restore_translations(q: Questionnaire, before: _Snapshot) -> None:
    """Carry a questionnaire's translations (imported ones too) across a rebuild.

    A translation follows its part while the part's English is word for word what was
    translated; a part whose English changed (an introduction that now gives another number of
    minutes, a new framework's heading) keeps only what the item bank gives it, so launch lists
    it as missing rather than showing a translation of other words.
    """
    stored: dict[str, dict[str, Any]] = {
        code: {
            "intro": lang.get("intro", ""),
            "sections": dict(lang.get("sections") or {}),
            "items": dict(lang.get("items") or {}),
        }
        for code, lang in (q.translations or {}).items()
    }
    for code, words in before.own_words.items():  # a round's own audience's name (issue 22)
        stored.setdefault(code, {"intro": "", "sections": {}, "items": {}})["audience"] = words

    def carry(key: str, english: str, kind: str, part: str) -> None:
        old = before.words.get(key)
        if old is None or old.english != english:
            return
        for code, text in old.translations.items():
            lang = stored.setdefault(code, {"intro": "", "sections": {}, "items": {}})
            if kind == "intro":
                lang["intro"] = text
            else:
                lang[kind][part] = text

    carry("", q.intro, "intro", "")
    for s in q.sections:
        carry(f"section:{s['id']}", s["title"], "sections", s["id"])
    for item in ordered_items(q):
        carry(_part_key(item), item.statement, "items", str(item.id))
    q.translations = stored  # a new object, so the JSON is written


def _restore_edits(
    q: Questionnaire,
    before: _Snapshot,
    old_indicators: set[str],
    framework: Framework,
    organisation_name: str,
) -> None:
    """Re-apply a coordinator's edits to a freshly generated questionnaire.

    Rules: reworded bank items keep their wording; bank items the coordinator removed stay
    removed (an item of an indicator chosen before that is missing from the old questionnaire was
    removed on purpose); custom items stay while their indicator is chosen; items that were there
    before keep their order, and new bank items follow them at the end of their section; an
    introduction the coordinator wrote is kept.
    """
    old_by_key = {
        k.bank_key: k for k in before.items if k.bank_key and k.origin != ItemOrigin.CUSTOM
    }
    chosen = set(q.round.indicator_ids)
    customs = [
        k for k in before.items if k.origin == ItemOrigin.CUSTOM and k.indicator_id in chosen
    ]
    generated = ordered_items(q)
    removed = [
        i for i in generated if i.bank_key not in old_by_key and i.indicator_id in old_indicators
    ]
    if len(removed) == len(generated) and not customs:
        removed = []  # never leave an audience with nothing to answer: start afresh instead
    survivors: list[tuple[int, QuestionItem]] = []  # (old position, item)
    fresh: list[QuestionItem] = []
    for item in generated:
        old = old_by_key.get(item.bank_key or "")
        if old is not None:
            item.statement, item.origin = old.statement, old.origin
            survivors.append((old.position, item))
        elif item in removed:
            q.items.remove(item)  # the coordinator removed it before
        else:
            fresh.append(item)
    scale = audience_scale(q.audience, q.round.children_bands, [i.scale_id for i in generated])
    for kept in customs:
        ensure_section(q, framework, kept.section_id)
        item = QuestionItem(
            id=uuid.uuid4(),  # known before the flush, so its translations can be keyed by it
            position=0,
            section_id=kept.section_id,
            indicator_id=kept.indicator_id,
            theme_id=kept.theme_id,
            statement=kept.statement,
            scale_id=scale,
            origin=ItemOrigin.CUSTOM,
        )
        q.items.append(item)
        survivors.append((kept.position, item))
    order = [item for _, item in sorted(survivors, key=lambda pair: pair[0])] + fresh
    renumber(q, order)
    q.intro = before.intro if before.intro is not None else default_intro(q, organisation_name)
    q.version = before.version + 1


def audience_scale(audience: str, children_bands: Iterable[str], scale_ids: Iterable[str]) -> str:
    """The scale a custom item gets: the questionnaire's one scale if it has exactly one
    (faces for young children, a..e for CSIT partners), else the audience's default (an age
    band's audience key carries its band; "children" is a legacy round's one band)."""
    distinct = set(scale_ids)
    if len(distinct) == 1:
        return distinct.pop()
    return qgen.scale_for(audience, None, legacy_band(children_bands))


def legacy_band(children_bands: Iterable[str]) -> str:
    """The one band of a round from before age bands ("under_12" if none is stored)."""
    return next((b for b in children_bands if b in qgen.LEGACY_CHILDREN_BANDS), "under_12")


def ensure_section(q: Questionnaire, framework: Framework, section_id: str) -> None:
    """Add the framework section to the questionnaire (in framework order) if it is missing."""
    if any(s["id"] == section_id for s in q.sections):
        return
    free_text = q.round.free_text
    wanted = {s["id"] for s in q.sections} | {section_id}
    existing = {s["id"]: s for s in q.sections}
    q.sections = [
        existing.get(sec.id, {"id": sec.id, "title": sec.title, "free_text": free_text})
        for sec in framework.sections
        if sec.id in wanted
    ]


def renumber(q: Questionnaire, order: list[QuestionItem]) -> None:
    """Positions 1..n: sections in the questionnaire's section order, items in `order` within."""
    section_rank = {s["id"]: n for n, s in enumerate(q.sections)}
    rank = {id(item): n for n, item in enumerate(order)}
    items = sorted(
        (i for i in q.items),
        key=lambda i: (section_rank.get(i.section_id, len(section_rank)), rank.get(id(i), 0)),
    )
    for position, item in enumerate(items, start=1):
        item.position = position
    present = {i.section_id for i in q.items}
    if any(s["id"] not in present for s in q.sections):
        q.sections = [s for s in q.sections if s["id"] in present]

"""Editing one draft questionnaire: reword, reorder, remove and add items; change the intro.

Every function refuses a launched round (RoundLocked) and bad input (RoundError naming the field)
before changing anything. They flush; the caller commits once. Each change bumps the
questionnaire's `version`, so a preview or a cache can tell that the wording moved on.
"""

from __future__ import annotations

from app.extensions import db
from app.models import ItemOrigin, QuestionItem, Questionnaire
from app.services.rounds import (
    RoundError,
    RoundLocked,
    audience_scale,
    default_intro,
    ensure_draft,
    ensure_section,
    intro_changed,
    ordered_items,
    organisation_name,
    renumber,
)
from frameworks import Framework
from frameworks.schema import EASY_READ_MAX_WORDS
from surveys.questionnaire import EASY_READ_AUDIENCES

STATEMENT_MAX = 300  # QuestionItem.statement is String(300)
INTRO_MAX = 2000
DIRECTIONS = ("up", "down")


def clean_statement(text: str) -> str:
    """One line of plain text, or RoundError with the reason it cannot be used."""
    statement = " ".join((text or "").split())
    if not statement:
        raise RoundError({"statement": "Enter the statement people will answer."})
    if len(statement) > STATEMENT_MAX:
        raise RoundError(
            {
                "statement": f"The statement must be {STATEMENT_MAX} characters or fewer "
                f"(it has {len(statement)}). Short statements are easier to answer on a phone."
            }
        )
    return statement


def clean_intro(text: str) -> str:
    """Keep the coordinator's line breaks; trim each line and drop runs of blank lines."""
    lines = [" ".join(line.split()) for line in (text or "").replace("\r\n", "\n").split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    intro = "\n".join(kept).strip()
    if not intro:
        raise RoundError({"intro": "Enter an introduction, or restore the standard one."})
    if len(intro) > INTRO_MAX:
        raise RoundError(
            {
                "intro": f"The introduction must be {INTRO_MAX} characters or fewer (it has "
                f"{len(intro)})."
            }
        )
    return intro


def _check_easy_read(q: Questionnaire, statement: str) -> None:
    """An adult easy-read questionnaire keeps its sentences short, as the item banks do."""
    if q.easy_read and q.audience in EASY_READ_AUDIENCES:
        words = len(statement.split())
        if words > EASY_READ_MAX_WORDS:
            raise RoundError(
                {
                    "statement": f"This questionnaire is in easy read, so a statement has at "
                    f"most {EASY_READ_MAX_WORDS} words (this one has {words})."
                }
            )


def ensure_editable(q: Questionnaire) -> None:
    ensure_draft(q.round)
    if q.frozen:
        raise RoundLocked()


def _check_unique(q: Questionnaire, statement: str, ignore: QuestionItem | None = None) -> None:
    wanted = statement.casefold()
    if any(i is not ignore and i.statement.casefold() == wanted for i in q.items):
        raise RoundError({"statement": "This questionnaire already asks exactly that."})


def _changed(q: Questionnaire) -> None:
    q.version = (q.version or 1) + 1
    db.session.flush()


def find_item(q: Questionnaire, item_id: object) -> QuestionItem | None:
    return next((i for i in q.items if i.id == item_id), None)


def reword_item(item: QuestionItem, text: str) -> bool:
    """Change an item's wording; False when the wording is unchanged (nothing to save).

    A bank item becomes "edited" (its original stays in `bank_statement`); reworded back to the
    original it is a bank item again.
    """
    q = item.questionnaire
    ensure_editable(q)
    statement = clean_statement(text)
    if statement == item.statement:
        return False
    _check_easy_read(q, statement)
    _check_unique(q, statement, ignore=item)
    item.statement = statement
    if item.origin != ItemOrigin.CUSTOM:
        item.origin = ItemOrigin.BANK if statement == item.bank_statement else ItemOrigin.EDITED
    _changed(q)
    return True


def move_item(item: QuestionItem, direction: str) -> bool:
    """Swap with the neighbour in its section; False at the top or bottom (nothing moved)."""
    q = item.questionnaire
    ensure_editable(q)
    if direction not in DIRECTIONS:
        raise RoundError({"direction": "Choose to move the question up or down."})
    siblings = [i for i in ordered_items(q) if i.section_id == item.section_id]
    index = siblings.index(item) + (-1 if direction == "up" else 1)
    if not 0 <= index < len(siblings):
        return False
    other = siblings[index]
    item.position, other.position = other.position, item.position
    _changed(q)
    return True


def remove_item(item: QuestionItem) -> None:
    q = item.questionnaire
    ensure_editable(q)
    if len(q.items) <= 1:
        raise RoundError(
            {
                "item": "A questionnaire needs at least one question. To stop asking this "
                "audience, remove it in the round's settings."
            }
        )
    standard_intro = not intro_changed(q)
    q.items.remove(item)
    renumber(q, ordered_items(q))
    _refresh_intro(q, standard_intro)
    _changed(q)


def add_custom_item(
    q: Questionnaire,
    framework: Framework,
    indicator_id: str,
    theme_id: str | None,
    text: str,
) -> QuestionItem:
    """Add the coordinator's own statement at the end of its indicator's section."""
    ensure_editable(q)
    errors: dict[str, str] = {}
    indicator = None
    if indicator_id not in q.round.indicator_ids:
        errors["indicator_id"] = "Choose one of this round's indicators."
    else:
        indicator = framework.indicator(indicator_id)
        if theme_id and theme_id not in {t.id for t in indicator.themes}:
            errors["theme_id"] = "Choose one of this indicator's themes, or no theme."
    statement = ""
    try:
        statement = clean_statement(text)
        _check_easy_read(q, statement)
        _check_unique(q, statement)
    except RoundError as exc:
        errors.update(exc.errors)
    if errors:
        raise RoundError(errors)
    assert indicator is not None
    standard_intro = not intro_changed(q)
    ensure_section(q, framework, indicator.section)
    item = QuestionItem(
        position=len(q.items) + 1,
        section_id=indicator.section,
        indicator_id=indicator.id,
        theme_id=theme_id or None,
        statement=statement,
        scale_id=audience_scale(q.audience, q.round.children_bands, [i.scale_id for i in q.items]),
        origin=ItemOrigin.CUSTOM,
    )
    order = [*ordered_items(q), item]
    q.items.append(item)
    renumber(q, order)
    _refresh_intro(q, standard_intro)
    _changed(q)
    return item


def _refresh_intro(q: Questionnaire, was_standard: bool) -> None:
    """Chorus's own intro states the time it takes: keep that true when the items change."""
    if was_standard:
        q.intro = default_intro(q, organisation_name(q.round))


def set_intro(q: Questionnaire, text: str) -> bool:
    ensure_editable(q)
    intro = clean_intro(text)
    if intro == q.intro:
        return False
    q.intro = intro
    _changed(q)
    return True


def restore_intro(q: Questionnaire) -> None:
    """Back to Chorus's standard introduction for the questionnaire as it stands."""
    ensure_editable(q)
    q.intro = default_intro(q, organisation_name(q.round))
    _changed(q)

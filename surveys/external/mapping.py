"""Mapping a survey from elsewhere onto Chorus: each answer option placed as favourable, not
favourable or Don't know, and each statement's suggested indicator (words shared with the
indicator's themes and title). Suggestions only: the team confirms every one."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from surveys.external.rows import norm

Place = Literal["favourable", "unfavourable", "dont_know"]
PLACES: tuple[Place, ...] = ("favourable", "unfavourable", "dont_know")
PLACE_LABELS: dict[str, str] = {
    "favourable": "Favourable",
    "unfavourable": "Not favourable",
    "dont_know": "Don't know",
}


_DONT_KNOW_WORDS = (
    "don't know",
    "dont know",
    "do not know",
    "not sure",
    "unsure",
    "n/a",
    "not applicable",
    "prefer not to say",
    "no opinion",
    "can't say",
)
_UNFAVOURABLE_WORDS = (
    "strongly disagree",
    "disagree",
    "tend to disagree",
    "mostly disagree",
    "neither agree nor disagree",
    "neither",
    "neutral",
    "very dissatisfied",
    "dissatisfied",
    "neither satisfied nor dissatisfied",
    "no",
    "not really",
    "poor",
    "very poor",
    "fair",
    "never",
    "rarely",
    "sometimes",
    "not at all",
    "sad",
    "unhappy",
    "ok",
)
_FAVOURABLE_WORDS = (
    "strongly agree",
    "agree",
    "tend to agree",
    "mostly agree",
    "very satisfied",
    "satisfied",
    "yes",
    "yes, mostly",
    "always",
    "usually",
    "mostly",
    "excellent",
    "very good",
    "good",
    "happy",
)


def suggest_place(label: str) -> Place | None:
    """Where an answer option's words belong, or None when they are not ones we know."""
    words = norm(label).strip(" .!")
    if words in _DONT_KNOW_WORDS:
        return "dont_know"
    if words in _UNFAVOURABLE_WORDS:
        return "unfavourable"
    if words in _FAVOURABLE_WORDS:
        return "favourable"
    return None


def check_scale(options: Sequence[str], places: Mapping[str, str]) -> dict[str, str]:
    """Errors per option (by label), empty when the scale maps: every option placed, and at
    least one favourable and one not-favourable option (else no proportion means anything)."""
    errors: dict[str, str] = {}
    for label in options:
        if places.get(label) not in PLACES:
            errors[label] = f"Say whether “{label}” is favourable, not favourable or Don't know."
    if errors:
        return errors
    chosen = [places[label] for label in options]
    if "favourable" not in chosen:
        errors[options[0]] = "The scale cannot be mapped: no option is favourable."
    elif "unfavourable" not in chosen:
        errors[options[0]] = "The scale cannot be mapped: every option is favourable or Don't know."
    return errors


def scale_words(options: Sequence[str], places: Mapping[str, str]) -> str:
    """The mapping in a sentence, stated on the evidence."""
    parts = []
    for place in PLACES:
        labels = [label for label in options if places.get(label) == place]
        if labels:
            parts.append(f"{PLACE_LABELS[place]}: " + ", ".join(f"“{x}”" for x in labels))
    return "; ".join(parts) + "."


# ---------------------------------------------------------------------------------------------
# Statement -> indicator suggestions

_STOP_WORDS = """a about above after all also am an and any are as at be been being both but by
    can could
    did do does doing for from had has have having he her here hers him his how i if in into is it
    its me more most my no nor not of on once only or other our ours out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours feel think well know get good us really always often"""
_STOP = frozenset(_STOP_WORDS.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z]+", norm(text)) if len(w) > 2 and w not in _STOP}


@dataclass(frozen=True, slots=True)
class IndicatorWords:
    id: str
    title: str
    themes: tuple[str, ...]  # theme titles


def suggest_indicator(statement: str, indicators: Sequence[IndicatorWords]) -> str | None:
    """The indicator whose themes (counted twice) and title share most words with the
    statement; ties go to the first in framework order; None when no word is shared."""
    said = words_of(statement)
    best: tuple[int, str] | None = None
    for indicator in indicators:
        theme_words: set[str] = set()
        for theme in indicator.themes:
            theme_words |= words_of(theme)
        score = 2 * len(said & theme_words) + len(said & words_of(indicator.title))
        if score and (best is None or score > best[0]):
            best = (score, indicator.id)
    return best[1] if best else None

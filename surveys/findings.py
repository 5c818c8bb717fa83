"""What a statement means when a group agrees with it, for evidence sentences (DESIGN.md 7).

Items are written in the first person ("I am kept informed about my child's progress"); evidence
reads in the third person ("Most parents and carers ... report that they are kept informed about
their child's progress"). `third_person` makes that change for the plain statements of our item
banks and returns None when it cannot be sure, so callers fall back to quoting the statement.

`indicator_evidence` words an indicator's pooled figure (answers to several statements added
together), which `surveys.evidence` does not cover: its figures count answers, says how many
people gave them, and its interval treats those people as clusters (DESIGN 7), so many answers
from few people never read as more certain than the people can support.
"""

from __future__ import annotations

import re

from surveys.evidence import Evidence
from surveys.statistics import Clusters, Distribution, quantity_word, whole_percent

# First-person words and their third-person plural. "they" takes the same verb forms as "I" and
# "we" except "am" and "was", handled after a subject below.
_PRONOUNS = {
    "i": "they",
    "me": "them",
    "my": "their",
    "mine": "theirs",
    "myself": "themselves",
    "we": "they",
    "us": "them",
    "our": "their",
    "ours": "theirs",
    "ourselves": "themselves",
    "i'm": "they're",
    "i've": "they've",
    "i'd": "they'd",
    "i'll": "they'll",
    "we're": "they're",
    "we've": "they've",
    "we'd": "they'd",
    "we'll": "they'll",
}
_AFTER_I = {"am": "are", "was": "were", "wasn't": "weren't"}
# Second person or a question cannot be turned round reliably: quote those instead.
_REFUSE = {"you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll"}

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|[^A-Za-z]+")


def third_person(statement: str) -> str | None:
    """The statement as a third-person clause without its full stop, or None if unsure.

    "When I complain, I am not passed from person to person." ->
    "when they complain, they are not passed from person to person"
    """
    text = " ".join(statement.split()).rstrip(".").strip()
    if not text or any(mark in text for mark in '?"“”'):
        return None
    tokens = _TOKEN.findall(text.replace("’", "'"))
    out: list[str] = []
    previous_word = ""
    for token in tokens:
        if not token[0].isalpha():
            out.append(token)
            continue
        lower = token.lower()
        if lower in _REFUSE:
            return None
        # "I" is always a capital; a capitalised "Us" or "US" is more likely an acronym.
        if lower == "i" and token != "I":
            return None
        if lower in _PRONOUNS and (token == "I" or token[1:].islower()):
            replacement = _PRONOUNS[lower]
        elif lower in _AFTER_I and previous_word == "i":
            replacement = _AFTER_I[lower]
        else:
            replacement = token
        out.append(replacement)
        previous_word = lower
    clause = "".join(out)
    return _lower_first(clause)


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like an acronym ("NHS ...")."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and not first[1:].islower():
        return text
    return text[:1].lower() + text[1:]


def indicator_evidence(
    distribution: Distribution,
    *,
    audience: str,
    indicator: str,
    statements: int,
    clusters: Clusters,
) -> Evidence:
    """The sentence for an indicator's figure pooling the answers to its statements.

    "Most parents and carers (82%, 141 of 171 answers from 60 people; 95% CI 75-88%) answer
    favourably to the 3 statements on 2.2 Impact on parents/carers and families."

    `clusters` are the same answers counted per respondent: they give the number of people
    and the clustered interval (`surveys.statistics.clustered_interval`), never Wilson on the
    pooled answers, which would be too narrow. Show this only for a group the suppression
    rules let you show: the people counted are part of that group.
    """
    if (clusters.favourable, clusters.valid) != (distribution.favourable, distribution.base):
        raise ValueError("the per-respondent counts do not add up to the pooled answers")
    if statements < 1:
        raise ValueError("an indicator's figure needs at least one statement")
    audience = audience.strip()
    if not audience:
        raise ValueError("empty audience")
    on = "the statement" if statements == 1 else f"the {statements} statements"
    dont_know = distribution.dont_know
    dont_know_text = (
        f"{dont_know} answer{'s were' if dont_know != 1 else ' was'} Don't know"
        if dont_know
        else None
    )
    fraction = distribution.favourable_fraction
    interval = clusters.interval()
    if fraction is None or interval is None:
        sentence = f"No answers from {audience} to {on} on {indicator} other than Don't know."
        if not dont_know:
            sentence = f"No answers from {audience} to {on} on {indicator}."
        return Evidence(_upper_first(sentence), dont_know_text)
    word = quantity_word(fraction * 100)
    lead = _LEADS[word].format(audience)
    low, high = (whole_percent(end * 100) for end in interval)
    figures = (
        f"{whole_percent(fraction * 100)}%, {distribution.favourable} of {distribution.base} "
        f"answers from {people_text(clusters.people)}; 95% CI {low}-{high}%"
    )
    sentence = f"{lead} ({figures}) answer favourably to {on} on {indicator}."
    return Evidence(_upper_first(sentence), dont_know_text)


_LEADS = {
    "all": "all {}",
    "almost all": "almost all {}",
    "most": "most {}",
    "majority": "the majority of {}",
    "less than half": "less than half of {}",
    "few": "few {}",
    "none": "no {}",
}


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def people_text(people: int) -> str:
    """'20 people', '1 person'."""
    return f"{people} {'person' if people == 1 else 'people'}"

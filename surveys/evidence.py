"""Evidence wording (DESIGN.md section 7): one sentence a SAT can paste beside its rating.

    Most parents (82%, 47 of 57; 95% CI 71-90%) report that they are kept informed about their
    child's progress.

The word comes from the unrounded percentage; the numbers are rounded half away from zero for
display. The Don't know count is a separate field so a page can show it beside the sentence.
Call `evidence` only for groups that `surveys.suppression` lets you show; otherwise use
`suppressed` (a group under k) or `withheld` (a group hidden to protect a smaller one).
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.statistics import Distribution, quantity_word, whole_percent, wilson_interval
from surveys.suppression import check_threshold

# How each quantity word reads in front of an audience's plural noun phrase.
_LEADS = {
    "all": "all {}",
    "almost all": "almost all {}",
    "most": "most {}",
    "majority": "the majority of {}",
    "less than half": "less than half of {}",
    "few": "few {}",
    "none": "no {}",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    sentence: str
    dont_know: str | None = None  # e.g. "3 answered Don't know"; None when nobody did


def _capitalise(text: str) -> str:
    # Only the first letter: str.capitalize() would lower-case names later in the sentence.
    return text[:1].upper() + text[1:]


def _clause(text: str) -> str:
    clause = text.strip().rstrip(".").strip()
    if not clause:
        raise ValueError("empty clause")
    return clause


def evidence(
    distribution: Distribution,
    *,
    audience: str,
    finding: str | None = None,
    statement: str | None = None,
) -> Evidence:
    """The evidence sentence for one group's answers to an item or a pooled indicator.

    audience: plural noun phrase ("parents", "children and young people").
    finding: what the favourable answers mean, in the third person, completing "report that ..."
    ("they are kept informed about their child's progress"). Without one, the item's first-person
    statement is quoted instead: '... respond favourably to "I am kept informed ...".'
    """
    if finding is not None:
        verb_phrase = f"report that {_clause(finding)}"
    elif statement is not None:
        verb_phrase = f'respond favourably to "{_clause(statement)}"'
    else:
        raise ValueError("give a finding or the item statement")
    audience = audience.strip()
    if not audience:
        raise ValueError("empty audience")

    dont_know = distribution.dont_know
    dont_know_text = f"{dont_know} answered Don't know" if dont_know else None
    fraction = distribution.favourable_fraction
    interval = wilson_percents(distribution.favourable, distribution.base)
    if fraction is None or interval is None:
        sentence = (
            f"No answers from {audience} other than Don't know."
            if dont_know
            else f"No answers from {audience}."
        )
        return Evidence(_capitalise(sentence), dont_know_text)

    low, high = interval
    lead = _LEADS[quantity_word(fraction * 100)].format(audience)
    figures = (
        f"{whole_percent(fraction * 100)}%, {distribution.favourable} of {distribution.base}; "
        f"95% CI {low}-{high}%"
    )
    return Evidence(_capitalise(f"{lead} ({figures}) {verb_phrase}."), dont_know_text)


PROTECTS_SMALLER_GROUP = "Not shown (protects a smaller group)"


def hidden_figure(small: bool, k: int, noun: str = "") -> str:
    """THE words for a hidden figure (DESIGN.md 7), chosen here and nowhere else.

    `small` is whether the group itself has fewer than k people (primary suppression). Only
    then does it read "Fewer than k" (plus `noun`, e.g. "responses"). A figure hidden so that a
    smaller group cannot be worked out (a total, or a group of k or more) reads "Not shown
    (protects a smaller group)": saying "fewer than k" of a group that is not would be untrue,
    and naming which other group is small reveals nothing its own notice does not.
    """
    if small:
        return f"Fewer than {check_threshold(k)}" + (f" {noun}" if noun else "")
    return PROTECTS_SMALLER_GROUP


def suppressed(k: int) -> Evidence:
    """What a group under the threshold reads instead of figures."""
    return Evidence(hidden_figure(True, k, "responses"))


def withheld() -> Evidence:
    """What a group of k or more reads when hidden to protect a smaller group."""
    return Evidence(PROTECTS_SMALLER_GROUP)


def wilson_percents(successes: int, n: int) -> tuple[int, int] | None:
    """The 95% interval as whole percents, as printed in evidence sentences."""
    interval = wilson_interval(successes, n)
    if interval is None:
        return None
    return whole_percent(interval[0] * 100), whole_percent(interval[1] * 100)

"""Which audiences may show figures: decided once per round, here, so no caller can get it wrong.

DESIGN.md 6.5: a group with fewer than k respondents shows no figure at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.suppression import suppress_counts


@dataclass(frozen=True, slots=True)
class AudienceVisibility:
    shown: frozenset[str]
    suppressed: frozenset[str]  # fewer than k respondents: no figure at all
    empty: frozenset[str]  # no respondents: zeros, nothing else
    total_shown: bool  # whether the all-groups respondent count may appear


def audience_visibility(respondents: dict[str, int], k: int) -> AudienceVisibility:
    """Primary suppression per audience, with the all-groups total as the complement.

    A shown total beside the shown groups would give a suppressed group's count away by
    subtraction, so something else must be hidden. `surveys.suppression` would hide the next
    smallest audience (totals cost most in a statistical table); here that would throw away a
    whole group's results, every percentage and chart, to keep one headcount. So the total is
    the complementary cell: it appears only when no audience is suppressed. No figure for all
    groups together (percentage, distribution) is shown anywhere, so nothing else can be
    subtracted.
    """
    table = suppress_counts(respondents, k, with_total=False)  # no total: primary only
    empty = frozenset(a for a, n in respondents.items() if n == 0)
    return AudienceVisibility(
        shown=frozenset(respondents) - table.hidden - empty,
        suppressed=frozenset(table.primary),
        empty=empty,
        total_shown=not table.primary,
    )

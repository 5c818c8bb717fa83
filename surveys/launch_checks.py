"""Warnings shown before a round is launched, each needing the coordinator's tick (issue 16).

Pure: the facts come in as plain values, so the launch page and a future API give the same
answer. Each warning has a stable `code` (for an API and for tests) and a `key` that is unique in
one launch (the code, plus the audience where there is one), which the tick carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from frameworks.schema import Framework
from surveys.audiences import CustomAudience, name_clashes, other_names
from surveys.questionnaire import FACES_BANDS, band_of

FAR_AHEAD_DAYS = 90

AUDIENCE_BELOW_THRESHOLD = "audience_below_threshold"
OPENS_IN_PAST = "opens_in_past"
OPENS_FAR_AHEAD = "opens_far_ahead"
CHILDREN_BY_EMAIL = "children_by_email"
NO_WAY_TO_ANSWER = "no_way_to_answer"
LONG_FOR_YOUNG_CHILDREN = "long_for_young_children"
CODES = (
    AUDIENCE_BELOW_THRESHOLD,
    OPENS_IN_PAST,
    OPENS_FAR_AHEAD,
    CHILDREN_BY_EMAIL,
    NO_WAY_TO_ANSWER,
    LONG_FOR_YOUNG_CHILDREN,
)
# Children under 8 hear very short sentences (DESIGN.md 5): longer ones are worth a second look.
YOUNG_CHILDREN_MAX_WORDS = 10


@dataclass(frozen=True, slots=True)
class AudienceFacts:
    audience: str
    label: str
    invited: int  # contacts to be invited by email
    open_link: bool  # an active open link (or QR code) will exist after launch
    email_only: bool = False  # a round's own audience asked by email only (issue 22)


@dataclass(frozen=True, slots=True)
class LaunchWarning:
    code: str
    message: str
    audience: str | None = None

    @property
    def key(self) -> str:
        return f"{self.code}:{self.audience}" if self.audience else self.code


def launch_warnings(
    audiences: Sequence[AudienceFacts],
    *,
    threshold: int,
    opens_on: date,
    today: date,
    children_bands: Iterable[str] = ("under_12",),
    far_ahead_days: int = FAR_AHEAD_DAYS,
    young_statements: Sequence[str] = (),
) -> list[LaunchWarning]:
    """Everything worth a second look before launching, in a stable order.

    `young_statements` are the statements children under 8 are asked (their band's)."""
    warnings: list[LaunchWarning] = []
    # Children under 13 (a faces band; "children" is a legacy round's one band).
    legacy = next((b for b in children_bands if b in ("under_12", "12_plus")), None)
    if opens_on < today:
        warnings.append(
            LaunchWarning(
                OPENS_IN_PAST,
                "The opening date has passed: the round will open today, and invitations go "
                "out at once. Change the opening date if that is not what you meant.",
            )
        )
    elif (opens_on - today).days > far_ahead_days:
        warnings.append(
            LaunchWarning(
                OPENS_FAR_AHEAD,
                f"The round opens in {(opens_on - today).days} days, more than "
                f"{far_ahead_days} days ahead. Invitations wait until then; check the date.",
            )
        )
    for a in audiences:
        if 0 < a.invited < threshold:
            warnings.append(
                LaunchWarning(
                    AUDIENCE_BELOW_THRESHOLD,
                    f"{a.label}: {a.invited} invited; results need at least {threshold} "
                    f"answers, so {a.label.lower()} results will not be shown unless more "
                    "answer through the open link or on paper.",
                    a.audience,
                )
            )
        band = legacy if a.audience == "children" else band_of(a.audience)
        if band in FACES_BANDS and a.invited:
            under = {"under_8": "under 8", "under_12": "under 12"}.get(band, "8 to 12")
            warnings.append(
                LaunchWarning(
                    CHILDREN_BY_EMAIL,
                    f"{a.invited} {'child' if a.invited == 1 else 'children'} {under} would be "
                    "invited directly by email. Consider sending the open link through parents "
                    "or schools instead, and remove these contacts.",
                    a.audience,
                )
            )
        if a.invited == 0 and not a.open_link:
            warnings.append(
                LaunchWarning(
                    NO_WAY_TO_ANSWER,
                    f"{a.label}: nobody is invited by email, and they are asked by email only, "
                    "so nobody can answer. Add their contacts."
                    if a.email_only
                    else f"{a.label}: nobody is invited by email and the open link is switched "
                    "off, so nobody can answer. Add contacts or switch the open link on.",
                    a.audience,
                )
            )
    long = [s for s in young_statements if len(s.split()) > YOUNG_CHILDREN_MAX_WORDS]
    if long:
        shown = "; ".join(f"“{s}”" for s in long[:3]) + (" and more" if len(long) > 3 else "")
        warnings.append(
            LaunchWarning(
                LONG_FOR_YOUNG_CHILDREN,
                f"{len(long)} statement{'s' if len(long) != 1 else ''} for children under 8 "
                f"{'have' if len(long) != 1 else 'has'} more than {YOUNG_CHILDREN_MAX_WORDS} "
                f"words ({shown}). Children under 8 hear very short sentences: consider "
                "rewording in the questionnaire editor.",
                "children_under_8",
            )
        )
    return warnings


def unticked(warnings: Sequence[LaunchWarning], ticked: set[str]) -> list[LaunchWarning]:
    """The warnings the coordinator has not acknowledged."""
    return [w for w in warnings if w.key not in ticked]


def custom_audience_refusals(
    customs: Sequence[CustomAudience],
    framework: Framework,
    indicator_ids: Sequence[str],
    asked: Sequence[str] = (),
) -> list[str]:
    """Why a round's own audiences stop its launch (issue 22): a name that clashes with another
    audience (built-in, the framework's or the round's, ignoring case), or an audience with no
    statement for any chosen indicator. `framework` is the round's framework without them;
    `asked` the audiences the round asks (a framework's extra audience clashes once chosen)."""
    problems: list[str] = []
    for c in customs:
        others = other_names(framework, customs, c.id, asked)
        if name_clashes(c.name, others) or name_clashes(c.plural, others):
            problems.append(
                f"The audience “{c.name}” has the same name as another audience in this round. "
                "Rename it on the Audiences page so results cannot be mixed up."
            )
        if not c.statements_for(indicator_ids):
            problems.append(
                f"The audience “{c.name}” has no statements for any chosen indicator. Give it "
                "statements on the Audiences page, or remove it."
            )
    return problems

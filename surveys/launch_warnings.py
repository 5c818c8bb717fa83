"""What a coordinator should know before launching a round: warnings with stable codes.

Pure (no Flask, no SQL). The launch page and the API (`"accept_warnings": [...]`) use the same
codes, so a client can accept exactly the warnings it has read. A warning never stops a launch
by itself; the problems in `app.services.launch.plan_launch` do.

Codes (stable, part of the API):
- `audience_below_threshold`: an audience has fewer email contacts than the round's anonymity
  threshold k, so its results stay hidden unless others answer through the open link;
- `opens_in_past`: the opening date has passed; invitations go out on the day of launch;
- `opens_far_ahead`: the round opens more than `FAR_AHEAD_DAYS` days from today;
- `children_by_email`: children and young people are invited by email directly;
- `no_way_to_answer`: an audience has no email contacts: only the open link or QR code, which
  must be shared, lets them answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

FAR_AHEAD_DAYS = 90
CHILDREN = "children"

CODES = (
    "audience_below_threshold",
    "opens_in_past",
    "opens_far_ahead",
    "children_by_email",
    "no_way_to_answer",
)


@dataclass(frozen=True, slots=True)
class LaunchWarning:
    code: str
    message: str
    audience: str | None = None


def launch_warnings(
    *,
    today: date,
    opens_on: date,
    threshold: int,
    audiences: Sequence[str],
    contacts: Mapping[str, int],
    labels: Mapping[str, str],
) -> list[LaunchWarning]:
    """Warnings for launching today; `audiences` are those with a questionnaire, `contacts`
    the email contacts per audience."""
    found: list[LaunchWarning] = []
    if opens_on < today:
        found.append(
            LaunchWarning(
                "opens_in_past",
                "The opening date has passed: invitations will be sent as soon as you launch.",
            )
        )
    elif opens_on > today + timedelta(days=FAR_AHEAD_DAYS):
        found.append(
            LaunchWarning(
                "opens_far_ahead",
                f"The round opens more than {FAR_AHEAD_DAYS} days from today; its "
                "questionnaires cannot change after launch.",
            )
        )
    for audience in audiences:
        label = labels.get(audience, audience)
        n = contacts.get(audience, 0)
        if n == 0:
            found.append(
                LaunchWarning(
                    "no_way_to_answer",
                    f"Nobody is invited by email for {label}: they can answer through the open "
                    "link or QR code only.",
                    audience,
                )
            )
        elif n < threshold:
            found.append(
                LaunchWarning(
                    "audience_below_threshold",
                    f"Only {n} {'person is' if n == 1 else 'people are'} invited for {label}, "
                    f"fewer than the anonymity threshold of {threshold}: their results stay "
                    "hidden unless others answer through the open link.",
                    audience,
                )
            )
        if audience == CHILDREN and n > 0:
            found.append(
                LaunchWarning(
                    "children_by_email",
                    f"{label} are invited by email directly: check that your organisation "
                    "may contact them this way.",
                    audience,
                )
            )
    return found


def codes_of(warnings: Sequence[LaunchWarning]) -> list[str]:
    """The distinct codes, in the order of CODES."""
    present = {w.code for w in warnings}
    return [code for code in CODES if code in present]

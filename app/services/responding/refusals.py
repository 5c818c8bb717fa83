"""Why someone cannot go on, in plain English, with the HTTP status to send it with."""

from __future__ import annotations

import uuid
from datetime import date

from app.i18n import N_, _, local_long_date
from app.services.responding.window import Window


class Refusal(Exception):
    """A plain-English reason someone cannot go on, with the HTTP status to send it with."""

    def __init__(
        self,
        status: int,
        title: str,
        message: str,
        advice: str = "",
        questionnaire_id: uuid.UUID | None = None,  # for "already sent": whose thanks to show
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.message = message
        self.advice = advice
        self.questionnaire_id = questionnaire_id


def window_refusal(
    window: Window, opens_on: date, closes_on: date, grace_until: date | None = None
) -> Refusal | None:
    """`grace_until`: the round is closed but still accepts answers made before the close and
    kept on a device (issue 18) until that day: say so, or the person thinks theirs is lost."""
    if window == Window.NOT_YET:
        return Refusal(
            403,
            N_("This survey has not started yet"),
            _("You can answer from %(date)s.", date=local_long_date(opens_on)),
            N_("Please come back then, using the same link."),
        )
    if window == Window.CLOSED:
        return Refusal(
            410,
            N_("This survey has closed"),
            # No date: a coordinator may close a round before its planned closing date.
            N_("It has closed, so it cannot take any more answers."),
            _(
                "Answers made before it closed and kept on a phone or tablet to send later are "
                "still accepted until %(date)s.",
                date=local_long_date(grace_until),
            )
            if grace_until is not None
            else N_("Thank you for wanting to take part."),
        )
    return None


def unknown_link() -> Refusal:
    return Refusal(
        404,
        N_("This link does not work"),
        N_("We could not find a survey for this link. It may have been copied only in part."),
        N_("Try opening the link from your email again, or ask the person who sent it."),
    )

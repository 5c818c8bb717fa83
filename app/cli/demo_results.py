"""Demo data: the results part of `flask --app wsgi demo`.

Two closed rounds on the HMIE framework, a year apart, so a newcomer sees real results at once:
about 300 synthetic responses from four groups in the latest round, one group (partners) below
the anonymity threshold and a second held back to protect it, comments (one hidden by the
coordinator), disparities, and a comparison with last year.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import insert, select, update

from app.dates import today as service_day
from app.extensions import db
from app.models import (
    Channel,
    Comment,
    CommentPrompt,
    DeliveryStatus,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    Organisation,
    User,
)
from app.services.results import close_round
from app.services.rounds import RoundSettings, create_round
from app.services.synthetic import (
    Profile,
    SyntheticComment,
    insert_responses,
    items_of,
    make_live,
    random_answers,
)
from app.services.tokens import derive_token, token_hash

FRAMEWORK = "hmie-children-services"
LATEST = "Children's services feedback (demo, this year)"
EARLIER = "Children's services feedback (demo, last year)"

# audience -> [(channel, responses)], and how the group tends to answer
LATEST_PLAN: dict[str, tuple[list[tuple[Channel, int]], Profile]] = {
    "staff": ([(Channel.EMAIL, 70), (Channel.OPEN_LINK, 6)], Profile(leaning=0.8)),
    "partners": ([(Channel.EMAIL, 4)], Profile(leaning=0.6)),  # below the threshold of 5
    "parents": (
        [(Channel.EMAIL, 80), (Channel.OPEN_LINK, 30), (Channel.PAPER, 6)],
        Profile(leaning=0.68, spread=1.0),
    ),
    # Each age band is a group of its own: the under-8s (3) fall below the threshold alone.
    "children_under_8": ([(Channel.OPEN_LINK, 3)], Profile(leaning=0.85, dont_know=0.1)),
    "children_8_to_12": ([(Channel.OPEN_LINK, 62)], Profile(leaning=0.8, dont_know=0.08)),
    "children_13_plus": ([(Channel.OPEN_LINK, 42)], Profile(leaning=0.7, dont_know=0.06)),
}
EARLIER_PLAN: dict[str, tuple[list[tuple[Channel, int]], Profile]] = {
    "staff": ([(Channel.EMAIL, 64)], Profile(leaning=0.74)),
    "parents": ([(Channel.EMAIL, 58), (Channel.PAPER, 9)], Profile(leaning=0.55, spread=1.0)),
    "children_8_to_12": ([(Channel.OPEN_LINK, 44)], Profile(leaning=0.78, dont_know=0.08)),
    "children_13_plus": ([(Channel.OPEN_LINK, 27)], Profile(leaning=0.72, dont_know=0.08)),
}
INVITED = {"staff": 95, "partners": 12, "parents": 140}

COMMENTS: dict[str, list[tuple[str, CommentPrompt, str]]] = {
    "parents": [
        ("2", CommentPrompt.WORKS_WELL, "The nursery staff always tell me how my son's day went."),
        ("2", CommentPrompt.COULD_BE_BETTER, "It took months to get a speech therapy appointment."),
        ("2", CommentPrompt.WORKS_WELL, "The family worker helped us when things were hard."),
        ("5", CommentPrompt.COULD_BE_BETTER, "I had to tell our story again to every new worker."),
        ("5", CommentPrompt.WORKS_WELL, "Meetings are arranged at times I can make."),
        ("8", CommentPrompt.COULD_BE_BETTER, "The family centre is hard to reach by bus."),
    ],
    "children_8_to_12": [
        ("2", CommentPrompt.WORKS_WELL, "I like the club after school."),
        ("2", CommentPrompt.COULD_BE_BETTER, "More trips please."),
        ("2", CommentPrompt.WORKS_WELL, "My teacher listens to me."),
        ("6", CommentPrompt.WORKS_WELL, "We chose the new playground things."),
    ],
    "staff": [
        ("2", CommentPrompt.COULD_BE_BETTER, "Waiting lists for specialist support are too long."),
        ("5", CommentPrompt.WORKS_WELL, "Joint assessments with health save families time."),
        (
            "6",
            CommentPrompt.COULD_BE_BETTER,
            "We rarely hear what became of young people's ideas.",
        ),
        ("8", CommentPrompt.COULD_BE_BETTER, "Sharing records with partners is still slow."),
    ],
    "partners": [
        ("5", CommentPrompt.WORKS_WELL, "Referrals from the council are clear and quick."),
    ],
}
# The coordinator hid this one: it names a member of staff.
HIDDEN_COMMENT = "Mrs Brown at the Elm Street centre shouted at my daughter."


def seed(org: Organisation, coordinator: User) -> list[str]:
    """Add this part of the demo; return lines to print for the newcomer."""
    rng = random.Random(2025)
    today = service_day()
    earlier = _round(
        org,
        EARLIER,
        ["2.1", "2.2", "5.1", "8.1"],
        ["staff", "parents", "children"],
        today - timedelta(days=420),
        today - timedelta(days=390),
        bands=["8_to_12", "13_plus"],
    )
    _answer(earlier, EARLIER_PLAN, rng, comments=False)
    close_round(earlier)

    latest = _round(
        org,
        LATEST,
        ["2.1", "2.2", "5.1", "5.2", "5.3", "6.2", "8.1", "8.3"],
        ["staff", "partners", "parents", "children"],
        today - timedelta(days=60),
        today - timedelta(days=30),
        bands=["under_8", "8_to_12", "13_plus"],
    )
    _invite(latest)
    _answer(latest, LATEST_PLAN, rng, comments=True)
    db.session.execute(
        update(Comment)
        .where(Comment.round_id == latest.id, Comment.text == HIDDEN_COMMENT)
        .values(hidden=True)
    )
    close_round(latest)
    total = sum(n for channels, _ in LATEST_PLAN.values() for _, n in channels)
    return [
        f"Results: “{LATEST}” is closed with {total} responses (partners fall below the "
        f"anonymity threshold, and so do children under 8, reported apart from the other age "
        f"bands): http://127.0.0.1:5000/results/{latest.id}",
    ]


def _round(
    org: Organisation,
    name: str,
    indicators: list[str],
    audiences: list[str],
    opens_on: date,
    closes_on: date,
    *,
    bands: list[str],
) -> FeedbackRound:
    rnd = create_round(
        org,
        RoundSettings(
            name=name,
            framework_id=FRAMEWORK,
            indicator_ids=indicators,
            audiences=audiences,
            opens_on=opens_on,
            closes_on=closes_on,
            threshold=5,
            children_bands=bands,
        ),
    )
    make_live(rnd)
    return rnd


def _answer(
    rnd: FeedbackRound,
    plan: dict[str, tuple[list[tuple[Channel, int]], Profile]],
    rng: random.Random,
    *,
    comments: bool,
) -> None:
    for audience, (channels, profile) in plan.items():
        items = items_of(rnd, audience)
        written = COMMENTS.get(audience, []) if comments else []
        if comments and audience == "parents":
            written = [*written, ("2", CommentPrompt.COULD_BE_BETTER, HIDDEN_COMMENT)]
        for n, (channel, count) in enumerate(channels):
            # The first channel's respondents leave the comments, one each.
            chosen = written if n == 0 else []
            left = {
                i: [SyntheticComment(section, prompt, text)]
                for i, (section, prompt, text) in enumerate(chosen)
            }
            insert_responses(
                rnd,
                audience,
                random_answers(items, count, profile, rng),
                channel=channel,
                comments=left,
            )


def _invite(rnd: FeedbackRound) -> None:
    """Invitations per audience, the email respondents' marked completed (as the real
    submission does), so response rates show. Tokens are derived, only their hashes stored."""
    secret = current_app.config["SECRET_KEY"]
    rows = []
    for audience, invited in INVITED.items():
        channels, _ = LATEST_PLAN[audience]
        completed = dict(channels).get(Channel.EMAIL, 0)
        for n in range(invited):
            invitation_id = uuid.uuid4()
            rows.append(
                {
                    "id": invitation_id,
                    "round_id": rnd.id,
                    "audience": audience,
                    "email": f"{audience}{n + 1:03d}@demo.chorus.test",
                    "name": "",
                    "token_hash": token_hash(derive_token(secret, invitation_id)),
                    "status": (
                        InvitationStatus.COMPLETED if n < completed else InvitationStatus.PENDING
                    ),
                    "delivery": DeliveryStatus.SENT,
                    "last_messaged_on": rnd.opens_on,
                }
            )
    db.session.execute(insert(Invitation.__table__), rows)
    db.session.flush()


def demo_round_ids() -> list[uuid.UUID]:
    """The demo's results rounds (for tests)."""
    return list(
        db.session.execute(
            select(FeedbackRound.id).where(FeedbackRound.name.in_([LATEST, EARLIER]))
        ).scalars()
    )

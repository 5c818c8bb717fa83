"""Free-text comments per section and audience, and hiding one (DESIGN.md 6.6)."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import select

from app.extensions import db
from app.models import Comment, CommentPrompt, FeedbackRound, Questionnaire, Response
from app.services.frameworks import framework_of
from app.services.mix import shown
from app.services.results.availability import ensure_results
from app.services.results.query import respondent_counts
from surveys.suppression import comments_for_group


@dataclass(frozen=True, slots=True)
class VisibleComment:
    id: uuid.UUID
    section_id: str
    prompt: CommentPrompt
    text: str
    hidden: bool = False  # the stored flag while being read; always False once in a group


@dataclass(frozen=True, slots=True)
class CommentGroup:
    section_id: str
    audience: str
    label: str
    comments: list[VisibleComment]
    hidden_count: int  # hidden by a coordinator (a count, never which)
    suppressed: bool = False  # fewer than k respondents: no comment of theirs is shown
    # Only with include_hidden (for coordinators, to show one again); never for a small group.
    hidden: list[VisibleComment] = field(default_factory=list)

    def by_prompt(self, prompt: CommentPrompt) -> list[VisibleComment]:
        return [c for c in self.comments if c.prompt == prompt]


def visible_comments(
    rnd: FeedbackRound,
    audience: str | None = None,
    rng: random.Random | None = None,
    *,
    section_id: str | None = None,
    include_hidden: bool = False,
) -> list[CommentGroup]:
    """The comments that may be shown, per section and audience, in random order (DESIGN 6.6).

    An audience's comments appear only when it has k or more respondents. A smaller group's
    comments are shown nowhere, not even pooled with other groups': pooled comments would still be
    its words, and listing the other groups apart would single them out. Its group is returned
    with `suppressed` set and no comments, so pages can say why. Hidden comments are left out
    and only counted, unless `include_hidden` (coordinators' view) also lists them apart.
    `section_id` and `audience` narrow the result; `rng` seeds the shuffle (tests only: the
    default order cannot be replayed).
    """
    ensure_results(rnd)
    k = rnd.threshold
    framework = framework_of(rnd)
    cut = shown(rnd.id)  # released comments only, one release behind while live
    by_channel = respondent_counts(rnd.id, cut)
    respondents = {a: sum(c.values()) for a, c in by_channel.items()}
    asked: dict[str, set[str]] = defaultdict(set)
    section_order: list[str] = []
    for questionnaire in db.session.execute(
        select(Questionnaire).where(Questionnaire.round_id == rnd.id)
    ).scalars():
        for section in questionnaire.sections:
            if section.get("free_text"):
                asked[section["id"]].add(questionnaire.audience)
                if section["id"] not in section_order:
                    section_order.append(section["id"])
    query = (
        select(
            Comment.id,
            Comment.section_id,
            Comment.prompt,
            Comment.text,
            Comment.hidden,
            Response.audience,
        )
        .join(Response, Comment.response_id == Response.id)
        .where(Comment.round_id == rnd.id, cut.where(Response.release_batch))
        .order_by(Comment.id)  # random ids: no trace of submission order
    )
    if section_id is not None:
        query = query.where(Comment.section_id == section_id)
    comments: dict[str, dict[str, list[VisibleComment]]] = defaultdict(lambda: defaultdict(list))
    for cid, sid, prompt, text, hidden, aud in db.session.execute(query):
        comments[sid][aud].append(VisibleComment(cid, sid, CommentPrompt(prompt), text, hidden))
    if framework is not None:
        rank = {s.id: n for n, s in enumerate(framework.sections)}
        section_order.sort(key=lambda s: rank.get(s, len(rank)))
    sections = [s for s in section_order if section_id in (None, s)]
    sections += sorted(s for s in comments if s not in sections)

    order = {a: n for n, a in enumerate(rnd.groups)}
    groups: list[CommentGroup] = []
    for sid in sections:
        present = asked.get(sid, set()) | set(comments[sid])
        for aud in sorted(present, key=lambda a: (order.get(a, len(order)), a)):
            if audience not in (None, aud):
                continue
            label = framework.audience_label(aud) if framework else aud
            count = respondents.get(aud, 0)
            if count < k:
                # Never shown, not even mixed in with other groups' comments: the words
                # themselves could identify someone in a small group.
                groups.append(CommentGroup(sid, aud, label, [], 0, suppressed=count > 0))
                continue
            own = comments[sid].get(aud, [])
            chosen = comments_for_group(own, count, k, rng=rng)
            hidden = [c for c in own if c.hidden]
            groups.append(
                CommentGroup(
                    sid,
                    aud,
                    label,
                    [_for_display(c) for c in chosen],
                    len(hidden),
                    hidden=[_for_display(c) for c in hidden] if include_hidden else [],
                )
            )
    return groups


def _for_display(comment: VisibleComment) -> VisibleComment:
    return replace(comment, hidden=False)


def get_comment(rnd: FeedbackRound, comment_id: uuid.UUID) -> Comment | None:
    return db.session.execute(
        select(Comment).where(Comment.id == comment_id, Comment.round_id == rnd.id)
    ).scalar_one_or_none()


def hide_comment(rnd: FeedbackRound, comment_id: uuid.UUID, hidden: bool = True) -> Comment:
    """Hide a comment of this round from every page and export, or (hidden=False) show it
    again. Coordinators only; the text is never edited. LookupError if the round has no such
    comment."""
    comment = get_comment(rnd, comment_id)
    if comment is None:
        raise LookupError(comment_id)
    comment.hidden = hidden
    db.session.flush()
    return comment

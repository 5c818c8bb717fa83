"""Importing checked rows: one paper response per row, counted for the day, never twice by
accident (a keyed fingerprint of each batch recognises the same questionnaires uploaded again).

Imported responses have channel `paper` and count in results like any other (DESIGN.md 6.1: a
response holds round, audience, channel, language, role and answers; nothing ties it to who
typed it or when, beyond the per-day counter).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import insert, select

from app.dates import long_date
from app.extensions import db
from app.models import (
    Answer,
    Channel,
    Comment,
    CommentPrompt,
    FeedbackRound,
    PaperImport,
    Response,
    ResponseDayCount,
)
from app.services.documents.paper.errors import DuplicateBatch, PaperError
from app.services.documents.paper.live import ensure_live, questionnaire_for
from app.services.documents.paper.rows import PaperRow
from app.services.responding import insert_for_dialect


def fingerprint(secret: str, audience: str, rows: Sequence[PaperRow]) -> str:
    """A keyed digest of the rows' content, ignoring row numbers and order (a re-sorted or
    re-saved copy of a file is the same batch). Keyed, so the stored value reveals nothing."""
    canonical = sorted(
        json.dumps([sorted(r.answers.items()), r.role, sorted(r.comments)]) for r in rows
    )
    message = json.dumps([audience, canonical]).encode()
    return hmac.new(secret.encode(), b"paper-import\0" + message, hashlib.sha256).hexdigest()


def import_rows(
    rnd: FeedbackRound,
    audience: str,
    rows: Sequence[PaperRow],
    today: date,
    *,
    secret: str,
    audience_label: str = "",
    allow_duplicate: bool = False,
) -> int:
    """Insert one paper response per row (answers, comments) and count them for today.

    Raises DuplicateBatch, changing nothing, when the very same questionnaires were imported
    before, unless `allow_duplicate` (the coordinator confirmed they are different forms).
    """
    ensure_live(rnd)
    if questionnaire_for(rnd, audience) is None:
        raise PaperError("This round does not ask that audience.")
    if not rows:
        return 0
    digest = fingerprint(secret, audience, rows)
    earlier = db.session.execute(
        select(PaperImport).where(PaperImport.round_id == rnd.id, PaperImport.fingerprint == digest)
    ).scalar_one_or_none()
    if earlier is not None and not allow_duplicate:
        what = (
            "This questionnaire was" if len(rows) == 1 else f"These {len(rows)} questionnaires were"
        )
        when = long_date(earlier.imported_on)
        raise DuplicateBatch(
            f"{what} already imported for {audience_label or audience} on {when}, so nothing "
            "was imported this time. If they really are other paper questionnaires that happen "
            'to have the same answers, tick "Import them again" and upload the file again.'
        )
    if earlier is None:
        # Flushed first: of two simultaneous uploads of one batch, the second fails here.
        db.session.add(
            PaperImport(
                round_id=rnd.id,
                audience=audience,
                fingerprint=digest,
                questionnaires=len(rows),
                imported_on=today,
            )
        )
        db.session.flush()
    responses: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for row in rows:
        response_id = uuid.uuid4()
        responses.append(
            {
                "id": response_id,
                "round_id": rnd.id,
                "audience": audience,
                "channel": Channel.PAPER,
                "language": "en",
                "role": row.role,
            }
        )
        answers.extend(
            {"response_id": response_id, "item_id": uuid.UUID(item), "round_id": rnd.id, "value": v}
            for item, v in row.answers.items()
        )
        comments.extend(
            {
                "id": uuid.uuid4(),
                "round_id": rnd.id,
                "response_id": response_id,
                "section_id": section_id,
                "prompt": CommentPrompt(prompt),
                "text": text,
                "hidden": False,
            }
            for section_id, prompt, text in row.comments
        )
    db.session.execute(insert(Response), responses)
    for chunk in _chunks(answers, 5000):
        db.session.execute(insert(Answer), chunk)
    if comments:
        db.session.execute(insert(Comment), comments)
    _count_day(rnd.id, audience, today, len(rows))
    db.session.flush()
    return len(rows)


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _count_day(round_id: uuid.UUID, audience: str, day: date, n: int) -> None:
    """Add to today's paper count (an upsert, so two imports at once cannot collide)."""
    key = {"round_id": round_id, "audience": audience, "channel": Channel.PAPER.value, "day": day}
    statement = insert_for_dialect()(ResponseDayCount).values(**key, count=n)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={"count": ResponseDayCount.count + n}
        )
    )

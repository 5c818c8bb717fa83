"""The release step (DESIGN.md 6.3): sealed submissions become responses, shuffled, in batches.

One transaction per round, touching no invitation (so no response row shares a transaction id
with one): claim the round's counter row (it serialises releases of a round: on PostgreSQL
`FOR UPDATE SKIP LOCKED`, so a second worker moves on; on SQLite the first write takes the
database's one write lock), claim the waiting submissions (`FOR UPDATE SKIP LOCKED` again),
and for every audience with at least k of them, or every audience at all once the round has
stopped accepting answers, open them, write responses with fresh random ids in a random
order, their answers and comments, add the day's counts (the day of the release), then
delete the released inbox rows in one statement after all the inserts.

A worker killed at any point leaves either the whole release or none of it: the inbox rows
are deleted in the transaction that writes their responses.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, text, update

from app.dates import today
from app.extensions import db
from app.models import (
    Answer,
    Comment,
    FeedbackRound,
    LanguageCount,
    Organisation,
    QuestionAnswer,
    QuestionText,
    ReleaseCounter,
    Response,
    ResponseDayCount,
    SealedSubmission,
)
from app.services.mix.inbox import Sealed
from app.services.mix.keys import Openers, secrets
from app.services.responding.drafts import insert_for_dialect
from app.services.responding.window import still_accepting

log = logging.getLogger("chorus.mix")

_shuffle = random.SystemRandom().shuffle
# Bind parameters one statement may carry on SQLite (32,766): the inbox ids deleted at once.
SQLITE_CLAIM_LIMIT = 30_000
# Below this many rows, COPY's set-up costs more than it saves.
COPY_FROM = 2_000


@dataclass
class ReleaseReport:
    released: dict[str, int] = field(default_factory=dict)  # audience -> responses written
    waiting: dict[str, int] = field(default_factory=dict)  # audience -> still sealed
    busy: bool = False  # another worker was releasing this round
    unopened: int = 0  # sealed under a key no longer configured: left in the inbox
    claimed: int = 0

    @property
    def total(self) -> int:
        return sum(self.released.values())


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _lock_counter(round_id: uuid.UUID) -> int | None:
    """The round's batch count, locked for this transaction; None if another worker holds it."""
    db.session.execute(
        insert_for_dialect()(ReleaseCounter)
        .values(round_id=round_id, batches=0)
        .on_conflict_do_nothing(index_elements=[ReleaseCounter.round_id])
    )
    query = select(ReleaseCounter.batches).where(ReleaseCounter.round_id == round_id)
    if _postgres():
        query = query.with_for_update(skip_locked=True)
    return db.session.execute(query).scalar_one_or_none()


def round_today(round_id: uuid.UUID) -> date:
    """Today in the round's organisation's time zone."""
    name = db.session.execute(
        select(Organisation.time_zone)
        .join(FeedbackRound, FeedbackRound.organisation_id == Organisation.id)
        .where(FeedbackRound.id == round_id)
    ).scalar_one()
    return today(name)


def accepting(round_id: uuid.UUID, on: date | None = None) -> tuple[bool, int]:
    """Whether the round still takes answers (on `on`, else today in its organisation's time
    zone), and its threshold k.

    A round past its closing day still takes answers made before the close (queued on a
    device) until its grace period ends or its coordinator closes it, so its remainder is
    released, and its results final, only then (issue 18)."""
    row = db.session.execute(
        select(
            FeedbackRound.status,
            FeedbackRound.closes_on,
            FeedbackRound.grace_days,
            FeedbackRound.threshold,
            Organisation.time_zone,
        )
        .join(Organisation, Organisation.id == FeedbackRound.organisation_id)
        .where(FeedbackRound.id == round_id)
    ).one()
    day = on if on is not None else today(row.time_zone)
    return still_accepting(row.status, row.closes_on, int(row.grace_days), day), int(row.threshold)


def _claim(round_id: uuid.UUID) -> list[Any]:
    query = select(
        SealedSubmission.id, SealedSubmission.audience, SealedSubmission.ciphertext
    ).where(SealedSubmission.round_id == round_id)
    if _postgres():
        query = query.with_for_update(skip_locked=True)
    else:
        query = query.limit(SQLITE_CLAIM_LIMIT)
    return list(db.session.execute(query))


def _copy(table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL COPY into `table`, inside the session's transaction."""
    driver = db.session.connection().connection.driver_connection
    names = ", ".join(columns)
    cursor = driver.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _write(table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if _postgres() and len(rows) >= COPY_FROM:
        _copy(table, columns, rows)
        return
    db.session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def _count_days(round_id: uuid.UUID, counts: Counter[tuple[str, str]], on: date) -> None:
    for (audience, channel), n in sorted(counts.items()):
        key = {"round_id": round_id, "audience": audience, "channel": channel, "day": on}
        statement = insert_for_dialect()(ResponseDayCount).values(**key, count=n)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=list(key), set_={"count": ResponseDayCount.count + n}
            )
        )


def _count_languages(round_id: uuid.UUID, counts: Counter[tuple[str, str]]) -> None:
    """Added per release batch (each at least k, or the final remainder): never per response."""
    for (audience, language), n in sorted(counts.items()):
        key = {"round_id": round_id, "audience": audience, "language": language}
        statement = insert_for_dialect()(LanguageCount).values(**key, count=n)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=list(key), set_={"count": LanguageCount.count + n}
            )
        )


def release_round(
    round_id: uuid.UUID, *, on: date | None = None, everything: bool = False
) -> ReleaseReport:
    """Release what may be released in one round (flushes; the caller commits once).

    `everything` releases every audience however few wait, as when the round stops taking
    answers (the close passes it; the round's own state decides otherwise).
    """
    on = on if on is not None else round_today(round_id)
    report = ReleaseReport()
    batches = _lock_counter(round_id)
    if batches is None:
        report.busy = True
        return report
    still_open, k = accepting(round_id, on)
    still_open = still_open and not everything
    claimed = _claim(round_id)
    report.claimed = len(claimed)
    by_audience: dict[str, list[Any]] = defaultdict(list)
    for row in claimed:
        by_audience[row.audience].append(row)

    openers = Openers(secrets())
    releasing: list[tuple[str, list[tuple[uuid.UUID, Sealed]]]] = []
    for audience in sorted(by_audience):
        opened: list[tuple[uuid.UUID, Sealed]] = []
        for row in by_audience[audience]:
            plaintext = openers.open(round_id, audience, row.ciphertext)
            if plaintext is None:
                report.unopened += 1
                continue
            opened.append((row.id, Sealed.from_bytes(plaintext)))
        if opened and (len(opened) >= k or not still_open):
            releasing.append((audience, opened))
        else:
            report.waiting[audience] = len(by_audience[audience])
    if report.unopened:
        log.error(
            "%d sealed submissions of round %s open under no configured key "
            "(SECRET_KEY or SECRET_KEY_FALLBACKS): left in the inbox",
            report.unopened,
            round_id,
        )
    if not releasing:
        return report

    responses: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    comments: list[tuple[Any, ...]] = []
    chosen: list[tuple[Any, ...]] = []  # the round's own questions (issue 20)
    words: list[tuple[Any, ...]] = []
    days: Counter[tuple[str, str]] = Counter()
    languages: Counter[tuple[str, str]] = Counter()
    released_ids: list[uuid.UUID] = []
    for audience, opened in releasing:
        batches += 1
        _shuffle(opened)  # storage order within the batch: random, not submission order
        for inbox_id, sealed in opened:
            released_ids.append(inbox_id)
            response_id = uuid.uuid4()  # fresh: nothing leads back to the inbox row
            responses.append(
                (response_id, round_id, audience, sealed.channel.value, sealed.role, batches)
            )
            answers.extend(
                (response_id, uuid.UUID(item), round_id, value, batches)
                for item, value in sealed.answers
            )
            comments.extend(
                (uuid.uuid4(), round_id, response_id, section, prompt, body, False)
                for section, prompt, body in sealed.comments
            )
            for question, values, said in sealed.questions:
                question_id = uuid.UUID(question)
                chosen.extend(
                    (response_id, question_id, value, round_id, batches) for value in values
                )
                if said:
                    words.append((uuid.uuid4(), round_id, response_id, question_id, said, False))
            days[(audience, sealed.channel.value)] += 1
            if sealed.language:
                languages[(audience, sealed.language)] += 1
        report.released[audience] = len(opened)
    _shuffle(comments)
    _shuffle(words)

    _write(
        Response.__table__,
        ("id", "round_id", "audience", "channel", "role", "release_batch"),
        responses,
    )
    _write(
        Answer.__table__, ("response_id", "item_id", "round_id", "value", "release_batch"), answers
    )
    _write(
        Comment.__table__,
        ("id", "round_id", "response_id", "section_id", "prompt", "text", "hidden"),
        comments,
    )
    _write(
        QuestionAnswer.__table__,
        ("response_id", "question_id", "value", "round_id", "release_batch"),
        chosen,
    )
    _write(
        QuestionText.__table__,
        ("id", "round_id", "response_id", "question_id", "text", "hidden"),
        words,
    )
    _count_days(round_id, days, on)
    _count_languages(round_id, languages)
    # Last, and in one statement: the inbox rows go only once every response is written.
    if _postgres():
        db.session.execute(
            text("DELETE FROM sealed_submission WHERE id = ANY(:ids)"), {"ids": released_ids}
        )
    else:
        db.session.execute(delete(SealedSubmission).where(SealedSubmission.id.in_(released_ids)))
    db.session.execute(
        update(ReleaseCounter).where(ReleaseCounter.round_id == round_id).values(batches=batches)
    )
    db.session.flush()
    return report


def _due(round_id: uuid.UUID, on: date | None) -> bool:
    """Worth a release transaction: an audience has k waiting, or the round has stopped.

    Read without locks, so a worker's pass over rounds with too few waiting takes no write lock
    (on SQLite, the one lock submissions need too). The release itself decides again, locked.
    """
    still_open, k = accepting(round_id, on)
    if not still_open:
        return True
    rows = db.session.execute(
        select(func.count())
        .select_from(SealedSubmission)
        .where(SealedSubmission.round_id == round_id)
        .group_by(SealedSubmission.audience)
    ).scalars()
    return any(n >= k for n in rows)


def rounds_waiting(round_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    query = select(SealedSubmission.round_id).distinct()
    if round_id is not None:
        query = query.where(SealedSubmission.round_id == round_id)
    return list(db.session.execute(query).scalars())


def release_waiting(
    round_id: uuid.UUID | None = None, *, on: date | None = None, everything: bool = False
) -> int:
    """Release every round with sealed submissions (or one), committing per round.

    A round that no longer accepts answers is released to the last submission, even if that
    takes several passes (SQLite claims at most SQLITE_CLAIM_LIMIT at a time).
    """
    total = 0
    rounds = [rid for rid in rounds_waiting(round_id) if everything or _due(rid, on)]
    db.session.commit()
    for rid in rounds:
        while True:
            try:
                report = release_round(rid, on=on, everything=everything)
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            total += report.total
            if not report.total or report.claimed < SQLITE_CLAIM_LIMIT:
                break
    return total

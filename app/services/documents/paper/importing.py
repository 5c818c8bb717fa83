"""Importing checked rows: one sealed paper submission per row, never twice by accident (a
keyed fingerprint of each batch recognises the same questionnaires uploaded again).

Imported questionnaires go into the sealed inbox like any other submission (DESIGN.md 6.3) and
become responses with channel `paper` at the next release, counted for the day of that release;
nothing ties them to who typed them or when.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from app.dates import long_date
from app.extensions import db
from app.models import Channel, FeedbackRound, PaperImport
from app.services import mix
from app.services.documents.paper.errors import DuplicateBatch, PaperError
from app.services.documents.paper.live import ensure_live, questionnaire_for
from app.services.documents.paper.rows import PaperRow


def fingerprint(secret: str, audience: str, rows: Sequence[PaperRow]) -> str:
    """A keyed digest of the rows' content, ignoring row numbers and order (a re-sorted or
    re-saved copy of a file is the same batch). Keyed, so the stored value reveals nothing."""
    canonical = sorted(
        json.dumps([sorted(r.answers.items()), r.role, sorted(r.comments), *_own(r)]) for r in rows
    )
    message = json.dumps([audience, canonical]).encode()
    return hmac.new(secret.encode(), b"paper-import\0" + message, hashlib.sha256).hexdigest()


def _own(row: PaperRow) -> list[object]:
    """Rows with the round's own questions answered add them (older batches hash as before)."""
    return [sorted([q, list(v), t] for q, v, t in row.own)] if row.own else []


def import_rows(
    rnd: FeedbackRound,
    audience: str,
    rows: Sequence[PaperRow],
    today: date,
    *,
    secret: str,
    audience_label: str = "",
    allow_duplicate: bool = False,
    language: str = "",
) -> int:
    """Seal one paper submission per row (answers, comments) into the inbox.

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
    sealed = [
        mix.Sealed(
            channel=Channel.PAPER,
            role=row.role,
            answers=sorted(row.answers.items()),
            comments=list(row.comments),
            language=language,  # the paper version's language: counted at release only
            questions=list(row.own),
        )
        for row in rows
    ]
    mix.put(rnd.id, audience, sealed)
    db.session.flush()
    return len(rows)

"""The sealed inbox (DESIGN.md 6.3): completed questionnaires wait here, encrypted.

A row holds round, audience and the ciphertext, nothing else: no time, no invitation, no
submission id. Inside the ciphertext: channel, role, answers, comments and the answers to
the round's own questions, as compact JSON.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import Channel, SealedSubmission
from app.services import core_sql
from app.services.mix.keys import seal


@dataclass(frozen=True, slots=True)
class Sealed:
    """What a submission carries into the response tables (the plaintext of one inbox row)."""

    channel: Channel
    role: str | None
    answers: Sequence[tuple[str, str]]  # (item id, answer code)
    comments: Sequence[tuple[str, str, str]]  # (section id, prompt code, text)
    language: str = ""  # the interface language answered in: counted at release, never stored
    # The coordinator's own questions (issue 20): (question id, chosen values, words), the
    # words of a free-text answer or an "other, please say" released as comments are.
    questions: Sequence[tuple[str, Sequence[str], str]] = ()

    def to_bytes(self) -> bytes:
        payload: dict[str, object] = {
            "c": self.channel.value,
            "r": self.role,
            "a": [list(a) for a in self.answers],
            "t": [list(c) for c in self.comments],
            "l": self.language,
        }
        if self.questions:
            payload["x"] = [[q, list(values), words] for q, values, words in self.questions]
        return json.dumps(payload, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, plaintext: bytes) -> Sealed:
        payload = json.loads(plaintext)
        return cls(
            channel=Channel(payload["c"]),
            role=payload["r"],
            answers=[(a[0], a[1]) for a in payload["a"]],
            comments=[(c[0], c[1], c[2]) for c in payload["t"]],
            language=str(payload.get("l") or ""),  # sealed before languages: none
            questions=[(q[0], tuple(q[1]), q[2]) for q in payload.get("x", ())],
        )


def seal_row(round_id: uuid.UUID, audience: str, sealed: Sealed) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "round_id": round_id,
        "audience": audience,
        "ciphertext": seal(round_id, audience, sealed.to_bytes()),
    }


_PUT = insert(core_sql.table(SealedSubmission))  # every send runs it: past the ORM


def put(round_id: uuid.UUID, audience: str, submissions: Sequence[Sealed]) -> None:
    """Seal submissions into the inbox (flushes nothing more; the caller commits)."""
    if submissions:
        core_sql.execute(_PUT, [seal_row(round_id, audience, s) for s in submissions])


def waiting_counts(round_id: uuid.UUID) -> dict[str, int]:
    """audience -> sealed submissions not yet released (for the dashboard's plain words)."""
    rows = db.session.execute(
        select(SealedSubmission.audience, func.count())
        .where(SealedSubmission.round_id == round_id)
        .group_by(SealedSubmission.audience)
    )
    return {audience: count for audience, count in rows}

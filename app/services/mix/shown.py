"""What readers may see of a round's responses: released ones, and while live one release less.

While a round is live, or has stopped but still has sealed submissions waiting, each audience
is shown as it stood one release earlier: the responses of its latest batch are left out. So
between any two views, the last live view and the final results included, an audience that
changes changes by a whole batch (at least k people), never by the one person who just
answered, and the final release of a small remainder comes with a whole batch beside it.
Once the round no longer accepts answers and its inbox is empty, everything is shown.
Batch 0 (responses written before the mix, and synthetic demo rows) is never held back.
See docs/anonymity.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models import Response, SealedSubmission
from app.services.mix.release import accepting


@dataclass(frozen=True, slots=True)
class Shown:
    """The release batches held back from readers of one round (empty: nothing held back)."""

    held_back: frozenset[int]

    def where(
        self, batch_column: ColumnElement[int] | InstrumentedAttribute[int]
    ) -> ColumnElement[bool]:
        """A filter for any table with a release_batch column (response, answer)."""
        if not self.held_back:
            return true()
        return batch_column.not_in(sorted(self.held_back))

    @property
    def live(self) -> bool:
        return bool(self.held_back)


def is_final(round_id: uuid.UUID) -> bool:
    """The round takes no more answers and nothing of it waits in the inbox."""
    still_open, _ = accepting(round_id)  # today in the round's organisation
    if still_open:
        return False
    waiting = db.session.execute(
        select(SealedSubmission.id).where(SealedSubmission.round_id == round_id).limit(1)
    ).first()
    return waiting is None


def shown(round_id: uuid.UUID) -> Shown:
    """Which batches readers of this round leave out right now."""
    if is_final(round_id):
        return Shown(frozenset())
    latest = db.session.execute(
        select(func.max(Response.release_batch))
        .where(Response.round_id == round_id)
        .group_by(Response.audience)
    ).scalars()
    return Shown(frozenset(b for b in latest if b))

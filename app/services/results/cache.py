"""`round_results`, the one entry point for a round's figures; closed rounds come from memory.

Results freeze at close: a closed round takes no responses, so its results are computed once per
process and then served from memory.
"""

from __future__ import annotations

import pickle
import uuid
from datetime import datetime

from app.models import FeedbackRound, RoundStatus
from app.services.bounded_cache import BoundedCache
from app.services.mix import is_final
from app.services.results.assemble import compute_results
from app.services.results.availability import ensure_results
from app.services.results.figures import RoundResults

# Closed rounds' results never change (no response is accepted after close), so each process
# keeps the latest few, pickled: a copy per caller, so nobody can alter another's figures.
FROZEN_CACHE_SIZE = 64
_frozen: BoundedCache[tuple[uuid.UUID, datetime | None, int], bytes] = BoundedCache(
    FROZEN_CACHE_SIZE
)


def round_results(rnd: FeedbackRound) -> RoundResults:
    """Everything the results pages, exports and CLI show for one round, threshold applied.

    A live round is counted afresh on every call; a closed round is counted once per process
    and then served from memory, because its results are frozen.
    """
    ensure_results(rnd)
    if rnd.status != RoundStatus.CLOSED or not is_final(rnd.id):
        return compute_results(rnd)  # live, or sealed submissions still to be released
    # SQLite reads the time back without its zone: compare the UTC wall time either way.
    closed_at = rnd.closed_at.replace(tzinfo=None) if rnd.closed_at else None
    key = (rnd.id, closed_at, rnd.threshold)
    stored = _frozen.get(key)
    if stored is not None:
        return pickle.loads(stored)
    results = compute_results(rnd)
    _frozen.put(key, pickle.dumps(results))
    return results

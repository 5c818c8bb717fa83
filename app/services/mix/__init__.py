"""The mix (DESIGN.md 6.3): a sealed inbox, a shuffled release in batches of at least k, and
the rule readers follow while a round is live (one release behind). See docs/anonymity.md."""

from app.services.mix.inbox import Sealed, put, waiting_counts
from app.services.mix.keys import current_spent_digest, has_old_keys, spent_digests
from app.services.mix.release import ReleaseReport, release_round, release_waiting
from app.services.mix.shown import Shown, is_final, shown

__all__ = [
    "ReleaseReport",
    "Sealed",
    "Shown",
    "current_spent_digest",
    "has_old_keys",
    "is_final",
    "put",
    "release_round",
    "release_waiting",
    "shown",
    "spent_digests",
    "waiting_counts",
]

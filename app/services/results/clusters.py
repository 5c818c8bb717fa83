"""Each indicator roll-up's answers counted per respondent, for its clustered interval.

An indicator's figure pools several statements answered by the same people, so its interval
treats respondents as clusters (DESIGN.md 7, `surveys.statistics.Clusters`). That needs each
person's favourable and valid answers per roll-up: `query.respondent_tallies`, a grouped query
that reads every answer of the round (on 1,000,000 answers it costs a few times the item
counts themselves). Per-respondent counts change only when the answers shown change, and then
the item counts change too, so each process keeps the latest tallies keyed by the round, the
item counts and the items pooled: a page load that shows the same answers reuses them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from app.services.bounded_cache import BoundedCache
from app.services.mix import Shown
from app.services.results.query import respondent_tallies
from surveys.scales import Scale
from surveys.statistics import Clusters, ItemResult, RollupKey

CACHE_SIZE = 64  # rounds; a few hundred small numbers each
_Key = tuple[uuid.UUID, tuple[object, ...], tuple[tuple[uuid.UUID, int], ...]]
_cache: BoundedCache[_Key, dict[RollupKey, Clusters]] = BoundedCache(CACHE_SIZE)


def rollup_clusters(
    round_id: uuid.UUID,
    shown_items: Iterable[ItemResult],
    counts: dict[uuid.UUID, dict[str, int]],
    cut: Shown | None = None,
) -> dict[RollupKey, Clusters]:
    """RollupKey -> Clusters over exactly the items the roll-ups pool (the shown ones).

    `counts` are the item counts the figures were built from (`query.answer_counts`): they
    identify the answers shown, so they key the cache.
    """
    numbers: dict[RollupKey, int] = {}
    groups: dict[uuid.UUID, tuple[int, Scale]] = {}
    for item in shown_items:
        scale = item.distribution.scale
        key = RollupKey(item.indicator, item.audience, scale.pooled_group)
        number = numbers.setdefault(key, len(numbers))
        groups[uuid.UUID(item.item_id)] = (number, scale)
    fingerprint = tuple(
        sorted((item_id, tuple(sorted(values.items()))) for item_id, values in counts.items())
    )
    cache_key: _Key = (
        round_id,
        fingerprint,
        tuple(sorted((item_id, number) for item_id, (number, _) in groups.items())),
    )
    cached = _cache.get(cache_key)
    if cached is not None:
        return dict(cached)
    tallies = respondent_tallies(round_id, groups, cut)
    found = {key: Clusters.tally(tallies.get(n, {}).items()) for key, n in numbers.items()}
    _cache.put(cache_key, found)
    return dict(found)


def clear_cache() -> None:
    """Forget every round's tallies (tests that rewrite answers in place use it)."""
    _cache.clear()

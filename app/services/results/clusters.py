"""Each indicator roll-up's answers counted per respondent, for its clustered interval.

An indicator's figure pools several statements answered by the same people, so its interval
treats respondents as clusters (DESIGN.md 7, `surveys.statistics.Clusters`). That needs each
person's favourable and valid answers per roll-up: `query.respondent_tallies`, a grouped query
by response that on 1,000,000 answers costs many times the item counts themselves.

Responses arrive only in release batches (app/services/mix), a released batch never changes,
and a respondent is in one batch, so for fixed roll-ups a round's tallies are the sum of its
batches' tallies. Each process therefore keeps:

- per batch: (round, batch, responses in it, items pooled) -> its tallies. The response count
  is in the key because batch 0 (answers from before the mix, synthetic demo rows) can still
  grow; a deleted round takes its id with it, and nothing else deletes answers;
- per round: the running sum over the batches it covers, so a view after one more release
  counts only the batch it newly shows and adds it, instead of summing every batch again.

Every result is checked against the item counts it sits beside (the favourable and valid
answers of each roll-up must add up the same); if they ever disagree (answers rewritten in
place), the round's tallies are counted again from scratch.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.services.bounded_cache import BoundedCache
from app.services.mix import Shown, shown
from app.services.results.query import batch_sizes, respondent_tallies
from surveys.scales import Scale
from surveys.statistics import Clusters, ItemResult, RollupKey

Tallies = dict[int, Counter[tuple[int, int]]]  # group number -> {(f, v): respondents}
_Signature = tuple[tuple[uuid.UUID, int], ...]  # item id -> group number, sorted
_Batch = tuple[int, int]  # (release batch, responses in it)


@dataclass(frozen=True, slots=True)
class _Total:
    covered: frozenset[_Batch]
    tallies: Tallies


# A batch's entry is a few hundred small numbers; a round with more batches than this still
# gets its running sum, and recounts only once that is lost too.
BATCH_CACHE_SIZE = 1024
TOTAL_CACHE_SIZE = 64  # rounds (times the sets of items pooled)
_batches: BoundedCache[tuple[uuid.UUID, int, int, _Signature], Tallies] = BoundedCache(
    BATCH_CACHE_SIZE
)
_totals: BoundedCache[tuple[uuid.UUID, _Signature], _Total] = BoundedCache(TOTAL_CACHE_SIZE)


def rollup_clusters(
    round_id: uuid.UUID,
    shown_items: Iterable[ItemResult],
    counts: dict[uuid.UUID, dict[str, int]],
    cut: Shown | None = None,
) -> dict[RollupKey, Clusters]:
    """RollupKey -> Clusters over exactly the items the roll-ups pool (the shown ones).

    `counts` are the item counts the figures were built from (`query.answer_counts`, same
    cut): the tallies must add up to them.
    """
    cut = cut or shown(round_id)
    numbers: dict[RollupKey, int] = {}
    groups: dict[uuid.UUID, tuple[int, Scale]] = {}
    for item in shown_items:
        scale = item.distribution.scale
        key = RollupKey(item.indicator, item.audience, scale.pooled_group)
        number = numbers.setdefault(key, len(numbers))
        groups[uuid.UUID(item.item_id)] = (number, scale)
    if not groups:
        return {}
    signature: _Signature = tuple(sorted((item_id, n) for item_id, (n, _) in groups.items()))
    wanted = frozenset(
        (batch, size) for batch, size in batch_sizes(round_id).items() if batch not in cut.held_back
    )
    tallies = _summed(round_id, groups, signature, wanted, cut)
    if not _agrees(tallies, groups, counts):
        forget(round_id)
        tallies = _summed(round_id, groups, signature, wanted, cut)
    return {key: Clusters.tally(tallies.get(n, {}).items()) for key, n in numbers.items()}


def _summed(
    round_id: uuid.UUID,
    groups: Mapping[uuid.UUID, tuple[int, Scale]],
    signature: _Signature,
    wanted: frozenset[_Batch],
    cut: Shown,
) -> Tallies:
    """The tallies over the `wanted` batches: the running sum plus the batches it lacks, each
    from memory or, all missing ones together, from one query."""
    total = _totals.get((round_id, signature))
    if total is not None and total.covered <= wanted:
        base, todo = total.tallies, wanted - total.covered
        if not todo:
            return base
    else:
        base, todo = {}, wanted
    parts: list[Tallies] = []
    missing: dict[int, int] = {}
    for batch, size in todo:
        found = _batches.get((round_id, batch, size, signature))
        if found is None:
            missing[batch] = size
        else:
            parts.append(found)
    if missing:
        # Nothing counted yet: every shown batch at once, by one pass over the answers.
        everything = len(missing) == len(wanted)
        counted = respondent_tallies(round_id, groups, cut, None if everything else missing)
        for batch, size in missing.items():
            found = counted.get(batch, {})
            _batches.put((round_id, batch, size, signature), found)
            parts.append(found)
    summed: Tallies = {number: Counter(pairs) for number, pairs in base.items()}
    for part in parts:
        for number, pairs in part.items():
            summed.setdefault(number, Counter()).update(pairs)
    _totals.put((round_id, signature), _Total(wanted, summed))
    return summed


def _agrees(
    tallies: Tallies,
    groups: Mapping[uuid.UUID, tuple[int, Scale]],
    counts: Mapping[uuid.UUID, Mapping[str, int]],
) -> bool:
    """Each group's favourable and valid answers, summed over respondents, equal the item
    counts of its items."""
    expected: dict[int, list[int]] = {}
    for item_id, (number, scale) in groups.items():
        values = counts.get(item_id, {})
        sums = expected.setdefault(number, [0, 0])
        sums[0] += sum(values.get(code, 0) for code in scale.favourable_codes)
        sums[1] += sum(values.get(code, 0) for code in scale.substantive_codes)
    for number, (favourable, valid) in expected.items():
        pairs = tallies.get(number, Counter())
        if sum(f * n for (f, _), n in pairs.items()) != favourable:
            return False
        if sum(v * n for (_, v), n in pairs.items()) != valid:
            return False
    return True


def forget(round_id: uuid.UUID) -> None:
    """Drop one round's tallies from this process."""
    _batches.discard(lambda key: key[0] == round_id)
    _totals.discard(lambda key: key[0] == round_id)


def cached_batches(round_id: uuid.UUID) -> set[int]:
    """The batches of a round this process holds tallies of (for tests and benchmarks)."""
    return {key[1] for key in _batches.snapshot_keys() if key[0] == round_id}


def clear_cache() -> None:
    """Forget every round's tallies (tests that rewrite answers in place use it)."""
    _batches.clear()
    _totals.clear()

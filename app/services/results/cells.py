"""One cell's figures, or the notice a hidden cell shows instead of them."""

from __future__ import annotations

import logging
import uuid

from app.services.results.figures import Cell, CellStatus
from surveys import evidence as wording
from surveys.scales import Scale
from surveys.statistics import Distribution, Interval

log = logging.getLogger("chorus.results")


def item_distribution(scale: Scale, counts: dict[str, int], item_id: uuid.UUID) -> Distribution:
    known = {code: n for code, n in counts.items() if code in scale.codes}
    if len(known) != len(counts):
        # The respondent journey validates codes; a stray one means data was edited by hand.
        log.warning("item %s: answers outside scale %s ignored", item_id, scale.id)
    return Distribution(scale, known)


def notice(status: CellStatus, k: int) -> str:
    """What a hidden group reads instead of figures; "" when shown."""
    if status == CellStatus.SUPPRESSED:
        return wording.suppressed(k).sentence
    if status == CellStatus.EMPTY:
        return "No responses"
    return ""


def hidden_cell(status: CellStatus, k: int, phrase: str, scale_id: str | None) -> Cell:
    zero = 0 if status == CellStatus.EMPTY else None
    text = f"No responses from {phrase}." if status == CellStatus.EMPTY else notice(status, k)
    return Cell(
        status=status,
        respondents=zero,
        people=zero,
        base=zero,
        favourable=zero,
        dont_know=zero,
        percent=None,
        ci_low=None,
        ci_high=None,
        word=None,
        evidence=text,
        scale_id=scale_id,
    )


def shown_cell(
    distribution: Distribution,
    respondents: int,
    text: wording.Evidence,
    scale_id: str,
    *,
    interval: Interval | None,
    people: int,
) -> Cell:
    """A shown figure. `interval` is the caller's to choose: plain Wilson for an item, the
    clustered interval for an indicator's roll-up (respondents as clusters, DESIGN 7)."""
    return Cell(
        status=CellStatus.SHOWN,
        respondents=respondents,
        people=people,
        base=distribution.base,
        favourable=distribution.favourable,
        dont_know=distribution.dont_know,
        percent=distribution.percent_favourable,
        ci_low=None if interval is None else interval[0] * 100,
        ci_high=None if interval is None else interval[1] * 100,
        word=distribution.quantity_word,
        evidence=text.sentence,
        dont_know_text=text.dont_know,
        scale_id=scale_id,
    )

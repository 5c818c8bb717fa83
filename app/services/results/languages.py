"""Languages answered in, per audience, in the final results only (issue 17, DESIGN.md 6.1 and
6.6): counted at release, never on a response; shown only where every language group shown
has at least k, with complementary suppression so no hidden group can be worked out, and none
of an audience's languages where a hidden one could still be pinned down (`surveys.pinning`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.i18n import LANGUAGES
from app.models import LanguageCount
from app.services.mix.shown import is_final
from surveys.pinning import guarded_counts
from surveys.suppression import SuppressedCounts

NOT_RECORDED = "none"  # paper questionnaires and answers sent before languages were counted


@dataclass(frozen=True)
class AudienceLanguages:
    audience: str
    label: str
    counts: SuppressedCounts


def language_mix(
    round_id: uuid.UUID, languages: Sequence[str], audiences: Sequence[Any], k: int
) -> tuple[list[str], list[AudienceLanguages]] | None:
    """(language columns, one row per audience shown) or None when not to be shown: the round
    offers one language, or it is not final (a breakdown within an audience would difference)."""
    if len([c for c in languages if c in LANGUAGES]) < 2 or not is_final(round_id):
        return None
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for audience, language, count in db.session.execute(
        select(LanguageCount.audience, LanguageCount.language, LanguageCount.count).where(
            LanguageCount.round_id == round_id
        )
    ):
        counted[audience][language] = count
    columns = [c for c in languages if c in LANGUAGES]
    rows: list[AudienceLanguages] = []
    for a in audiences:
        if a.respondents is None or a.respondents < k:  # the audience itself is not shown
            continue
        counts = {code: counted[a.audience].get(code, 0) for code in columns}
        rest = a.respondents - sum(counts.values())
        if rest > 0:
            counts[NOT_RECORDED] = rest
        # Where the rules would still give a hidden language away, no language is shown.
        rows.append(AudienceLanguages(a.audience, a.label, guarded_counts(counts, k)[0]))
    if any(NOT_RECORDED in r.counts.shown for r in rows):
        columns.append(NOT_RECORDED)
    return columns, rows

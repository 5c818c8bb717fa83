"""Results per indicator: the ONE code path for pages, exports, evidence import and the CLI.

DESIGN.md 6.5-6.7 and 7. One grouped query per round counts answers by item and value (served by
the covering index ix_answer_round_item_value); two small grouped queries count respondents and
invitations per audience. Everything else is assembled in memory with the pure modules:
`surveys.statistics` (distributions, Wilson intervals, quantity words, roll-ups, disparities,
Newcombe), `surveys.suppression` (threshold k with complementary suppression) and
`surveys.evidence` / `surveys.findings` (sentences). No Python loop ever touches one answer.

Anonymity is decided once per round, here, so no caller can get it wrong: a cell that may not be
shown carries None in every figure and only a notice ("Fewer than 5 responses").

Results freeze at close: a closed round takes no responses, so its results are computed once per
process and then served from memory.

The modules, in the order the figures flow:
- `query`: the grouped counts and the items asked;
- `visibility`: which audiences may show figures;
- `cells`, `audiences`, `indicators`, `assemble`: one round's figures, cells and roll-ups;
- `cache`: `round_results`, with closed rounds served from memory;
- `availability`: which rounds have results; `comments`, `compare`, `closing`.
Import from this package, not from the modules: they may move.
"""

from app.services.frameworks import framework_of
from app.services.results.availability import (
    RESULT_STATUSES,
    ResultsUnavailable,
    earlier_rounds,
    ensure_results,
    rounds_with_results,
    total_respondents_shown,
)
from app.services.results.cache import FROZEN_CACHE_SIZE, round_results
from app.services.results.cells import log
from app.services.results.closing import CloseError, close_round
from app.services.results.comments import (
    CommentGroup,
    VisibleComment,
    get_comment,
    hide_comment,
    visible_comments,
)
from app.services.results.compare import ItemComparison, RoundComparison, compare_rounds
from app.services.results.figures import (
    AudienceSummary,
    Cell,
    CellStatus,
    Column,
    IndicatorResult,
    ItemResult,
    RoundResults,
)
from app.services.results.own_questions import (
    OwnCell,
    OwnQuestionResult,
    OwnTextGroup,
    hide_own_text,
    own_texts,
)
from app.services.results.query import answer_counts, invitation_counts, respondent_counts
from app.services.results.visibility import AudienceVisibility, audience_visibility

__all__ = [
    "FROZEN_CACHE_SIZE",
    "RESULT_STATUSES",
    "AudienceSummary",
    "AudienceVisibility",
    "Cell",
    "CellStatus",
    "CloseError",
    "Column",
    "CommentGroup",
    "IndicatorResult",
    "ItemComparison",
    "ItemResult",
    "OwnCell",
    "OwnQuestionResult",
    "OwnTextGroup",
    "ResultsUnavailable",
    "RoundComparison",
    "RoundResults",
    "VisibleComment",
    "answer_counts",
    "audience_visibility",
    "close_round",
    "compare_rounds",
    "earlier_rounds",
    "ensure_results",
    "framework_of",
    "get_comment",
    "hide_comment",
    "hide_own_text",
    "invitation_counts",
    "log",
    "own_texts",
    "respondent_counts",
    "round_results",
    "rounds_with_results",
    "total_respondents_shown",
    "visible_comments",
]

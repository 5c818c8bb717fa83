"""Existing feedback as evidence (issue 22): the aggregated results of a survey run elsewhere.

A file holds one row per statement and group, with either a count per answer option
("count: Strongly agree", ...) or favourable / valid / don't know counts, and the survey's name,
dates and method. This module reads such rows (already split into cells by the caller), checks
every rule with errors by row and column, suggests an indicator per statement and a place per
answer option, and works out the figures a group may show.

The rules the figures follow are DESIGN.md 6.5 and 7, applied to counts we did not collect:
- Percent favourable = favourable / valid (answers other than Don't know), Don't know beside it.
- A group that fewer than k people answered is kept out (its counts are never stored); when one
  group of a statement is the exact sum of the others (an "All staff" row), it is a total and
  complementary suppression applies, so no small group can be found by subtraction.
- The interval is Wilson's on the statement's valid count. Aggregated counts cannot give the
  clustered interval of a pooled indicator (we do not know who gave which answers), so an
  indicator with several external statements shows them one by one, never pooled.

No Flask, no SQL.
"""

from surveys.external.figures import (
    GroupFigures,
    GroupResult,
    StatementFigures,
    group_phrase,
    group_result,
    percent_fraction,
    sentence,
    statement_figures,
)
from surveys.external.mapping import (
    PLACE_LABELS,
    PLACES,
    IndicatorWords,
    Place,
    check_scale,
    scale_words,
    suggest_indicator,
    suggest_place,
    words_of,
)
from surveys.external.rows import (
    COLUMNS,
    COUNT_PREFIX,
    REQUIRED,
    TEMPLATE_EXAMPLE,
    TEMPLATE_HEADER,
    CellError,
    ExternalFileError,
    SurveyFile,
    SurveyRow,
    cell_text,
    check_indicators,
    read_rows,
)

__all__ = [
    "COLUMNS",
    "COUNT_PREFIX",
    "PLACES",
    "PLACE_LABELS",
    "REQUIRED",
    "TEMPLATE_EXAMPLE",
    "TEMPLATE_HEADER",
    "CellError",
    "ExternalFileError",
    "GroupFigures",
    "GroupResult",
    "IndicatorWords",
    "Place",
    "StatementFigures",
    "SurveyFile",
    "SurveyRow",
    "cell_text",
    "check_indicators",
    "check_scale",
    "group_phrase",
    "group_result",
    "percent_fraction",
    "read_rows",
    "scale_words",
    "sentence",
    "statement_figures",
    "suggest_indicator",
    "suggest_place",
    "words_of",
]

"""Paper questionnaires: an Excel entry template per audience, and importing what was typed in.

The template has an Instructions sheet, an Entry sheet (one row per paper questionnaire, one
column per item, drop-down lists of each item's answers), a hidden Answers sheet holding those
lists, and a hidden Chorus sheet naming the round, the audience and the item behind each column,
so a template from another round, or one whose columns were moved, is recognised.

Importing checks the whole file first. File-level problems (not an xlsx, too big, another
round, a renamed sheet, changed columns, no questionnaires) reject it outright; cell problems
are reported by row and column, and nothing is imported unless every row is valid or the
coordinator asked for the valid rows alone. Imported responses have channel `paper` and count in
results like any other (DESIGN.md 6.1: a response holds round, audience, channel, language,
role and answers; nothing ties it to who typed it or when, beyond the per-day counter).

The modules: `layout` (sheets and columns), `template` (writing it), `check` (the file as a
whole) and `rows` (each row), `importing`, `live` (which rounds take paper), `errors`, `text`.
The upload limits are read from `check` when they apply: patch them there, not here.
"""

from app.services.documents.paper.check import (
    EXTRA_COLUMNS_CHECKED,
    MAX_QUESTIONNAIRES,
    MAX_SHEET_ROWS,
    MAX_UPLOAD_BYTES,
    check_upload,
)
from app.services.documents.paper.errors import DuplicateBatch, PaperError
from app.services.documents.paper.importing import fingerprint, import_rows
from app.services.documents.paper.layout import (
    COMMENT,
    ENTRY_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INFO_SHEET,
    INSTRUCTIONS_SHEET,
    ITEM,
    LISTS_SHEET,
    REFERENCE,
    ROLE,
    TEMPLATE_FORMAT,
    TEMPLATE_MARKER,
    EntryColumn,
    entry_columns,
)
from app.services.documents.paper.live import ensure_live, questionnaire_for
from app.services.documents.paper.rows import PaperCheck, PaperRow, RowError
from app.services.documents.paper.template import VALIDATED_ROWS, build_template

__all__ = [
    "COMMENT",
    "ENTRY_SHEET",
    "EXTRA_COLUMNS_CHECKED",
    "FIRST_DATA_ROW",
    "HEADER_ROW",
    "INFO_SHEET",
    "INSTRUCTIONS_SHEET",
    "ITEM",
    "LISTS_SHEET",
    "MAX_QUESTIONNAIRES",
    "MAX_SHEET_ROWS",
    "MAX_UPLOAD_BYTES",
    "REFERENCE",
    "ROLE",
    "TEMPLATE_FORMAT",
    "TEMPLATE_MARKER",
    "VALIDATED_ROWS",
    "DuplicateBatch",
    "EntryColumn",
    "PaperCheck",
    "PaperError",
    "PaperRow",
    "RowError",
    "build_template",
    "check_upload",
    "ensure_live",
    "entry_columns",
    "fingerprint",
    "import_rows",
    "questionnaire_for",
]

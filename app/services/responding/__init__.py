"""The respondent journey's rules: who may answer, what each page asks, what counts as an answer.

Views pass form data in and get plain results back; nothing here reads the request or cookies.

Where answers live while someone is answering (DESIGN.md 6.4): in the browser, as a `Progress`
the view signs into a cookie, keyed by each item's *position* in the frozen questionnaire (a
frozen questionnaire never changes, so positions are stable and far shorter than item ids). The
only server-side copy is an explicit "save and continue later" draft, encrypted under the
invitation token (`save_draft`), found by an HMAC of it and deleted on submit.

The modules, in the order a respondent meets them:
- `window`: today and the round's answering window; `refusals`: why someone cannot go on;
- `entry`: invitation tokens and open-link codes to a questionnaire;
- `shape`: a questionnaire as pages; `survey`: the shape plus the round's facts (cached);
- `progress`: the answers so far; `page_form`: reading one page of the form;
- `check`: the check page's rows; `drafts`: save and continue later.
Import from this package, not from the modules: they may move.
"""

from app.dates import long_date, today
from app.services.responding.check import CheckGroup, CheckRow, check_rows, scales_of
from app.services.responding.drafts import (
    delete_draft,
    discard_drafts,
    insert_for_dialect,
    load_draft,
    newer,
    save_draft,
)
from app.services.responding.entry import (
    MAX_CODE_LENGTH,
    MAX_TOKEN_LENGTH,
    Entry,
    enter_by_code,
    enter_by_token,
    enter_kiosk,
)
from app.services.responding.page_form import (
    FormLike,
    NotAsked,
    PageInput,
    TamperedForm,
    clean_text,
    errors_for_progress,
    read_page,
    values_for,
)
from app.services.responding.progress import Progress
from app.services.responding.refusals import Refusal, unknown_link, window_refusal
from app.services.responding.shape import (
    EASY_PROMPTS,
    FREE_TEXT_MAX,
    FreeTextBox,
    ItemView,
    Page,
    Shape,
    audience_label,
    build_shape,
)
from app.services.responding.survey import Survey, clear_shape_cache, load_survey, survey_from
from app.services.responding.window import (
    Window,
    grace_ends_on,
    in_grace,
    round_window,
    still_accepting,
)

__all__ = [
    "EASY_PROMPTS",
    "FREE_TEXT_MAX",
    "MAX_CODE_LENGTH",
    "MAX_TOKEN_LENGTH",
    "CheckGroup",
    "CheckRow",
    "Entry",
    "FormLike",
    "FreeTextBox",
    "ItemView",
    "NotAsked",
    "Page",
    "PageInput",
    "Progress",
    "Refusal",
    "Shape",
    "Survey",
    "TamperedForm",
    "Window",
    "audience_label",
    "build_shape",
    "check_rows",
    "clean_text",
    "clear_shape_cache",
    "delete_draft",
    "discard_drafts",
    "enter_by_code",
    "enter_by_token",
    "enter_kiosk",
    "errors_for_progress",
    "grace_ends_on",
    "in_grace",
    "insert_for_dialect",
    "load_draft",
    "load_survey",
    "long_date",
    "newer",
    "read_page",
    "round_window",
    "save_draft",
    "scales_of",
    "still_accepting",
    "survey_from",
    "today",
    "unknown_link",
    "values_for",
    "window_refusal",
]

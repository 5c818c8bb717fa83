"""What a paper template looks like: its sheets, its rows, and the columns of an audience's
questionnaire (a reference, one column per item, the role, then the free-text questions)."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from app.models import Questionnaire
from app.services.documents.paper.text import normal
from surveys.questionnaire import FREE_TEXT_PROMPTS
from surveys.scales import get_scale

TEMPLATE_FORMAT = 1
TEMPLATE_MARKER = "chorus-paper-template"
INSTRUCTIONS_SHEET = "Instructions"
ENTRY_SHEET = "Entry"
LISTS_SHEET = "Answers"
INFO_SHEET = "Chorus"

HEADER_ROW = 1
FIRST_DATA_ROW = 2

REFERENCE = "reference"
ITEM = "item"
ROLE = "role"
COMMENT = "comment"


@dataclass(frozen=True, slots=True)
class EntryColumn:
    """One column of the Entry sheet, and the answers it takes."""

    letter: str
    kind: str  # reference | item | role | comment
    key: str  # item id, "role", or "section_id/prompt_code"
    header: str
    options: tuple[tuple[str, str], ...] = ()  # (code, label) for items and the role

    def match(self, text: str) -> str | None:
        """The code whose label `text` is (case, spacing and curly apostrophes forgiven)."""
        wanted = normal(text)
        for code, label in self.options:
            if normal(label) == wanted:
                return code
        return None

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.options]


def entry_columns(questionnaire: Questionnaire) -> list[EntryColumn]:
    """Reference, one column per item (in questionnaire order), the role, then free text."""
    columns: list[tuple[str, str, str, tuple[tuple[str, str], ...]]] = [
        (REFERENCE, "", "Paper reference (optional, not imported)", ())
    ]
    for n, item in enumerate(questionnaire.items, start=1):
        scale = get_scale(item.scale_id)
        options = tuple((o.code, o.label) for o in scale.options)
        columns.append((ITEM, str(item.id), f"Q{n}. {item.statement}", options))
    role = questionnaire.role_question
    if role:
        options = tuple((str(o["code"]), str(o["label"])) for o in role["options"])
        columns.append((ROLE, "role", str(role["prompt"]), options))
    asked = {item.section_id for item in questionnaire.items}
    for section in questionnaire.sections:
        if not section.get("free_text") or section["id"] not in asked:
            continue
        for prompt in FREE_TEXT_PROMPTS:
            columns.append(
                (
                    COMMENT,
                    f"{section['id']}/{prompt.code}",
                    f"{section['title']}: {prompt.prompt}",
                    (),
                )
            )
    return [
        EntryColumn(get_column_letter(n), kind, key, header, options)
        for n, (kind, key, header, options) in enumerate(columns, start=1)
    ]

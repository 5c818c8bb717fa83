"""What a paper template looks like: its sheets, its rows, and the columns of an audience's
questionnaire (a reference, one column per item, the role, the free-text questions, then the
round's own questions: one column each, and one more for the words of "Other, please say")."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from app.models import Questionnaire
from app.services.documents.paper.text import normal
from surveys import question_types as qt
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
OWN = "own"  # one of the round's own questions (issue 20): its answer
OWN_TEXT = "own_text"  # its words: a free-text answer, or the "Other, please say"


@dataclass(frozen=True, slots=True)
class EntryColumn:
    """One column of the Entry sheet, and the answers it takes."""

    letter: str
    kind: str  # reference | item | role | comment | own | own_text
    key: str  # item id, "role", "section_id/prompt_code", or an own question's id
    header: str
    options: tuple[tuple[str, str], ...] = ()  # (code, label): a drop-down list
    spec: qt.Spec | None = None  # own questions: what their answers may be

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
    columns: list[tuple[str, str, str, tuple[tuple[str, str], ...], qt.Spec | None]] = [
        (REFERENCE, "", "Paper reference (optional, not imported)", (), None)
    ]
    for n, item in enumerate(questionnaire.items, start=1):
        scale = get_scale(item.scale_id)
        options = tuple((o.code, o.label) for o in scale.options)
        columns.append((ITEM, str(item.id), f"Q{n}. {item.statement}", options, None))
    role = questionnaire.role_question
    if role:
        options = tuple((str(o["code"]), str(o["label"])) for o in role["options"])
        columns.append((ROLE, "role", str(role["prompt"]), options, None))
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
                    None,
                )
            )
    columns.extend(_own_columns(questionnaire))
    return [
        EntryColumn(get_column_letter(n), kind, key, header, options, spec)
        for n, (kind, key, header, options, spec) in enumerate(columns, start=1)
    ]


def _own_columns(
    questionnaire: Questionnaire,
) -> list[tuple[str, str, str, tuple[tuple[str, str], ...], qt.Spec | None]]:
    from app.services.questions import questions_of, spec_of

    found: list[tuple[str, str, str, tuple[tuple[str, str], ...], qt.Spec | None]] = []
    for question in questions_of(questionnaire.round_id):
        if not question.asks(questionnaire.audience):
            continue  # not on this audience's paper, so no column to type it into
        spec = spec_of(question)
        key = str(question.id)
        if spec.kind == qt.Kind.FREE_TEXT:
            found.append((OWN_TEXT, key, spec.text, (), spec))
            continue
        single = spec.kind in (qt.Kind.YES_NO, qt.Kind.ONE_CHOICE)
        found.append((OWN, key, spec.text, spec.choices if single else (), spec))
        if spec.other:
            found.append((OWN_TEXT, key, f"{spec.text}: Other, please say", (), spec))
    return found


def own_allowed(column: EntryColumn) -> str:
    """What an own question's column takes, in words for the Instructions sheet."""
    spec = column.spec
    assert spec is not None
    if column.kind == OWN_TEXT:
        return f"free text, up to {qt.ANSWER_TEXT_MAX} characters"
    if spec.kind == qt.Kind.SEVERAL_CHOICES:
        labels = "; ".join(label for _, label in spec.choices)
        return f"any of {labels}, separated by semicolons"
    if spec.kind == qt.Kind.NUMBER:
        return f"a whole number from {spec.minimum} to {spec.maximum}"
    return "; ".join(label for _, label in spec.choices)

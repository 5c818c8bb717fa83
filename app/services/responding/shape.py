"""A stored questionnaire as the respondent pages show it: its items, comment boxes and pages."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.models import FeedbackRound, Questionnaire
from app.services.frameworks import framework_of
from app.services.rounds import as_generated
from frameworks.schema import CHILDREN_BAND_AUDIENCES, STANDARD_AUDIENCES
from surveys import question_types as qt
from surveys import questionnaire as qgen
from surveys.scales import Scale, get_scale

FREE_TEXT_MAX = qgen.FREE_TEXT_MAX_CHARS

# Easy-read wording for the free-text prompts (children under 12).
EASY_PROMPTS = {"works_well": "What is good?", "could_be_better": "What could be better?"}


@dataclass(frozen=True)
class ItemView:
    id: str  # the question item's uuid: form fields are f"a-{id}"
    position: int  # 0-based, questionnaire order: the key in Progress.answers
    statement: str
    scale: Scale
    section_index: int

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def field(self) -> str:
        return f"a-{self.id}"


@dataclass(frozen=True)
class OwnQuestion:
    """One of the round's own questions (issue 20), asked after the statements."""

    id: str  # the round question's uuid: form fields are f"q-{id}" and f"q-{id}-text"
    position: int  # 0-based among the round's questions: the key in Progress.extras
    spec: qt.Spec
    translations: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def field(self) -> str:
        return f"q-{self.id}"

    @property
    def text_field(self) -> str:
        return f"q-{self.id}-text"

    @property
    def has_text(self) -> bool:
        """A box for words: a free-text question, or "Other, please say"."""
        return self.spec.kind == qt.Kind.FREE_TEXT or self.spec.other

    @property
    def text_max(self) -> int:
        return qt.ANSWER_TEXT_MAX

    @property
    def error_field(self) -> str:
        """The id an error links to: the first input (or the only box)."""
        return self.text_field if self.spec.kind == qt.Kind.FREE_TEXT else self.field

    def fields(self) -> set[str]:
        names = {self.text_field} if self.has_text else set()
        return names if self.spec.kind == qt.Kind.FREE_TEXT else names | {self.field}

    def text_in(self, code: str) -> str:
        words = self.translations.get(code) or {}
        return str(words.get("text") or self.spec.text)

    def choices_in(self, code: str) -> tuple[tuple[str, str, bool], ...]:
        """(code, label, label is the round's own words) in language `code`: the coordinator's
        options translated per round, the fixed ones (Yes, Other...) through the catalog."""
        own = list((self.translations.get(code) or {}).get("options") or [])
        found = []
        for number, (value, label) in enumerate(self.spec.choices):
            mine = self.spec.kind != qt.Kind.YES_NO and number < len(self.spec.options)
            if mine and number < len(own) and own[number]:
                label = str(own[number])
            found.append((value, label, mine))
        return tuple(found)


@dataclass(frozen=True)
class FreeTextBox:
    section_index: int
    section_id: str
    code: str  # a surveys.questionnaire.FREE_TEXT_PROMPTS code
    label: str

    @property
    def field(self) -> str:
        return f"ft-{self.section_index}-{self.code}"

    @property
    def key(self) -> str:
        """The key in Progress.texts."""
        return f"{self.section_index}:{self.code}"


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    heading: str
    items: tuple[ItemView, ...] = ()
    boxes: tuple[FreeTextBox, ...] = ()
    role: qgen.RoleQuestion | None = None
    questions: tuple[OwnQuestion, ...] = ()  # the round's own questions (issue 20)
    comments_of: str = ""  # one-question-per-page: the section whose comment boxes these are
    section_id: str = ""  # a section's page: its id, for the heading's translations

    @property
    def question_count(self) -> int:
        return len(self.items) + len(self.questions) + (1 if self.role else 0)


@dataclass(frozen=True)
class Shape:
    """Everything fixed about a questionnaire that the respondent pages need."""

    questionnaire_id: uuid.UUID
    round_id: uuid.UUID
    audience: str
    audience_label: str
    easy_read: bool
    one_question_per_page: bool
    intro_lines: tuple[str, ...]
    estimated_minutes: int
    too_long: bool
    section_count: int
    pages: tuple[Page, ...]
    items: tuple[ItemView, ...]
    role: qgen.RoleQuestion | None
    frozen: bool
    # The questionnaire's words in other languages (app/services/translations.py).
    translations: Mapping[str, Any] = field(default_factory=dict)
    band: str | None = None  # an age band's questionnaire (surveys.questionnaire.CHILDREN_BANDS)
    read_aloud: bool = False  # very short sentences, marked up for reading aloud (under 8)
    # The round's age bands and their questionnaires, youngest first (a band's shape only):
    # what a shared children's link offers on its welcome page.
    bands: tuple[tuple[str, uuid.UUID], ...] = ()
    questions: tuple[OwnQuestion, ...] = ()  # the round's own questions, after the statements

    def said(self, code: str, kind: str, key: str, english: str) -> str:
        """The words in language `code` if translated, else the English."""
        words = self.translations.get(code)
        if not words:
            return english
        if kind == "intro":
            return str(words.get("intro") or english)
        return str((words.get(kind) or {}).get(key) or english)

    @functools.cached_property
    def rendered(self) -> dict[tuple[Any, ...], Any]:
        """Markup kept per process: pages' questions as first shown and the check page's rows,
        by page and variant (app/respond/fragments.py)."""
        return {}

    @functools.cached_property
    def item_by_id(self) -> dict[str, ItemView]:
        return {item.id: item for item in self.items}

    @functools.cached_property
    def boxes(self) -> dict[str, FreeTextBox]:
        return {box.field: box for page in self.pages for box in page.boxes}

    @property
    def question_total(self) -> int:
        """Statements and the round's own questions: what "N questions" counts."""
        return len(self.items) + len(self.questions)

    @property
    def last_page(self) -> int:
        return len(self.pages)

    def page(self, number: int) -> Page | None:
        return self.pages[number - 1] if 1 <= number <= len(self.pages) else None

    def page_of_item(self, item: ItemView) -> int:
        for page in self.pages:
            if item in page.items:
                return page.number
        raise KeyError(item.id)

    @property
    def unit(self) -> str:
        """What a page is called in "Section 2 of 5": one question per page counts questions."""
        return "Question" if self.one_question_per_page else "Section"


def _build_pages(
    generated: qgen.Questionnaire, items: list[ItemView], own: tuple[OwnQuestion, ...] = ()
) -> tuple[Page, ...]:
    pages: list[Page] = []
    by_key = {item.id: item for item in items}
    easy = generated.easy_read
    for s_index, section in enumerate(generated.sections):
        section_items = tuple(by_key[i.key] for i in section.items)
        boxes = tuple(
            FreeTextBox(
                s_index,
                section.id,
                prompt.code,
                EASY_PROMPTS.get(prompt.code, prompt.prompt) if easy else prompt.prompt,
            )
            for prompt in (qgen.FREE_TEXT_PROMPTS if section.free_text else ())
        )
        if generated.one_question_per_page:
            for item in section_items:
                pages.append(Page(len(pages) + 1, item.statement, items=(item,)))
            if boxes:
                heading = "Tell us more" if easy else f"{section.title}: your comments"
                comments_of = "" if easy else section.title  # translated where it is shown
                pages.append(
                    Page(
                        len(pages) + 1,
                        heading,
                        boxes=boxes,
                        comments_of=comments_of,
                        section_id=section.id,
                    )
                )
        else:
            pages.append(
                Page(
                    len(pages) + 1,
                    section.title,
                    items=section_items,
                    boxes=boxes,
                    section_id=section.id,
                )
            )
    if own and generated.one_question_per_page:
        for question in own:
            pages.append(Page(len(pages) + 1, question.spec.text, questions=(question,)))
    elif own:
        pages.append(Page(len(pages) + 1, "A few more questions", questions=own))
    if generated.role_question is not None:
        pages.append(Page(len(pages) + 1, "About you", role=generated.role_question))
    return tuple(pages)


# The generated introduction ends "It takes about N minutes."; the welcome page already shows the
# current estimate prominently, so the (possibly stale) sentence is not repeated.
_TIME_LINE = re.compile(r"^It takes about \d+ minutes?\.$")


def build_shape(row: Questionnaire, rnd: FeedbackRound) -> Shape:
    """The pages of a stored questionnaire, exactly as respondents and the preview see them."""
    framework = framework_of(rnd)
    if framework is None:
        generated = _as_generated_without_framework(row)
    else:
        generated = as_generated(row, framework)
    items: list[ItemView] = []
    for s_index, section in enumerate(generated.sections):
        for item in section.items:
            items.append(
                ItemView(item.key, len(items), item.statement, get_scale(item.scale_id), s_index)
            )
    own = _own_questions(rnd)
    pages = _build_pages(generated, items, own)
    band = qgen.band_of(row.audience)
    return Shape(
        questionnaire_id=row.id,
        round_id=row.round_id,
        audience=row.audience,
        audience_label=generated.audience_label,
        easy_read=generated.easy_read,
        one_question_per_page=generated.one_question_per_page,
        intro_lines=tuple(
            line
            for line in generated.intro.splitlines()
            if line.strip() and not _TIME_LINE.match(line.strip())
        ),
        estimated_minutes=generated.estimated_minutes,
        too_long=qgen.is_too_long(generated),
        section_count=len(generated.sections),
        pages=pages,
        items=tuple(items),
        role=generated.role_question,
        frozen=row.frozen,
        translations=dict(row.translations or {}),
        band=band,
        read_aloud=band in qgen.READ_ALOUD_BANDS,
        bands=_bands_of(rnd) if band else (),
        questions=own,
    )


def _own_questions(rnd: FeedbackRound) -> tuple[OwnQuestion, ...]:
    from app.services.questions import questions_of, spec_of

    return tuple(
        OwnQuestion(str(q.id), n, spec_of(q), dict(q.translations or {}))
        for n, q in enumerate(questions_of(rnd.id))
    )


def _bands_of(rnd: FeedbackRound) -> tuple[tuple[str, uuid.UUID], ...]:
    ids = {q.audience: q.id for q in rnd.questionnaires}
    return tuple(
        (band, ids[audience])
        for band, audience in qgen.CHILDREN_BAND_AUDIENCES.items()
        if audience in ids
    )


class _LabelsOnly:
    """Stands in for a framework that has gone: as_generated needs only these two."""

    id = "unknown"

    @staticmethod
    def audience_label(audience: str) -> str:
        return STANDARD_AUDIENCES.get(audience) or CHILDREN_BAND_AUDIENCES.get(audience, audience)


def audience_label(rnd: FeedbackRound, audience: str) -> str:
    framework = framework_of(rnd)
    if framework is None:
        return _LabelsOnly.audience_label(audience)
    return framework.audience_label(audience)


def _as_generated_without_framework(row: Questionnaire) -> qgen.Questionnaire:
    """A custom framework deleted after launch still leaves its frozen questionnaire usable."""
    return as_generated(row, _LabelsOnly())  # type: ignore[arg-type]

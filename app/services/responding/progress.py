"""The answers so far, held by the browser (DESIGN.md 6.4).

The view signs a `Progress` into a cookie, keyed by each item's *position* in the frozen
questionnaire: a frozen questionnaire never changes, so positions are stable and far shorter than
item ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.services.responding.shape import FREE_TEXT_MAX, Page, Shape
from surveys import question_types as qt

if TYPE_CHECKING:
    from app.services.responding.page_form import PageInput


@dataclass
class Progress:
    """One respondent's answers so far. `submission_id` becomes the Response id on submit."""

    questionnaire_id: uuid.UUID
    submission_id: uuid.UUID
    answers: dict[int, str] = field(default_factory=dict)  # item position -> option code
    texts: dict[str, str] = field(default_factory=dict)  # FreeTextBox.key -> text
    role: str | None = None
    # The round's own questions: question position -> (chosen values, words); blank ones absent.
    extras: dict[int, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    saves: int = 0  # how many times saved as a draft: tells a newer copy from an older one

    @classmethod
    def new(cls, questionnaire_id: uuid.UUID) -> Progress:
        return cls(questionnaire_id, uuid.uuid4())

    def to_payload(self, shape: Shape) -> dict[str, Any]:
        slots = [self.answers.get(i, "") for i in range(len(shape.items))]
        return {
            "q": self.questionnaire_id.hex,
            "s": self.submission_id.hex,
            "a": ",".join(slots),
            "r": self.role or "",
            "t": {k: v for k, v in self.texts.items() if v},
            "n": self.saves,
            **(
                {"x": {str(p): [list(v), t] for p, (v, t) in self.extras.items()}}
                if self.extras
                else {}
            ),
        }

    @classmethod
    def from_payload(cls, payload: Any, shape: Shape) -> Progress | None:
        """Read a payload back, keeping only what is valid for this questionnaire."""
        if not isinstance(payload, Mapping):
            return None
        try:
            qid = uuid.UUID(hex=str(payload["q"]))
            sid = uuid.UUID(hex=str(payload["s"]))
        except (KeyError, ValueError):
            return None
        if qid != shape.questionnaire_id:
            return None
        progress = cls(qid, sid)
        slots = str(payload.get("a", "")).split(",")
        for item in shape.items:
            code = slots[item.position] if item.position < len(slots) else ""
            if code in item.scale.codes:
                progress.answers[item.position] = code
        texts = payload.get("t")
        if isinstance(texts, Mapping):
            keys = {box.key for box in shape.boxes.values()}
            for key, text in texts.items():
                if key in keys and isinstance(text, str) and 0 < len(text) <= FREE_TEXT_MAX:
                    progress.texts[key] = text
        extras = payload.get("x")
        if isinstance(extras, Mapping):
            for question in shape.questions:
                kept = extras.get(str(question.position))
                given = _given(question.spec, kept)
                if given is not None:
                    progress.extras[question.position] = (given.values, given.text)
        role = payload.get("r")
        if shape.role and role in {o.code for o in shape.role.options}:
            progress.role = role
        saves = payload.get("n")
        progress.saves = saves if isinstance(saves, int) and saves >= 0 else 0
        return progress

    def answered_count(self) -> int:
        return len(self.answers)

    def page_complete(self, page: Page) -> bool:
        if any(item.position not in self.answers for item in page.items):
            return False
        return not (page.role and self.role is None)

    def first_incomplete_page(self, shape: Shape) -> int | None:
        for page in shape.pages:
            if not self.page_complete(page):
                return page.number
        return None

    def merge(self, page: Page, got: PageInput) -> None:
        """Take a page's valid answers; a cleared or invalid answer removes the old one."""
        for item in page.items:
            if item.position in got.answers:
                self.answers[item.position] = got.answers[item.position]
            else:
                self.answers.pop(item.position, None)
        for box in page.boxes:
            if box.key in got.too_long:
                continue  # keep what was kept before; the page shows the long text again
            text = got.texts.get(box.key, "")
            if text:
                self.texts[box.key] = text
            else:
                self.texts.pop(box.key, None)
        for question in page.questions:
            if question.position in got.extras:
                self.extras[question.position] = got.extras[question.position]
            elif question.error_field not in got.errors:
                self.extras.pop(question.position, None)
        if page.role:
            self.role = got.role


def _given(spec: qt.Spec, kept: Any) -> qt.Given | None:
    """A kept answer read back, checked again: a cookie is the browser's, so never trusted."""
    if not isinstance(kept, list) or len(kept) != 2:
        return None
    values, text = kept
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    if not isinstance(text, str):
        return None
    try:
        given = qt.parse_answer(spec, values, text)
    except qt.QuestionError:
        return None
    return None if given.blank else given

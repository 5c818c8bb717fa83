"""The check page's rows: every question of a questionnaire with the answer kept so far.

Read from the respondent's own `Progress` (the signed cookie the pages keep), page by page, so
the check page lists exactly what Send would store, and each row knows the page to change it on.
With no progress (the blank copy a phone keeps to check offline) every row is unanswered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.services.responding.progress import Progress
from app.services.responding.shape import FreeTextBox, ItemView, OwnQuestion, Page, Shape
from surveys.questionnaire import RoleOption, RoleQuestion
from surveys.scales import Option


@dataclass(frozen=True)
class CheckRow:
    field: str  # the page's form field, as the offline copy fills it in
    item: ItemView | None = None
    box: FreeTextBox | None = None
    role: RoleQuestion | None = None
    chosen: Option | RoleOption | None = None
    text: str = ""
    question: OwnQuestion | None = None  # one of the round's own questions (optional)
    values: tuple[str, ...] = ()  # its chosen codes, or the number typed

    @property
    def answered(self) -> bool:
        return self.chosen is not None or bool(self.text) or bool(self.values)


@dataclass(frozen=True)
class CheckGroup:
    page: Page
    rows: tuple[CheckRow, ...]

    @property
    def unanswered(self) -> bool:
        """A question (not an optional comment box or own question) is still to answer here."""
        return any(
            not row.answered and row.box is None and row.question is None for row in self.rows
        )


def _chosen(options: Sequence[Option | RoleOption], code: str | None) -> Option | RoleOption | None:
    return next((o for o in options if o.code == code), None)


def check_rows(shape: Shape, progress: Progress | None) -> tuple[CheckGroup, ...]:
    answers = progress.answers if progress else {}
    texts = progress.texts if progress else {}
    role = progress.role if progress else None
    extras = progress.extras if progress else {}
    groups = []
    for page in shape.pages:
        rows = [
            CheckRow(
                item.field,
                item=item,
                chosen=_chosen(item.scale.options, answers.get(item.position)),
            )
            for item in page.items
        ]
        rows += [CheckRow(box.field, box=box, text=texts.get(box.key, "")) for box in page.boxes]
        for question in page.questions:
            values, text = extras.get(question.position, ((), ""))
            rows.append(CheckRow(question.error_field, question=question, values=values, text=text))
        if page.role:
            rows.append(CheckRow("role", role=page.role, chosen=_chosen(page.role.options, role)))
        groups.append(CheckGroup(page, tuple(rows)))
    return tuple(groups)


def scales_of(shape: Shape) -> dict[str, Sequence[Option | RoleOption]]:
    """Each scale the questionnaire uses once (and the role question's options, as "role"),
    for the blank copy kept offline to show a chosen answer."""
    seen: dict[str, Sequence[Option | RoleOption]] = {}
    for item in shape.items:
        seen.setdefault(item.scale.id, item.scale.options)
    if shape.role:
        seen["role"] = shape.role.options
    return seen

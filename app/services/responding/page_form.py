"""Reading one page of the form: valid answers, plain-English errors, and tampering refused."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.i18n import N_, _
from app.services.responding.progress import Progress
from app.services.responding.shape import FREE_TEXT_MAX, ItemView, OwnQuestion, Page, Shape
from surveys import question_types as qt


class FormLike(Protocol):
    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Any: ...


class TamperedForm(ValueError):
    """The form was changed outside the page (not a mistake a person could make on it)."""


class NotAsked(TamperedForm):
    """The form answered one of the round's own questions that this audience is not asked."""

    MESSAGE = N_("The form answered a question that is not asked of this group.")

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


def refuse_not_asked(shape: Shape, names: Iterable[str]) -> None:
    """Raise NotAsked if any field name answers an own question this audience is not asked."""
    if any(n.startswith("q-") and _question_of(n) in shape.not_asked for n in names):
        raise NotAsked()


@dataclass
class PageInput:
    answers: dict[int, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    role: str | None = None
    extras: dict[int, tuple[tuple[str, ...], str]] = field(default_factory=dict)  # own questions
    errors: dict[str, str] = field(default_factory=dict)  # field id -> message, page order
    shown: dict[str, Any] = field(default_factory=dict)  # field name -> value to show again
    too_long: set[str] = field(default_factory=set)  # FreeTextBox keys over the limit


_TEXT_KEEP = {"\n", "\t"}


def clean_text(raw: str) -> str:
    """Free text as stored: one newline style, no control characters (PostgreSQL refuses NUL)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        ch for ch in text if ch in _TEXT_KEEP or unicodedata.category(ch) not in {"Cc", "Cs"}
    )
    return text.strip()


def _one(form: FormLike, name: str) -> str:
    values = form.getlist(name)
    if len(values) > 1:
        raise TamperedForm(N_("The form sent more than one answer to one question."))
    return values[0] if values else ""


def _answer_error(shape: Shape, item: ItemView, missing: bool) -> str:
    if shape.easy_read:
        return _("Pick a face, or pick “Don't know”.") if missing else _("Pick one of the answers.")
    if missing:
        return _("Select an answer, or select “Don't know”.")
    return _("Select one of the answers shown.")


def read_page(shape: Shape, page: Page, form: FormLike) -> PageInput:
    """Check one page's fields. Raises TamperedForm for fields no page of this survey has."""
    on_page = {item.field for item in page.items}
    boxes_on_page = {box.field for box in page.boxes}
    own_fields = {name for question in page.questions for name in question.fields()}
    for name in list(form.keys()):
        if name.startswith("a-"):
            if name[2:] not in shape.item_by_id:
                raise TamperedForm(N_("The form answered a question that is not in this survey."))
            if name not in on_page:
                raise TamperedForm(N_("The form answered a question from a different page."))
        elif name.startswith("ft-") and name not in boxes_on_page:
            raise TamperedForm(N_("The form sent a comment box that is not on this page."))
        elif name.startswith("q-") and _question_of(name) in shape.not_asked:
            raise NotAsked()
        elif (name == "role" and page.role is None) or (
            name.startswith("q-") and name not in own_fields
        ):
            raise TamperedForm(N_("The form answered a question that is not on this page."))

    got = PageInput()
    for item in page.items:
        code = _one(form, item.field).strip()
        got.shown[item.field] = code
        if code in item.scale.codes:
            got.answers[item.position] = code
        else:
            got.errors[item.field] = _answer_error(shape, item, missing=not code)
    for box in page.boxes:
        text = clean_text(_one(form, box.field))
        got.shown[box.field] = text
        if len(text) > FREE_TEXT_MAX:
            got.too_long.add(box.key)
            got.errors[box.field] = _(
                "“%(label)s” must be %(max)s characters or fewer. You have %(count)s characters.",
                label=_(box.label),
                max=f"{FREE_TEXT_MAX:,}",
                count=f"{len(text):,}",
            )
        elif text:
            got.texts[box.key] = text
    for question in page.questions:
        _read_own(question, form, got)
    if page.role:
        code = _one(form, "role").strip()
        got.shown["role"] = code
        if code in {o.code for o in page.role.options}:
            got.role = code
        else:
            got.errors["role"] = (
                _("Select the answer that fits best, or select “Prefer not to say”.")
                if not code
                else _("Select one of the answers shown.")
            )
    return got


def _question_of(name: str) -> str:
    """The question id a field of an own question names ("q-<id>" or "q-<id>-text")."""
    return name[2:].removesuffix("-text")


def _read_own(question: OwnQuestion, form: FormLike, got: PageInput) -> None:
    """One of the round's own questions: its values and words, or a specific message."""
    values = form.getlist(question.field) if question.spec.kind != qt.Kind.FREE_TEXT else []
    text = clean_text(_one(form, question.text_field)) if question.has_text else ""
    got.shown[question.field] = values
    got.shown[question.text_field] = text
    try:
        given = qt.parse_answer(question.spec, values, text)
    except qt.QuestionError as refused:
        field = question.text_field if refused.code in _TEXT_CODES else question.error_field
        got.errors[field] = _(refused.message, **refused.params)
        return
    if not given.blank:
        got.extras[question.position] = (given.values, given.text)


_TEXT_CODES = {"other_missing", "other_not_chosen", "text_answer_too_long"}


def errors_for_progress(shape: Shape, page: Page, progress: Progress) -> dict[str, str]:
    """The errors a page shows when the answers kept for it are incomplete."""
    errors = {
        item.field: _answer_error(shape, item, missing=True)
        for item in page.items
        if item.position not in progress.answers
    }
    if page.role and progress.role is None:
        errors["role"] = _("Select the answer that fits best, or select “Prefer not to say”.")
    return errors


def values_for(page: Page, progress: Progress | None) -> dict[str, Any]:
    """Field name -> value to pre-fill on a page from the answers kept so far."""
    if progress is None:
        return {}
    values: dict[str, Any] = {
        item.field: progress.answers[item.position]
        for item in page.items
        if item.position in progress.answers
    }
    for box in page.boxes:
        if box.key in progress.texts:
            values[box.field] = progress.texts[box.key]
    for question in page.questions:
        if question.position in progress.extras:
            chosen, text = progress.extras[question.position]
            values[question.field] = list(chosen)
            values[question.text_field] = text
    if page.role and progress.role:
        values["role"] = progress.role
    return values

"""The respondent journey's rules: who may answer, what each page asks, what counts as an answer.

Views pass form data in and get plain results back; nothing here reads the request or cookies.

Where answers live while someone is answering (DESIGN.md 6.4): in the browser, as a `Progress`
the view signs into a cookie, keyed by each item's *position* in the frozen questionnaire (a
frozen questionnaire never changes, so positions are stable and far shorter than item ids). The
only server-side copy is an explicit "save and continue later" draft, encrypted under the
invitation token (`save_draft`), found by an HMAC of it and deleted on submit.
"""

from __future__ import annotations

import enum
import functools
import json
import re
import threading
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Channel,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    OpenLink,
    Organisation,
    Questionnaire,
    RoundStatus,
    SavedDraft,
)
from app.models.base import utcnow
from app.services.frameworks import UnknownFramework, get_framework
from app.services.rounds import as_generated
from app.services.tokens import decrypt_draft, draft_lookup, encrypt_draft, token_hash
from frameworks.schema import STANDARD_AUDIENCES
from surveys import questionnaire as qgen
from surveys.scales import Scale, get_scale

MAX_TOKEN_LENGTH = 100  # real tokens are 43 characters; longer input is not worth hashing
MAX_CODE_LENGTH = 40
FREE_TEXT_MAX = qgen.FREE_TEXT_MAX_CHARS

# Easy-read wording for the free-text prompts (children under 12).
EASY_PROMPTS = {"works_well": "What is good?", "could_be_better": "What could be better?"}


def today() -> date:
    """The service's calendar day (UTC), used for open/close checks and the day counter."""
    return utcnow().date()


# -- entering: invitation links and open links ----------------------------------------------------


class Window(enum.StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def round_window(status: RoundStatus, opens_on: date, closes_on: date, on: date) -> Window:
    """Open means launched, on or after the opening day and on or before the closing day."""
    if status == RoundStatus.CLOSED or on > closes_on:
        return Window.CLOSED
    if status != RoundStatus.LIVE or on < opens_on:
        return Window.NOT_YET
    return Window.OPEN


class Refusal(Exception):
    """A plain-English reason someone cannot go on, with the HTTP status to send it with."""

    def __init__(
        self,
        status: int,
        title: str,
        message: str,
        advice: str = "",
        questionnaire_id: uuid.UUID | None = None,  # for "already sent": whose thanks to show
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.message = message
        self.advice = advice
        self.questionnaire_id = questionnaire_id


def long_date(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def window_refusal(window: Window, opens_on: date, closes_on: date) -> Refusal | None:
    if window == Window.NOT_YET:
        return Refusal(
            403,
            "This survey has not started yet",
            f"You can answer from {long_date(opens_on)}.",
            "Please come back then, using the same link.",
        )
    if window == Window.CLOSED:
        return Refusal(
            410,
            "This survey has closed",
            f"It closed on {long_date(closes_on)}, so it cannot take any more answers.",
            "Thank you for wanting to take part.",
        )
    return None


def unknown_link() -> Refusal:
    return Refusal(
        404,
        "This link does not work",
        "We could not find a survey for this link. It may have been copied only in part.",
        "Try opening the link from your email again, or ask the person who sent it.",
    )


@dataclass(frozen=True)
class Entry:
    """What the browser is allowed to answer: one questionnaire, through one channel."""

    questionnaire_id: uuid.UUID
    channel: Channel
    token: str | None = None  # invitation links only: needed to find and open a saved draft
    round_id: uuid.UUID | None = None


def _questionnaire_for(round_id: uuid.UUID, audience: str) -> Questionnaire | None:
    return db.session.execute(
        select(Questionnaire).where(
            Questionnaire.round_id == round_id, Questionnaire.audience == audience
        )
    ).scalar_one_or_none()


def enter_by_token(token: str, on: date) -> Entry:
    """The entry an invitation token gives, or a `Refusal` saying why it gives none."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise unknown_link()
    invitation = db.session.execute(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).scalar_one_or_none()
    if invitation is None:
        raise unknown_link()
    rnd = db.session.get(FeedbackRound, invitation.round_id)
    assert rnd is not None  # invitation.round_id is a foreign key
    if invitation.status == InvitationStatus.COMPLETED:
        questionnaire = _questionnaire_for(rnd.id, invitation.audience)
        raise Refusal(
            410,
            "You have already sent your answers",
            "Answers have already been sent using this invitation, and each invitation can "
            "be used once.",
            "Thank you for taking part.",
            questionnaire.id if questionnaire else None,
        )
    if invitation.status == InvitationStatus.OPTED_OUT:
        raise Refusal(
            410,
            "This invitation has been switched off",
            "You asked not to hear from us about this survey, so this link no longer works.",
            "If that was a mistake, please ask the person who sent the invitation.",
        )
    refusal = window_refusal(
        round_window(rnd.status, rnd.opens_on, rnd.closes_on, on), rnd.opens_on, rnd.closes_on
    )
    if refusal:
        raise refusal
    questionnaire = _questionnaire_for(rnd.id, invitation.audience)
    if questionnaire is None:
        raise unknown_link()
    return Entry(questionnaire.id, Channel.EMAIL, token, rnd.id)


def enter_by_code(code: str, on: date) -> Entry:
    """The entry an open link (or its QR code) gives. Codes are typed from posters: any case."""
    code = code.strip().lower()
    if not code or len(code) > MAX_CODE_LENGTH:
        raise unknown_link()
    link = db.session.execute(select(OpenLink).where(OpenLink.code == code)).scalar_one_or_none()
    if link is None:
        raise unknown_link()
    if not link.active:
        raise Refusal(
            410,
            "This link has been switched off",
            "The people running this survey have stopped this link.",
            "If you were given it recently, please ask them for a new one.",
        )
    rnd = db.session.get(FeedbackRound, link.round_id)
    assert rnd is not None
    refusal = window_refusal(
        round_window(rnd.status, rnd.opens_on, rnd.closes_on, on), rnd.opens_on, rnd.closes_on
    )
    if refusal:
        raise refusal
    questionnaire = _questionnaire_for(rnd.id, link.audience)
    if questionnaire is None:
        raise unknown_link()
    return Entry(questionnaire.id, Channel.OPEN_LINK, None, rnd.id)


# -- the questionnaire as pages -------------------------------------------------------------------


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

    @property
    def question_count(self) -> int:
        return len(self.items) + (1 if self.role else 0)


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

    @functools.cached_property
    def item_by_id(self) -> dict[str, ItemView]:
        return {item.id: item for item in self.items}

    @functools.cached_property
    def boxes(self) -> dict[str, FreeTextBox]:
        return {box.field: box for page in self.pages for box in page.boxes}

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


def _build_pages(generated: qgen.Questionnaire, items: list[ItemView]) -> tuple[Page, ...]:
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
                pages.append(Page(len(pages) + 1, heading, boxes=boxes))
        else:
            pages.append(Page(len(pages) + 1, section.title, items=section_items, boxes=boxes))
    if generated.role_question is not None:
        pages.append(Page(len(pages) + 1, "About you", role=generated.role_question))
    return tuple(pages)


# The generated introduction ends "It takes about N minutes."; the welcome page already shows the
# current estimate prominently, so the (possibly stale) sentence is not repeated.
_TIME_LINE = re.compile(r"^It takes about \d+ minutes?\.$")


def build_shape(row: Questionnaire, rnd: FeedbackRound) -> Shape:
    """The pages of a stored questionnaire, exactly as respondents and the preview see them."""
    try:
        generated = as_generated(row, get_framework(rnd.organisation_id, rnd.framework_id))
    except UnknownFramework:
        generated = _as_generated_without_framework(row)
    items: list[ItemView] = []
    for s_index, section in enumerate(generated.sections):
        for item in section.items:
            items.append(
                ItemView(item.key, len(items), item.statement, get_scale(item.scale_id), s_index)
            )
    pages = _build_pages(generated, items)
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
    )


class _LabelsOnly:
    """Stands in for a framework that has gone: as_generated needs only these two."""

    id = "unknown"

    @staticmethod
    def audience_label(audience: str) -> str:
        return STANDARD_AUDIENCES.get(audience, audience)


def audience_label(rnd: FeedbackRound, audience: str) -> str:
    try:
        return get_framework(rnd.organisation_id, rnd.framework_id).audience_label(audience)
    except UnknownFramework:
        return _LabelsOnly.audience_label(audience)


def _as_generated_without_framework(row: Questionnaire) -> qgen.Questionnaire:
    """A custom framework deleted after launch still leaves its frozen questionnaire usable."""
    return as_generated(row, _LabelsOnly())  # type: ignore[arg-type]


# Frozen questionnaires never change, so their shape is cached per process (bounded).
_SHAPES: OrderedDict[uuid.UUID, Shape] = OrderedDict()
_SHAPES_LOCK = threading.Lock()
_SHAPES_MAX = 128


def clear_shape_cache() -> None:
    """Forget every cached shape (tests that empty the tables call this)."""
    with _SHAPES_LOCK:
        _SHAPES.clear()


@dataclass(frozen=True)
class Survey:
    """A questionnaire's shape plus the round facts a respondent is told about."""

    shape: Shape
    organisation: str
    round_name: str
    status: RoundStatus
    opens_on: date
    closes_on: date
    threshold: int
    results_shared_on: date | None

    def window(self, on: date) -> Window:
        return round_window(self.status, self.opens_on, self.closes_on, on)

    @property
    def closes_on_text(self) -> str:
        return long_date(self.closes_on)

    @property
    def results_text(self) -> str:
        if self.results_shared_on:
            return f"from {long_date(self.results_shared_on)}"
        return f"after the survey closes on {long_date(self.closes_on)}"


def load_survey(questionnaire_id: uuid.UUID) -> Survey | None:
    """The survey for a questionnaire id, or None if there is no such questionnaire.

    Every respondent page calls this, so it reads the round's few facts as plain columns and
    takes the (immutable) shape of a frozen questionnaire from the per-process cache.
    """
    facts = db.session.execute(
        select(
            FeedbackRound.id,
            FeedbackRound.name,
            FeedbackRound.status,
            FeedbackRound.opens_on,
            FeedbackRound.closes_on,
            FeedbackRound.threshold,
            FeedbackRound.results_shared_on,
            Organisation.name.label("organisation"),
        )
        .join(Questionnaire, Questionnaire.round_id == FeedbackRound.id)
        .join(Organisation, Organisation.id == FeedbackRound.organisation_id)
        .where(Questionnaire.id == questionnaire_id)
    ).first()
    if facts is None:
        return None
    with _SHAPES_LOCK:
        shape = _SHAPES.get(questionnaire_id)
        if shape is not None:
            _SHAPES.move_to_end(questionnaire_id)
    if shape is None:
        rnd = db.session.get(FeedbackRound, facts.id)
        row = db.session.execute(
            select(Questionnaire)
            .options(selectinload(Questionnaire.items))
            .where(Questionnaire.id == questionnaire_id)
        ).scalar_one()
        assert rnd is not None
        shape = build_shape(row, rnd)
        if shape.frozen:
            with _SHAPES_LOCK:
                _SHAPES[questionnaire_id] = shape
                while len(_SHAPES) > _SHAPES_MAX:
                    _SHAPES.popitem(last=False)
    return Survey(
        shape=shape,
        organisation=facts.organisation,
        round_name=facts.name,
        status=facts.status,
        opens_on=facts.opens_on,
        closes_on=facts.closes_on,
        threshold=facts.threshold,
        results_shared_on=facts.results_shared_on,
    )


def survey_from(shape: Shape, rnd: FeedbackRound, organisation: str) -> Survey:
    """A survey for a round already loaded (the coordinator's preview)."""
    return Survey(
        shape=shape,
        organisation=organisation,
        round_name=rnd.name,
        status=rnd.status,
        opens_on=rnd.opens_on,
        closes_on=rnd.closes_on,
        threshold=rnd.threshold,
        results_shared_on=rnd.results_shared_on,
    )


# -- progress: the answers so far (held by the browser) -------------------------------------------


@dataclass
class Progress:
    """One respondent's answers so far. `submission_id` becomes the Response id on submit."""

    questionnaire_id: uuid.UUID
    submission_id: uuid.UUID
    answers: dict[int, str] = field(default_factory=dict)  # item position -> option code
    texts: dict[str, str] = field(default_factory=dict)  # FreeTextBox.key -> text
    role: str | None = None
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
        if page.role:
            self.role = got.role


# -- reading one page of a form -------------------------------------------------------------------


class FormLike(Protocol):
    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Any: ...


class TamperedForm(ValueError):
    """The form was changed outside the page (not a mistake a person could make on it)."""


@dataclass
class PageInput:
    answers: dict[int, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    role: str | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field id -> message, page order
    shown: dict[str, str] = field(default_factory=dict)  # field name -> value to show again
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
        raise TamperedForm("The form sent more than one answer to one question.")
    return values[0] if values else ""


def _answer_error(shape: Shape, item: ItemView, missing: bool) -> str:
    if shape.easy_read:
        return "Pick a face, or pick “Don't know”." if missing else "Pick one of the answers."
    if missing:
        return "Select an answer, or select “Don't know”."
    return "Select one of the answers shown."


def read_page(shape: Shape, page: Page, form: FormLike) -> PageInput:
    """Check one page's fields. Raises TamperedForm for fields no page of this survey has."""
    on_page = {item.field for item in page.items}
    boxes_on_page = {box.field for box in page.boxes}
    for name in list(form.keys()):
        if name.startswith("a-"):
            if name[2:] not in shape.item_by_id:
                raise TamperedForm("The form answered a question that is not in this survey.")
            if name not in on_page:
                raise TamperedForm("The form answered a question from a different page.")
        elif name.startswith("ft-") and name not in boxes_on_page:
            raise TamperedForm("The form sent a comment box that is not on this page.")
        elif name == "role" and page.role is None:
            raise TamperedForm("The form answered a question that is not on this page.")

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
            got.errors[box.field] = (
                f"“{box.label}” must be {FREE_TEXT_MAX:,} characters or fewer. "
                f"You have {len(text):,} characters."
            )
        elif text:
            got.texts[box.key] = text
    if page.role:
        code = _one(form, "role").strip()
        got.shown["role"] = code
        if code in {o.code for o in page.role.options}:
            got.role = code
        else:
            got.errors["role"] = (
                "Select the answer that fits best, or select “Prefer not to say”."
                if not code
                else "Select one of the answers shown."
            )
    return got


def errors_for_progress(shape: Shape, page: Page, progress: Progress) -> dict[str, str]:
    """The errors a page shows when the answers kept for it are incomplete."""
    errors = {
        item.field: _answer_error(shape, item, missing=True)
        for item in page.items
        if item.position not in progress.answers
    }
    if page.role and progress.role is None:
        errors["role"] = "Select the answer that fits best, or select “Prefer not to say”."
    return errors


def values_for(page: Page, progress: Progress | None) -> dict[str, str]:
    """Field name -> value to pre-fill on a page from the answers kept so far."""
    if progress is None:
        return {}
    values = {
        item.field: progress.answers[item.position]
        for item in page.items
        if item.position in progress.answers
    }
    for box in page.boxes:
        if box.key in progress.texts:
            values[box.field] = progress.texts[box.key]
    if page.role and progress.role:
        values["role"] = progress.role
    return values


# -- save and continue later (invitations only) ---------------------------------------------------


def insert_for_dialect() -> Any:
    """INSERT with ON CONFLICT: both SQLite and PostgreSQL have it, each under its own import."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    return postgresql.insert if postgres else sqlite.insert


def save_draft(secret: str, token: str, shape: Shape, progress: Progress) -> None:
    """Store the answers encrypted under the invitation token; replaces an earlier draft."""
    progress.saves += 1
    plaintext = json.dumps(progress.to_payload(shape), separators=(",", ":")).encode()
    values = {
        "lookup": draft_lookup(secret, token),
        "round_id": shape.round_id,
        "ciphertext": encrypt_draft(secret, token, plaintext),
    }
    insert = insert_for_dialect()(SavedDraft).values(**values)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[SavedDraft.lookup], set_={"ciphertext": values["ciphertext"]}
        )
    )
    db.session.flush()


def load_draft(secret: str, token: str, shape: Shape) -> Progress | None:
    row = db.session.get(SavedDraft, draft_lookup(secret, token))
    if row is None or row.round_id != shape.round_id:
        return None
    plaintext = decrypt_draft(secret, token, row.ciphertext)
    if plaintext is None:
        return None
    try:
        payload = json.loads(plaintext)
    except ValueError:
        return None
    return Progress.from_payload(payload, shape)


def delete_draft(secret: str, token: str) -> None:
    db.session.execute(delete(SavedDraft).where(SavedDraft.lookup == draft_lookup(secret, token)))
    db.session.flush()


def discard_drafts(round_id: uuid.UUID) -> int:
    """Delete every saved draft of a round (call when it closes); returns how many."""
    result = db.session.execute(delete(SavedDraft).where(SavedDraft.round_id == round_id))
    db.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def newer(browser: Progress | None, draft: Progress | None) -> Progress | None:
    """Which copy to carry on from: the draft only if it was saved after the browser's copy."""
    if draft is None:
        return browser
    if browser is None or draft.saves > browser.saves:
        return draft
    return browser

"""The coordinator's own questions (issue 20): five question types beside the statements.

Pure Python, no Flask: each type's spec validation, answer parsing and statistics.

- `yes_no`: Yes / No / Don't know; percent yes (of yes + no) with its Wilson interval.
- `one_choice`: one option from a list, optionally "Other, please say"; the distribution.
- `several_choices`: any options from a list; the share choosing each, with its interval.
- `number`: a whole number in [minimum, maximum]; a distribution over the coordinator's bins,
  the median only for groups of at least `MEDIAN_MIN` (with k = 3 a median and quartiles would
  publish every value) whose cells are all shown (a median beside hidden bins, or appearing
  only once ten people answered, would help work the hidden ones out).
- `free_text`: short text of the coordinator's own, treated as comments (shown only at or
  above k, random order, hideable): see `surveys.suppression.comments_for_group`.

None of them feeds percent favourable: only agree-scale and faces statements do.

Anonymity (DESIGN.md 6.5): every count is a cell of `surveys.suppression`. A question's cells
partition the group's respondents ("No answer" is an explicit cell, never the gap between the
total and the cells), so each type's line is suppressed with its total, complementary
suppression included.
A several-choices option is its own line: chosen + not chosen = the group's respondents.
Percentages are shown only where every count they are computed from is shown.

Messages are English templates with %(name)s parameters; the app lists them for translation
(app/i18n_strings.py) and translates them where it shows them.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from surveys.pinning import pinned, shows_nothing
from surveys.statistics import Interval, wilson_interval
from surveys.suppression import check_threshold, suppress_counts


class Kind(enum.StrEnum):
    YES_NO = "yes_no"
    ONE_CHOICE = "one_choice"
    SEVERAL_CHOICES = "several_choices"
    NUMBER = "number"
    FREE_TEXT = "free_text"


KIND_LABELS: dict[Kind, str] = {
    Kind.YES_NO: "Yes, no or don't know",
    Kind.ONE_CHOICE: "One choice from a list",
    Kind.SEVERAL_CHOICES: "Several choices from a list",
    Kind.NUMBER: "A number in a range",
    Kind.FREE_TEXT: "Short free text",
}

YES, NO, DONT_KNOW, OTHER = "yes", "no", "dk", "other"
NO_ANSWER = "none"  # the explicit cell of respondents who left the question blank
YES_NO_OPTIONS: tuple[tuple[str, str], ...] = ((YES, "Yes"), (NO, "No"), (DONT_KNOW, "Don't know"))
OTHER_LABEL = "Other, please say"

TEXT_MAX = 300  # the question's own words (as a statement)
OPTION_MAX = 120
OPTIONS_MAX = 20
ANSWER_TEXT_MAX = 1000  # a free-text answer or an "other" write-in
NUMBER_LIMIT = 10**9  # a range's ends stay inside +-this
BINS_MAX = 12
MEDIAN_MIN = 10


class QuestionError(ValueError):
    """A plain-English refusal; `message` is an English template, `params` fill it in."""

    def __init__(self, code: str, message: str, field: str = "", **params: object) -> None:
        self.code = code
        self.message = message
        self.field = field
        self.params = params
        super().__init__(message % params if params else message)


class SpecInvalid(ValueError):
    """A question's spec with one or more mistakes, each a `QuestionError` naming its field."""

    def __init__(self, errors: Sequence[QuestionError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


# Every refusal's template, in one place (app/i18n_strings.py lists them for translation).
MESSAGES: dict[str, str] = {
    "kind_unknown": "Choose a type of question.",
    "text_missing": "Enter the question.",
    "text_too_long": "The question must be %(max)s characters or fewer.",
    "options_too_few": "Enter at least 2 options, one on each line.",
    "options_too_many": "Enter no more than %(max)s options.",
    "option_empty": "Option %(number)s is empty: remove the empty line or fill it in.",
    "option_too_long": "Option %(number)s must be %(max)s characters or fewer.",
    "option_duplicate": "“%(option)s” is in the list more than once: each option must differ.",
    "option_is_other": "Remove “%(option)s” from the list and tick “Other, please say” instead.",
    "minimum_missing": "Enter the smallest number allowed, as a whole number.",
    "maximum_missing": "Enter the largest number allowed, as a whole number.",
    "bound_not_number": "Enter the %(which)s number as a whole number, like 5.",
    "bound_too_large": "Enter the %(which)s number between -%(limit)s and %(limit)s.",
    "minimum_above_maximum": "The smallest number (%(minimum)s) must be below the largest "
    "(%(maximum)s).",
    "bins_missing": "Enter the groups to report, like “0-4, 5-9, 10-20”.",
    "bin_not_range": "“%(bin)s” is not a group: write each as two whole numbers, like 5-9.",
    "bin_reversed": "In “%(bin)s” the first number must not be above the second.",
    "bin_outside_range": "“%(bin)s” is outside the range %(minimum)s to %(maximum)s.",
    "bins_gap": "The groups must follow on with no gap or overlap: “%(bin)s” should start "
    "at %(expected)s.",
    "bins_short": "The groups must cover the whole range: the last one should end at %(maximum)s.",
    "bins_too_many": "Enter no more than %(max)s groups.",
    "answer_not_option": "Select one of the answers shown.",
    "answer_several": "Select only one answer.",
    "answer_repeated": "Select each answer only once.",
    "other_missing": "Say what “Other” is, or choose another answer.",
    "other_not_chosen": "Select “Other, please say” to write your own answer, or clear the box.",
    "text_answer_too_long": "Your answer must be %(max)s characters or fewer. You have "
    "%(count)s characters.",
    "number_not_number": "Enter a whole number, like %(example)s.",
    "number_outside_range": "Enter a number between %(minimum)s and %(maximum)s.",
}


def _error(code: str, field: str = "", **params: object) -> QuestionError:
    return QuestionError(code, MESSAGES[code], field, **params)


# ---------------------------------------------------------------------------------------------
# Specs


@dataclass(frozen=True, slots=True)
class Bin:
    low: int
    high: int

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low} to {self.high}"

    @property
    def code(self) -> str:
        return f"{self.low}..{self.high}"


@dataclass(frozen=True, slots=True)
class Spec:
    """One checked question. Option codes are positions ("o1", "o2", ...): a question is frozen
    with its round at launch, so they never move under stored answers."""

    kind: Kind
    text: str
    options: tuple[str, ...] = ()
    other: bool = False
    minimum: int | None = None
    maximum: int | None = None
    bins: tuple[Bin, ...] = ()

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        """(code, English label) of every answer a respondent can pick, in order."""
        if self.kind == Kind.YES_NO:
            return YES_NO_OPTIONS
        listed = tuple((f"o{i}", label) for i, label in enumerate(self.options, start=1))
        return (*listed, (OTHER, OTHER_LABEL)) if self.other else listed

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.choices)

    def to_json(self) -> dict[str, object]:
        """The stored spec (the question's text is stored apart)."""
        stored: dict[str, object] = {}
        if self.kind in (Kind.ONE_CHOICE, Kind.SEVERAL_CHOICES):
            stored["options"] = list(self.options)
        if self.kind == Kind.ONE_CHOICE:
            stored["other"] = self.other
        if self.kind == Kind.NUMBER:
            stored["min"], stored["max"] = self.minimum, self.maximum
            stored["bins"] = [[b.low, b.high] for b in self.bins]
        return stored

    @classmethod
    def from_json(cls, kind: str, text: str, stored: Mapping[str, object]) -> Spec:
        """A stored spec back (checked again: a stored spec was checked when saved)."""
        bins = stored.get("bins") or []
        options = stored.get("options") or []
        assert isinstance(bins, list) and isinstance(options, list)
        return check_spec(
            kind,
            text,
            options=[str(o) for o in options],
            other=bool(stored.get("other")),
            minimum=str(stored.get("min", "")),
            maximum=str(stored.get("max", "")),
            bins=", ".join(f"{lo}-{hi}" for lo, hi in bins),
        )

    @property
    def bin_choices(self) -> tuple[tuple[str, str], ...]:
        """(code, English label) of every bin of a number question."""
        return tuple((b.code, b.label) for b in self.bins)

    def bins_text(self) -> str:
        return ", ".join(f"{b.low}-{b.high}" for b in self.bins)


_WHOLE = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)")


def _whole(raw: str) -> int | None:
    """A whole number typed by a person ("12", " -3 ", "1,000", Arabic-Indic "١٢"), or None
    ("1,0", "12.5")."""
    text = "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
        for ch in raw.strip().replace("\u2212", "-")
    )
    if len(text) > 20 or not text.isascii() or not _WHOLE.fullmatch(text):
        return None
    return int(text.replace(",", ""))


def _bound(raw: str, which: str, field: str, errors: list[QuestionError]) -> int | None:
    if not raw.strip():
        errors.append(_error(f"{which}imum_missing", field))
        return None
    value = _whole(raw)
    words = "smallest" if which == "min" else "largest"
    if value is None:
        errors.append(_error("bound_not_number", field, which=words))
    elif abs(value) > NUMBER_LIMIT:
        errors.append(_error("bound_too_large", field, which=words, limit=f"{NUMBER_LIMIT:,}"))
        return None
    return value


def _parse_bins(raw: str, low: int, high: int, errors: list[QuestionError]) -> tuple[Bin, ...]:
    parts = [p.strip() for p in raw.replace(";", ",").replace("\n", ",").split(",")]
    parts = [p for p in parts if p]
    if not parts:
        errors.append(_error("bins_missing", "bins"))
        return ()
    if len(parts) > BINS_MAX:
        errors.append(_error("bins_too_many", "bins", max=BINS_MAX))
        return ()
    bins: list[Bin] = []
    for part in parts:
        ends = _bin_ends(part)
        if ends is None:
            errors.append(_error("bin_not_range", "bins", bin=part))
            return ()
        if ends[0] > ends[1]:
            errors.append(_error("bin_reversed", "bins", bin=part))
            return ()
        if ends[0] < low or ends[1] > high:
            errors.append(_error("bin_outside_range", "bins", bin=part, minimum=low, maximum=high))
            return ()
        bins.append(Bin(*ends))
    bins.sort(key=lambda b: b.low)
    expected = low
    for b in bins:
        if b.low != expected:
            errors.append(_error("bins_gap", "bins", bin=b.label, expected=expected))
            return ()
        expected = b.high + 1
    if expected != high + 1:
        errors.append(_error("bins_short", "bins", maximum=high))
        return ()
    return tuple(bins)


def _bin_ends(part: str) -> tuple[int, int] | None:
    """ "5-9", "5 to 9", "-3--1", or one number "7"."""
    text = part.replace("\u2013", "-").replace(" to ", "~")
    if "~" not in text:
        cut = text.find("-", 1)  # a leading minus belongs to the first number
        text = text if cut < 0 else f"{text[:cut]}~{text[cut + 1 :]}"
    ends = text.split("~")
    if len(ends) == 1:
        value = _whole(ends[0])
        return None if value is None else (value, value)
    if len(ends) != 2:
        return None
    first, second = _whole(ends[0]), _whole(ends[1])
    if first is None or second is None:
        return None
    return first, second


def check_spec(
    kind: str,
    text: str,
    *,
    options: Sequence[str] = (),
    other: bool = False,
    minimum: str = "",
    maximum: str = "",
    bins: str = "",
) -> Spec:
    """A checked spec from what a coordinator typed, or SpecInvalid listing every mistake."""
    errors: list[QuestionError] = []
    try:
        chosen = Kind(kind)
    except ValueError:
        raise SpecInvalid([_error("kind_unknown", "kind")]) from None
    words = " ".join(text.split())
    if not words:
        errors.append(_error("text_missing", "text"))
    elif len(words) > TEXT_MAX:
        errors.append(_error("text_too_long", "text", max=TEXT_MAX))
    listed: tuple[str, ...] = ()
    if chosen in (Kind.ONE_CHOICE, Kind.SEVERAL_CHOICES):
        listed = _check_options(options, errors)
    low = high = None
    found_bins: tuple[Bin, ...] = ()
    if chosen == Kind.NUMBER:
        low = _bound(minimum, "min", "minimum", errors)
        high = _bound(maximum, "max", "maximum", errors)
        if low is not None and high is not None:
            if low >= high:
                errors.append(_error("minimum_above_maximum", "minimum", minimum=low, maximum=high))
            else:
                found_bins = _parse_bins(bins, low, high, errors)
    if errors:
        raise SpecInvalid(errors)
    return Spec(
        chosen,
        words,
        options=listed,
        other=other and chosen == Kind.ONE_CHOICE,
        minimum=low,
        maximum=high,
        bins=found_bins,
    )


def _check_options(options: Sequence[str], errors: list[QuestionError]) -> tuple[str, ...]:
    # Trailing blank lines of a textarea are not options; an empty line between two is a mistake.
    lines = [" ".join(o.split()) for o in options]
    while lines and not lines[-1]:
        lines.pop()
    before = len(errors)
    seen: set[str] = set()
    for number, option in enumerate(lines, start=1):
        if not option:
            errors.append(_error("option_empty", "options", number=number))
        elif len(option) > OPTION_MAX:
            errors.append(_error("option_too_long", "options", number=number, max=OPTION_MAX))
        elif option.casefold() in seen:
            errors.append(_error("option_duplicate", "options", option=option))
        elif option.casefold().rstrip(".:") in {"other", "other, please say", "other (please say)"}:
            errors.append(_error("option_is_other", "options", option=option))
        seen.add(option.casefold())
    if len(errors) == before:
        if len(lines) < 2:
            errors.append(_error("options_too_few", "options"))
        elif len(lines) > OPTIONS_MAX:
            errors.append(_error("options_too_many", "options", max=OPTIONS_MAX))
    return tuple(lines)


def options_from_text(raw: str) -> list[str]:
    """A textarea's options, one on each line."""
    return raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# ---------------------------------------------------------------------------------------------
# Answers


@dataclass(frozen=True, slots=True)
class Given:
    """One respondent's answer: option codes (or one number as text) and any words.

    `values` is empty and `text` empty when the question was left blank (every new question is
    optional). Several choices keep the options' order, whatever order the form sent them in.
    """

    values: tuple[str, ...] = ()
    text: str = ""

    @property
    def blank(self) -> bool:
        return not self.values and not self.text


BLANK = Given()


def parse_answer(spec: Spec, values: Sequence[str], text: str = "") -> Given:
    """Check what a form sent for one question; raise QuestionError with a specific message.

    `values` is every value the form sent under the question's field (radios and a number box
    send one, checkboxes any number); `text` is the free text or the "other" write-in.
    """
    picked = [v.strip() for v in values if v.strip()]
    words = text.strip()
    if len(words) > ANSWER_TEXT_MAX:
        raise _error("text_answer_too_long", max=f"{ANSWER_TEXT_MAX:,}", count=f"{len(words):,}")
    if spec.kind == Kind.FREE_TEXT:
        if picked:
            raise _error("answer_not_option")
        return Given((), words)
    if spec.kind == Kind.NUMBER:
        return _parse_number(spec, picked, words)
    if any(v not in spec.codes for v in picked):
        raise _error("answer_not_option")
    if spec.kind == Kind.SEVERAL_CHOICES:
        if words:
            raise _error("answer_not_option")
        if len(set(picked)) != len(picked):
            raise _error("answer_repeated")
        order = [code for code, _ in spec.choices]
        return Given(tuple(sorted(picked, key=order.index)))
    if len(picked) > 1:
        raise _error("answer_several")
    if spec.kind == Kind.ONE_CHOICE and spec.other:
        if picked == [OTHER] and not words:
            raise _error("other_missing")
        if words and picked != [OTHER]:
            raise _error("other_not_chosen")
    elif words:
        raise _error("answer_not_option")
    return Given(tuple(picked), words)


def _parse_number(spec: Spec, picked: list[str], words: str) -> Given:
    assert spec.minimum is not None and spec.maximum is not None
    if words:
        raise _error("answer_not_option")
    if not picked:
        return BLANK
    if len(picked) > 1:
        raise _error("answer_several")
    value = _whole(picked[0])
    if value is None:
        raise _error("number_not_number", example=spec.minimum)
    if not spec.minimum <= value <= spec.maximum:
        raise _error("number_outside_range", minimum=spec.minimum, maximum=spec.maximum)
    return Given((str(value),))


def form_values(given: Given) -> tuple[list[str], str]:
    """What a form would send for an accepted answer: `parse_answer` of it gives it back."""
    return list(given.values), given.text


# ---------------------------------------------------------------------------------------------
# Statistics

CellStatus = Literal["shown", "suppressed", "withheld"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure of a question: `count` None unless shown; `percent` and `interval` only when
    every count they are worked out from is shown."""

    code: str
    label: str
    count: int | None
    status: CellStatus
    percent: float | None = None
    interval: Interval | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """A question's figures for one group of respondents (an audience that may be shown).

    `cells` in the question's order, then `no_answer` (several choices: one cell per option,
    its share of the group's respondents, and no "no answer"). `headline` is percent yes
    (yes/no) or the median (number). `suppressed`: nothing at all is shown (fewer than k
    respondents, or a hidden cell that the shown ones would pin down).
    """

    kind: Kind
    respondents: int
    answered: int | None
    cells: tuple[Cell, ...] = ()
    no_answer: Cell | None = None
    headline: float | None = None
    headline_interval: Interval | None = None
    suppressed: bool = False


@dataclass(frozen=True, slots=True)
class Tally:
    """What the database counts for one question and group: the group's respondents, and
    answers per stored value (an option code, yes/no/dk, or a number as text). Several choices
    count one answer per option ticked; "No answer" is what the rest leave."""

    respondents: int
    values: Mapping[str, int]


def _status(name: str, shown: Mapping[str, int | None], primary: frozenset[str]) -> CellStatus:
    if shown[name] is not None:
        return "shown"
    return "suppressed" if name in primary else "withheld"


def _percent(count: int, base: int) -> float:
    return float(Fraction(count, base) * 100)


def figures(spec: Spec, tally: Tally, k: int) -> Figures:
    """A question's cells for one group, every one through `suppress_counts` (DESIGN 6.5)."""
    check_threshold(k)
    if tally.respondents < k:
        return Figures(spec.kind, tally.respondents, None, suppressed=True)
    if spec.kind == Kind.SEVERAL_CHOICES:
        return _several(spec, tally, k)
    if spec.kind == Kind.FREE_TEXT:
        return Figures(spec.kind, tally.respondents, None)  # its words are comments
    labels = dict(spec.bin_choices if spec.kind == Kind.NUMBER else spec.choices)
    counts = (
        _bin_counts(spec, tally.values)
        if spec.kind == Kind.NUMBER
        else {code: tally.values.get(code, 0) for code in labels}
    )
    line = {**counts, NO_ANSWER: tally.respondents - sum(counts.values())}
    if line[NO_ANSWER] < 0:
        raise ValueError("more answers than respondents")
    table = suppress_counts(line, k)
    if shows_nothing(line, table):  # a hidden cell the rules would give away (surveys.pinning)
        return Figures(spec.kind, tally.respondents, None, suppressed=True)
    whole = not table.hidden
    answered = sum(counts.values())
    cells = tuple(
        Cell(
            code,
            labels[code],
            table.shown[code],
            _status(code, table.shown, table.primary),
            _percent(counts[code], answered) if whole and answered else None,
        )
        for code in counts
    )
    no_answer = Cell(
        NO_ANSWER,
        "No answer",
        table.shown[NO_ANSWER],
        _status(NO_ANSWER, table.shown, table.primary),
    )
    headline: float | None = None
    interval: Interval | None = None
    if spec.kind == Kind.YES_NO:
        yes, no = table.shown[YES], table.shown[NO]
        if yes is not None and no is not None and yes + no:
            headline, interval = _percent(yes, yes + no), wilson_interval(yes, yes + no)
    if spec.kind == Kind.NUMBER and whole and answered >= MEDIAN_MIN:
        headline = median_of(tally.values)
    return Figures(
        spec.kind,
        tally.respondents,
        answered if whole else None,
        cells,
        no_answer,
        headline,
        interval,
    )


def _several(spec: Spec, tally: Tally, k: int) -> Figures:
    """Each option is its own line, chosen + not chosen = the group's respondents.

    The base is every respondent of the group, not only those who ticked something: with
    "answered" a figure of its own, a hidden small "no answer" could be narrowed down from the
    options' counts (answered is at least the largest of them).
    """
    respondents = tally.respondents
    cells = []
    for code, label in spec.choices:
        chosen = tally.values.get(code, 0)
        if chosen > respondents:
            raise ValueError(f"more chose {code!r} than answered")
        counts = {"chosen": chosen, "not": respondents - chosen}
        line = suppress_counts(counts, k)
        if pinned(counts, line):  # any option pinned hides the question (surveys.pinning)
            return Figures(spec.kind, respondents, None, suppressed=True)
        count = line.shown["chosen"]
        share = interval = None
        if count is not None:
            share, interval = _percent(count, respondents), wilson_interval(count, respondents)
        status = _status("chosen", line.shown, line.primary)
        cells.append(Cell(code, label, count, status, share, interval))
    return Figures(spec.kind, respondents, respondents, tuple(cells))


def _bin_counts(spec: Spec, values: Mapping[str, int]) -> dict[str, int]:
    counts = {b.code: 0 for b in spec.bins}
    for raw, count in values.items():
        value = int(raw)
        for b in spec.bins:
            if b.low <= value <= b.high:
                counts[b.code] += count
                break
        else:
            raise ValueError(f"{value} is in no bin")
    return counts


def median_of(values: Mapping[str, int]) -> float | None:
    """The median of numbers given as {number as text: how many}, without expanding them."""
    pairs = sorted((int(v), c) for v, c in values.items() if c > 0)
    n = sum(c for _, c in pairs)
    if n == 0:
        return None
    wanted = [(n - 1) // 2, n // 2]
    found: list[int] = []
    seen = 0
    for value, count in pairs:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return (found[0] + found[1]) / 2

"""Existing feedback as evidence (issue 22): the aggregated results of a survey run elsewhere.

A file holds one row per statement and group, with either a count per answer option
("count: Strongly agree", ...) or favourable / valid / don't know counts, and the survey's name,
dates and method. This module reads such rows (already split into cells by the caller), checks
every rule with errors by row and column, suggests an indicator per statement and a place per
answer option, and works out the figures a group may show.

The rules the figures follow are DESIGN.md 6.5 and 7, applied to counts we did not collect:
- Percent favourable = favourable / valid (answers other than Don't know), Don't know beside it.
- A group that fewer than k people answered is kept out (its counts are never stored); when one
  group of a statement is the exact sum of the others (an "All staff" row), it is a total and
  complementary suppression applies, so no small group can be found by subtraction.
- The interval is Wilson's on the statement's valid count. Aggregated counts cannot give the
  clustered interval of a pooled indicator (we do not know who gave which answers), so an
  indicator with several external statements shows them one by one, never pooled.

No Flask, no SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Literal

from surveys.statistics import quantity_word, whole_percent, wilson_interval
from surveys.suppression import check_threshold, suppress_counts

Place = Literal["favourable", "unfavourable", "dont_know"]
PLACES: tuple[Place, ...] = ("favourable", "unfavourable", "dont_know")
PLACE_LABELS: dict[str, str] = {
    "favourable": "Favourable",
    "unfavourable": "Not favourable",
    "dont_know": "Don't know",
}

COUNT_PREFIX = "count:"
MAX_TEXT = 1000

# Column names, as a person would type them; any spelling in a column's tuple is accepted.
COLUMNS: dict[str, tuple[str, ...]] = {
    "statement": ("statement", "question", "item"),
    "group": ("group", "audience", "respondent group"),
    "survey": ("survey", "survey name"),
    "start_date": ("start date", "from", "opened"),
    "end_date": ("end date", "to", "closed"),
    "method": ("method", "how it was run"),
    "favourable": ("favourable",),
    "valid": ("valid", "valid answers"),
    "dont_know": ("don't know", "dont know"),
    "answered": ("answered", "total answered", "respondents"),
    "indicator": ("indicator", "indicator id", "quality indicator"),
}
REQUIRED = ("statement", "group", "survey", "method")
TEMPLATE_HEADER = (
    "Statement",
    "Group",
    "count: Strongly agree",
    "count: Agree",
    "count: Disagree",
    "count: Strongly disagree",
    "count: Don't know",
    "Answered",
    "Survey",
    "Start date",
    "End date",
    "Method",
)
TEMPLATE_EXAMPLE = (
    "I feel valued for the work I do.",
    "Teaching staff",
    12,
    20,
    6,
    2,
    1,
    41,
    "Staff survey 2026",
    "2026-03-01",
    "2026-03-31",
    "Online questionnaire sent to all staff",
)


# ---------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True, slots=True)
class CellError:
    row: int  # the file's own row number (1 = the heading row)
    column: str  # the column's heading as written, or "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column “{self.column}”" if self.column else "")
        return f"{where}: {self.message}"


class ExternalFileError(ValueError):
    """Everything wrong with a file, by row and column; nothing of it may be imported."""

    def __init__(self, errors: Sequence[CellError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


# ---------------------------------------------------------------------------------------------
# Reading the rows


@dataclass(frozen=True, slots=True)
class SurveyRow:
    line: int
    statement: str
    group: str
    options: tuple[tuple[str, int], ...]  # per answer option (the "options" form), else ()
    favourable: int | None  # the "summary" form
    valid: int | None
    dont_know: int
    answered: int  # everyone who answered the statement in this group, Don't know included
    indicator: str = ""  # the file's own suggestion of an indicator id, if it has the column


@dataclass(frozen=True, slots=True)
class SurveyFile:
    survey: str
    start_date: date | None
    end_date: date | None
    method: str
    form: Literal["options", "summary"]
    options: tuple[str, ...]  # the answer options, in the file's order ("options" form)
    rows: tuple[SurveyRow, ...]
    indicator_heading: str = ""  # the Indicator column's heading as written, if there is one

    @property
    def statements(self) -> list[str]:
        seen: dict[str, None] = {}
        for row in self.rows:
            seen.setdefault(row.statement, None)
        return list(seen)

    def rows_of(self, statement: str) -> list[SurveyRow]:
        return [r for r in self.rows if r.statement == statement]


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").casefold().split())


def _heading_key(heading: str) -> str | None:
    norm = _norm(heading)
    for key, names in COLUMNS.items():
        if norm in names:
            return key
    return None


def _count(value: str) -> int | str:
    """An int, or the plain-English reason it is not a count."""
    text = value.strip().replace(",", "")
    if not text:
        return "is empty: enter a count (0 if nobody gave this answer)"
    try:
        number = float(text)
    except ValueError:
        return f"“{value.strip()[:40]}” is not a number"
    if number != number or number in (float("inf"), float("-inf")):
        return f"“{value.strip()[:40]}” is not a number"
    if number < 0:
        return f"{value.strip()} is negative: a count cannot be below 0"
    if number != int(number):
        return f"{value.strip()} is not a whole number"
    return int(number)


def _date(value: str) -> date | str:
    text = value.strip()
    if " " in text:
        text = text.split(" ", 1)[0]  # a spreadsheet date with 00:00:00
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)  # UK day/month/year
    if match:
        try:
            return date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            pass
    return f"“{value.strip()[:40]}” is not a date: write it as 2026-03-31 or 31/03/2026"


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates as ISO dates, whole floats without their '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(rows: Iterable[tuple[int, Sequence[str]]], max_errors: int = 50) -> SurveyFile:
    """Check every row and build the file, or raise ExternalFileError listing what is wrong."""
    errors: list[CellError] = []
    iterator = iter(rows)
    header: list[str] = []
    header_line = 1
    for line, cells in iterator:
        if any(c.strip() for c in cells):
            header, header_line = [c.strip() for c in cells], line
            break
    if not header:
        raise ExternalFileError([CellError(1, "", "the file is empty: no heading row found")])

    keys: dict[int, str] = {}  # column index -> field key
    option_columns: dict[int, str] = {}  # column index -> option label
    seen_names: dict[str, str] = {}
    for index, heading in enumerate(header):
        if not heading:
            continue
        if _norm(heading).startswith(COUNT_PREFIX):
            label = " ".join(heading.split(":", 1)[1].split())
            if not label:
                errors.append(
                    CellError(header_line, heading, "name the answer option after “count:”")
                )
                continue
            if _norm(label) in seen_names:
                errors.append(CellError(header_line, heading, "this answer option appears twice"))
            seen_names[_norm(label)] = heading
            option_columns[index] = label
            continue
        key = _heading_key(heading)
        if key is None:
            errors.append(
                CellError(
                    header_line,
                    heading,
                    "unknown column. Use the template's columns: Statement, Group, one "
                    "“count: <answer option>” column per option (or Favourable, Valid and "
                    "Don't know), Answered, Survey, Start date, End date and Method",
                )
            )
            continue
        if key in keys.values():
            errors.append(CellError(header_line, heading, "this column appears twice"))
        keys[index] = key
    present = set(keys.values())
    for key in REQUIRED:
        if key not in present:
            errors.append(CellError(header_line, "", f"the column “{COLUMNS[key][0]}” is missing"))
    summary = {"favourable", "valid"} & present
    if option_columns and (summary or "dont_know" in present):
        errors.append(
            CellError(
                header_line,
                "",
                "give either a count per answer option or Favourable and Valid counts, not both",
            )
        )
    elif not option_columns and summary != {"favourable", "valid"}:
        errors.append(
            CellError(
                header_line,
                "",
                "no counts: add one “count: <answer option>” column per option, or Favourable "
                "and Valid columns",
            )
        )
    elif option_columns and len(option_columns) < 2:
        errors.append(
            CellError(
                header_line,
                next(iter(option_columns.values())),
                "a scale needs at least two answer options",
            )
        )
    if errors:
        raise ExternalFileError(errors)

    heading_of = {i: header[i] for i in range(len(header))}
    column_of = {key: i for i, key in keys.items()}
    form: Literal["options", "summary"] = "options" if option_columns else "summary"
    meta: dict[str, tuple[str, int]] = {}  # survey/method/dates: first value and its row
    parsed: list[SurveyRow] = []
    pairs: dict[tuple[str, str], int] = {}

    def value(cells: Sequence[str], key: str) -> str:
        index = column_of.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for line, cells in iterator:
        if len(errors) >= max_errors:
            break
        if not any(c.strip() for c in cells):
            continue
        row_errors: list[CellError] = []
        extra = [i for i in range(len(header), len(cells)) if cells[i].strip()]
        if extra:
            row_errors.append(CellError(line, "", "has values beyond the last heading"))
        statement = " ".join(value(cells, "statement").split())
        group = " ".join(value(cells, "group").split())
        for key, text in (("statement", statement), ("group", group)):
            if not text:
                row_errors.append(CellError(line, heading_of[column_of[key]], "is empty"))
            elif len(text) > MAX_TEXT:
                row_errors.append(
                    CellError(line, heading_of[column_of[key]], f"is over {MAX_TEXT} characters")
                )
        for key in ("survey", "method", "start_date", "end_date"):
            text = " ".join(value(cells, key).split())
            if not text:
                continue
            if key not in meta:
                meta[key] = (text, line)
            elif _norm(meta[key][0]) != _norm(text):
                row_errors.append(
                    CellError(
                        line,
                        heading_of[column_of[key]],
                        f"differs from row {meta[key][1]} (“{meta[key][0][:60]}”): one file "
                        "holds one survey",
                    )
                )

        def counted(
            index: int,
            cells: Sequence[str] = cells,
            errs: list[CellError] = row_errors,
            at: int = line,
        ) -> int | None:
            got = _count(cells[index] if index < len(cells) else "")
            if isinstance(got, str):
                errs.append(CellError(at, heading_of[index], got))
                return None
            return got

        options: list[tuple[str, int]] = []
        favourable = valid = None
        dont_know = 0
        if form == "options":
            for index, label in option_columns.items():
                got = counted(index)
                if got is not None:
                    options.append((label, got))
            total = sum(c for _, c in options)
        else:
            favourable = counted(column_of["favourable"])
            valid = counted(column_of["valid"])
            if "dont_know" in column_of:
                dont_know = counted(column_of["dont_know"]) or 0
            if favourable is not None and valid is not None and favourable > valid:
                row_errors.append(
                    CellError(
                        line,
                        heading_of[column_of["favourable"]],
                        f"{favourable} favourable is more than the {valid} valid answers",
                    )
                )
            total = (valid or 0) + dont_know
        answered = total
        if "answered" in column_of and value(cells, "answered"):
            got = counted(column_of["answered"])
            if got is not None and not row_errors and got != total:
                parts = "the answer options" if form == "options" else "Valid and Don't know"
                row_errors.append(
                    CellError(
                        line,
                        heading_of[column_of["answered"]],
                        f"the counts do not add up: {parts} sum to {total}, not {got}",
                    )
                )
        if statement and group:
            pair = (_norm(statement), _norm(group))
            if pair in pairs:
                row_errors.append(
                    CellError(line, "", f"repeats the statement and group of row {pairs[pair]}")
                )
            pairs.setdefault(pair, line)
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            SurveyRow(
                line,
                statement,
                group,
                tuple(options),
                favourable,
                valid,
                dont_know,
                answered,
                " ".join(value(cells, "indicator").split()),
            )
        )

    if len(errors) >= max_errors:
        errors = errors[:max_errors]
    for key in ("survey", "method"):
        if key not in meta and not errors:
            errors.append(
                CellError(header_line + 1, heading_of[column_of[key]], "is empty on every row")
            )
    dates: dict[str, date | None] = {}
    for key in ("start_date", "end_date"):
        dates[key] = None
        if key in meta:
            when = _date(meta[key][0])
            if isinstance(when, str):
                errors.append(CellError(meta[key][1], heading_of[column_of[key]], when))
            else:
                dates[key] = when
    start, end = dates["start_date"], dates["end_date"]
    if start and end and end < start:
        errors.append(
            CellError(
                meta["end_date"][1], heading_of[column_of["end_date"]], "is before the start date"
            )
        )
    if not parsed and not errors:
        errors.append(CellError(header_line, "", "the file has a heading row but no results"))
    if errors:
        raise ExternalFileError(errors)
    return SurveyFile(
        survey=meta["survey"][0][:200],
        start_date=start,
        end_date=end,
        method=meta["method"][0][:300],
        form=form,
        options=tuple(option_columns.values()),
        rows=tuple(parsed),
        indicator_heading=heading_of[column_of["indicator"]] if "indicator" in column_of else "",
    )


def check_indicators(
    survey: SurveyFile, assessment_ids: Sequence[str], framework_ids: Iterable[str]
) -> list[CellError]:
    """The Indicator column's values: each one of the assessment's indicators, one per
    statement. Empty cells are fine (the team chooses on the confirmation page)."""
    errors: list[CellError] = []
    known = set(framework_ids)
    chosen: dict[str, tuple[str, int]] = {}
    for row in survey.rows:
        if not row.indicator:
            continue
        heading = survey.indicator_heading
        if row.indicator not in known:
            errors.append(
                CellError(
                    row.line,
                    heading,
                    f"“{row.indicator[:40]}” is not an indicator of this assessment's framework",
                )
            )
        elif row.indicator not in assessment_ids:
            errors.append(
                CellError(
                    row.line,
                    heading,
                    f"{row.indicator} is in the framework but not in this assessment: add it to "
                    "the assessment first, or leave the cell empty",
                )
            )
        held = chosen.setdefault(row.statement, (row.indicator, row.line))
        if held[0] != row.indicator:
            errors.append(
                CellError(
                    row.line,
                    heading,
                    f"row {held[1]} maps the same statement to {held[0]}: one indicator per "
                    "statement",
                )
            )
    return errors


# ---------------------------------------------------------------------------------------------
# The scale: each answer option placed as favourable, not favourable or don't know

_DONT_KNOW_WORDS = (
    "don't know",
    "dont know",
    "do not know",
    "not sure",
    "unsure",
    "n/a",
    "not applicable",
    "prefer not to say",
    "no opinion",
    "can't say",
)
_UNFAVOURABLE_WORDS = (
    "strongly disagree",
    "disagree",
    "tend to disagree",
    "mostly disagree",
    "neither agree nor disagree",
    "neither",
    "neutral",
    "very dissatisfied",
    "dissatisfied",
    "neither satisfied nor dissatisfied",
    "no",
    "not really",
    "poor",
    "very poor",
    "fair",
    "never",
    "rarely",
    "sometimes",
    "not at all",
    "sad",
    "unhappy",
    "ok",
)
_FAVOURABLE_WORDS = (
    "strongly agree",
    "agree",
    "tend to agree",
    "mostly agree",
    "very satisfied",
    "satisfied",
    "yes",
    "yes, mostly",
    "always",
    "usually",
    "mostly",
    "excellent",
    "very good",
    "good",
    "happy",
)


def suggest_place(label: str) -> Place | None:
    """Where an answer option's words belong, or None when they are not ones we know."""
    words = _norm(label).strip(" .!")
    if words in _DONT_KNOW_WORDS:
        return "dont_know"
    if words in _UNFAVOURABLE_WORDS:
        return "unfavourable"
    if words in _FAVOURABLE_WORDS:
        return "favourable"
    return None


def check_scale(options: Sequence[str], places: Mapping[str, str]) -> dict[str, str]:
    """Errors per option (by label), empty when the scale maps: every option placed, and at
    least one favourable and one not-favourable option (else no proportion means anything)."""
    errors: dict[str, str] = {}
    for label in options:
        if places.get(label) not in PLACES:
            errors[label] = f"Say whether “{label}” is favourable, not favourable or Don't know."
    if errors:
        return errors
    chosen = [places[label] for label in options]
    if "favourable" not in chosen:
        errors[options[0]] = "The scale cannot be mapped: no option is favourable."
    elif "unfavourable" not in chosen:
        errors[options[0]] = "The scale cannot be mapped: every option is favourable or Don't know."
    return errors


def scale_words(options: Sequence[str], places: Mapping[str, str]) -> str:
    """The mapping in a sentence, stated on the evidence."""
    parts = []
    for place in PLACES:
        labels = [label for label in options if places.get(label) == place]
        if labels:
            parts.append(f"{PLACE_LABELS[place]}: " + ", ".join(f"“{x}”" for x in labels))
    return "; ".join(parts) + "."


# ---------------------------------------------------------------------------------------------
# Statement -> indicator suggestions

_STOP_WORDS = """a about above after all also am an and any are as at be been being both but by
    can could
    did do does doing for from had has have having he her here hers him his how i if in into is it
    its me more most my no nor not of on once only or other our ours out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours feel think well know get good us really always often"""
_STOP = frozenset(_STOP_WORDS.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z]+", _norm(text)) if len(w) > 2 and w not in _STOP}


@dataclass(frozen=True, slots=True)
class IndicatorWords:
    id: str
    title: str
    themes: tuple[str, ...]  # theme titles


def suggest_indicator(statement: str, indicators: Sequence[IndicatorWords]) -> str | None:
    """The indicator whose themes (counted twice) and title share most words with the
    statement; ties go to the first in framework order; None when no word is shared."""
    said = words_of(statement)
    best: tuple[int, str] | None = None
    for indicator in indicators:
        theme_words: set[str] = set()
        for theme in indicator.themes:
            theme_words |= words_of(theme)
        score = 2 * len(said & theme_words) + len(said & words_of(indicator.title))
        if score and (best is None or score > best[0]):
            best = (score, indicator.id)
    return best[1] if best else None


# ---------------------------------------------------------------------------------------------
# Figures per statement and group, with the threshold applied

Status = Literal["shown", "suppressed", "withheld", "empty"]


@dataclass(frozen=True, slots=True)
class GroupFigures:
    group: str
    status: Status
    answered: int | None = None  # None unless shown
    favourable: int | None = None
    valid: int | None = None
    dont_know: int | None = None
    options: tuple[tuple[str, int], ...] = ()

    @property
    def shown(self) -> bool:
        return self.status == "shown"


@dataclass(frozen=True, slots=True)
class StatementFigures:
    statement: str
    groups: tuple[GroupFigures, ...]
    total_group: str | None = None  # the group found to be the sum of the others
    kept_out: tuple[str, ...] = field(default=())


def _favourable_valid(row: SurveyRow, places: Mapping[str, str]) -> tuple[int, int, int]:
    if row.favourable is not None and row.valid is not None:
        return row.favourable, row.valid, row.dont_know
    favourable = sum(c for label, c in row.options if places.get(label) == "favourable")
    dont_know = sum(c for label, c in row.options if places.get(label) == "dont_know")
    return favourable, row.answered - dont_know, dont_know


def _total_group(rows: Sequence[SurveyRow]) -> str | None:
    """A group whose every count is the sum of the other groups' (an "All" row), if any."""
    if len(rows) < 3:
        return None  # with two groups, "the sum of the other" would be a copy, not a total

    def vector(row: SurveyRow) -> tuple[int, ...]:
        if row.options:
            return tuple(c for _, c in row.options)
        return (row.favourable or 0, row.valid or 0, row.dont_know)

    for candidate in rows:
        others = [vector(r) for r in rows if r is not candidate]
        summed = tuple(sum(v[i] for v in others) for i in range(len(vector(candidate))))
        if summed == vector(candidate):
            return candidate.group
    return None


def statement_figures(rows: Sequence[SurveyRow], k: int) -> StatementFigures:
    """One statement's groups as they may be shown: under k kept out, complements withheld.

    Hidden groups keep no counts at all, so nothing stored from here can show them."""
    check_threshold(k)
    total = _total_group(rows)
    parts = {r.group: r.answered for r in rows if r.group != total}
    table = suppress_counts(parts, k, with_total=total is not None)
    hidden_total = total is not None and table.total_suppressed
    groups = []
    for row in rows:
        if row.group == total:
            hidden, small = hidden_total, row.answered < k
        else:
            hidden, small = row.group in table.hidden, row.group in table.primary
        if row.answered == 0:
            groups.append(GroupFigures(row.group, "empty"))
        elif hidden:
            groups.append(GroupFigures(row.group, "suppressed" if small else "withheld"))
        else:
            groups.append(
                GroupFigures(
                    row.group,
                    "shown",
                    answered=row.answered,
                    favourable=row.favourable,
                    valid=row.valid,
                    dont_know=row.dont_know,
                    options=row.options,
                )
            )
    kept = tuple(g.group for g in groups if g.status in ("suppressed", "withheld"))
    return StatementFigures(rows[0].statement, tuple(groups), total, kept)


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A shown group's figure; percents unrounded (0..100), interval ends as percents."""

    favourable: int
    valid: int
    dont_know: int
    answered: int
    percent: float | None
    ci_low: float | None
    ci_high: float | None
    word: str | None


def group_result(figures: GroupFigures, places: Mapping[str, str]) -> GroupResult:
    """Favourable of valid with Wilson's interval on the statement's valid count."""
    if not figures.shown or figures.answered is None:
        raise ValueError("only a shown group has figures")
    row = SurveyRow(
        0,
        "",
        figures.group,
        figures.options,
        figures.favourable,
        figures.valid,
        figures.dont_know or 0,
        figures.answered,
    )
    favourable, valid, dont_know = _favourable_valid(row, places)
    interval = wilson_interval(favourable, valid)
    percent = 100 * favourable / valid if valid else None
    return GroupResult(
        favourable,
        valid,
        dont_know,
        figures.answered,
        percent,
        interval[0] * 100 if interval else None,
        interval[1] * 100 if interval else None,
        quantity_word(percent_fraction(favourable, valid)) if valid else None,
    )


def percent_fraction(favourable: int, valid: int) -> Fraction:
    """The exact percentage, so the band word never suffers rounding (9 of 10 is "most")."""
    return Fraction(100 * favourable, valid)


_LEADS = {
    "all": "all {}",
    "almost all": "almost all {}",
    "most": "most {}",
    "majority": "the majority of {}",
    "less than half": "less than half of {}",
    "few": "few {}",
    "none": "no {}",
}


def group_phrase(group: str) -> str:
    """'Teaching staff' reads 'teaching staff' inside a sentence; 'NHS staff' stays."""
    if len(group) > 1 and group[0].isupper() and group[1].islower():
        return group[0].lower() + group[1:]
    return group


def sentence(statement: str, group: str, result: GroupResult, survey: str) -> str:
    """'Most teaching staff (78%, 32 of 41; 95% CI 63-88%) respond favourably to "..." in
    the external survey “Staff survey 2026”.'"""
    clause = statement.strip().rstrip(".").strip()
    where = f" in the external survey “{survey}”"
    if result.percent is None or result.ci_low is None or result.ci_high is None:
        text = f"No answers from {group_phrase(group)} other than Don't know{where}."
        return text[:1].upper() + text[1:]
    lead = _LEADS[result.word or "none"].format(group_phrase(group))
    figures = (
        f"{whole_percent(result.percent)}%, {result.favourable} of {result.valid}; 95% CI "
        f"{whole_percent(result.ci_low)}-{whole_percent(result.ci_high)}%"
    )
    text = f'{lead} ({figures}) respond favourably to "{clause}"{where}.'
    return text[:1].upper() + text[1:]

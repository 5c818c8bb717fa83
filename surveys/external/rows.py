"""The rows of a file of survey results from elsewhere: its columns, and every rule checked by
row and column (unknown columns, counts that are missing, negative, not whole numbers or do
not add up, one survey per file, one row per statement and group, the Indicator column)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

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


def norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").casefold().split())


def _heading_key(heading: str) -> str | None:
    text = norm(heading)
    for key, names in COLUMNS.items():
        if text in names:
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


def read_rows(
    rows: Iterable[tuple[int, Sequence[str]]], max_errors: int = 50, today: date | None = None
) -> SurveyFile:
    """Check every row and build the file, or raise ExternalFileError listing what is wrong.
    `today` (the service's day) refuses survey dates still to come: results are of the past."""
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
        if norm(heading).startswith(COUNT_PREFIX):
            label = " ".join(heading.split(":", 1)[1].split())
            if not label:
                errors.append(
                    CellError(header_line, heading, "name the answer option after “count:”")
                )
                continue
            if norm(label) in seen_names:
                errors.append(CellError(header_line, heading, "this answer option appears twice"))
            seen_names[norm(label)] = heading
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
            elif norm(meta[key][0]) != norm(text):
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
            pair = (norm(statement), norm(group))
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
            elif today is not None and when > today:
                errors.append(
                    CellError(meta[key][1], heading_of[column_of[key]], "is in the future")
                )
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

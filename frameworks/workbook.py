"""Frameworks as Excel workbooks: the blank template, a framework written out, and reading back.

One sheet per kind of row (sections, indicators, themes, items, ...), one row per thing, so a
spreadsheet user never packs lists into a cell except an indicator's or thread's links. Reading
a workbook gives the same plain data a YAML file gives, then the schema validates it; every
error names the sheet, row and column it came from ("Items row 7, column C: statement is
empty"), including the schema's own errors where a cell can be found for them.

Writing a framework and reading it back gives an equal `Framework` (tested for the built-ins).
Pure Python + openpyxl: no Flask, no SQL.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from frameworks.loader import FrameworkError, load_text, parse_framework
from frameworks.schema import ITEM_SCALES, STANDARD_AUDIENCES, Framework, Problem

__all__ = [
    "MAX_ROWS",
    "WORKBOOK_SUFFIXES",
    "YAML_SUFFIXES",
    "framework_workbook",
    "load_upload",
    "read_workbook",
    "workbook_bytes",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml", ".json")  # JSON is YAML, so `show --json` output imports too
MAX_ROWS = 10_000  # per sheet; far above any real framework, far below a zip bomb
MAX_COLUMNS = 40  # the widest sheet has 7; more is read only to report unknown headings
MAX_UNPACKED_BYTES = 50_000_000  # the four built-ins unpack to well under 1 MB each
_ZIP_MAGIC = b"PK\x03\x04"

# -- the layout -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # where the value goes, relative to the row's object ("illustrations.level_5")
    header: str
    help: str
    width: int = 18
    as_text: bool = False  # ids: keep Excel from turning "1.10" into the number 1.1
    required: bool = False  # the column must exist (its cells may still be checked later)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    help: str
    required: bool = False

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _id(help_text: str, required: bool = True) -> Column:
    return Column("id", "id", help_text, 14, as_text=True, required=required)


def _ref(key: str, help_text: str, required: bool = True) -> Column:
    return Column(key, key, help_text, 16, as_text=True, required=required)


# Framework sheet: one row per field (label in A, value in B, help in C).
FRAMEWORK_FIELDS: tuple[tuple[str, tuple[str, ...], str, bool], ...] = (
    ("id", ("id",), "Short id: lower-case letters, digits and hyphens, e.g. our-standards.", True),
    ("title", ("title",), "The framework's full title.", True),
    ("short title", ("short_title",), "Optional shorter title for menus.", False),
    (
        "description",
        ("description",),
        "Optional: what the framework is for, in a few lines.",
        False,
    ),
    ("source document", ("source", "document"), "The document it comes from (file or name).", True),
    ("source title", ("source", "title"), "That document's title.", True),
    ("source section", ("source", "section"), "Optional: the part of the document used.", False),
    (
        "rating scale id",
        ("rating_scale", "id"),
        "Short id of the rating scale, e.g. six-point.",
        True,
    ),
    ("rating scale title", ("rating_scale", "title"), "The rating scale's name.", True),
    (
        "good from",
        ("rating_scale", "good_from"),
        "The level code from which a rating counts as good or better (e.g. 4).",
        True,
    ),
)

FRAMEWORK_SHEET = SheetSpec(
    "Framework",
    (
        Column(
            "field", "field", "What this row is (do not change this column).", 22, required=True
        ),
        Column("value", "value", "Fill in the value for this row.", 60, required=True),
        Column("help", "help", "What to write.", 60),
    ),
    "One row per field of the framework as a whole.",
    required=True,
)

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "Scale",
        (
            Column("code", "code", "What is stored and shown, e.g. 6 or a.", 10, as_text=True),
            Column("label", "label", "The level's name, e.g. Excellent.", 28),
            Column("descriptor", "descriptor", "Optional: what the level means.", 60),
        ),
        "The levels a Self-Assessment Team rates on, best first (at least two).",
        required=True,
    ),
    SheetSpec(
        "Audiences",
        (
            _id("Short id for an extra audience, e.g. pupils."),
            Column("label", "label", "How the audience is named on screen.", 30),
        ),
        "Optional: audiences beyond the standard six (staff, partners, parents, children, "
        "service_users, community).",
    ),
    SheetSpec(
        "Groups",
        (
            _id("Short id, e.g. q1."),
            Column("title", "title", "The group's title, e.g. a high-level question.", 60),
        ),
        "Optional: a level above sections, such as HMIE's high-level questions.",
    ),
    SheetSpec(
        "Sections",
        (
            _id("Short id, e.g. 1 or leadership."),
            Column("title", "title", "The section's title.", 40),
            _ref("group", "Optional: the id of its group (Groups sheet).", required=False),
            Column("summary", "summary", "Optional: what the section covers.", 60),
        ),
        "Sections group the indicators (key areas, standard groups, ...).",
        required=True,
    ),
    SheetSpec(
        "Components",
        (
            _ref("section", "The section id (Sections sheet)."),
            Column("component", "component", "One component per row.", 60),
        ),
        "Optional: components listed under a section, one per row, in order.",
    ),
    SheetSpec(
        "Indicators",
        (
            _id("Short id, e.g. 2.1. No commas, semicolons or slashes."),
            Column("title", "title", "The indicator's title.", 40),
            _ref("section", "The section id (Sections sheet)."),
            Column("summary", "summary", "Optional: what the indicator is about.", 50),
            Column(
                "links",
                "links",
                "Optional: ids of related indicators, separated by commas, e.g. 5.1, 6.2.",
                16,
                as_text=True,
            ),
            Column(
                "illustrations.level_5",
                "level 5 illustration",
                "Optional: what very good looks like.",
                40,
            ),
            Column(
                "illustrations.level_2",
                "level 2 illustration",
                "Optional: what weak looks like.",
                40,
            ),
        ),
        "The things a Self-Assessment Team rates, one per row, in order.",
        required=True,
    ),
    SheetSpec(
        "Themes",
        (
            _ref("indicator", "The indicator id (Indicators sheet)."),
            _id("Short id, unique within the indicator, e.g. 2.1-a."),
            Column("title", "title", "The theme's wording.", 60),
            Column(
                "stakeholder_report",
                "stakeholder report",
                "yes if the theme is what stakeholders report; otherwise leave blank.",
                12,
            ),
        ),
        "Optional: themes of each indicator, one per row, in order.",
    ),
    SheetSpec(
        "Items",
        (
            _ref("indicator", "The indicator id (Indicators sheet)."),
            _ref(
                "audience",
                "Who answers: staff, partners, parents, children, service_users, "
                "community, or an id from the Audiences sheet.",
            ),
            Column(
                "statement",
                "statement",
                "One first-person sentence, one idea, plain words, e.g. I am kept informed.",
                60,
                required=True,
            ),
            _ref("theme", "Optional: the theme id it asks about (Themes sheet).", required=False),
            Column(
                "scale",
                "scale",
                "Optional: agree4, faces3 or progress5. Blank: chosen for the audience.",
                10,
            ),
        ),
        "The item bank: statements people answer, one per row. Give an audience items only for "
        "indicators it can judge from experience.",
    ),
    SheetSpec(
        "Standard detail",
        (
            _ref("indicator", "The indicator id (Indicators sheet)."),
            Column(
                "field",
                "field",
                "actor, intended outcome, behaviour, skill or ability, or "
                "knowledge or understanding.",
                26,
                required=True,
            ),
            Column(
                "text", "text", "The text; one behaviour, skill or piece of knowledge per row.", 70
            ),
        ),
        "Optional: Derwent-style detail of a standard, one piece per row.",
    ),
    SheetSpec(
        "Threads",
        (
            _id("Short id, e.g. staff-development."),
            Column("title", "title", "The thread's title.", 40),
            Column("explanation", "explanation", "Optional: what the thread is about.", 60),
            Column(
                "links",
                "links",
                "Ids of the indicators it links, separated by commas.",
                30,
                as_text=True,
            ),
        ),
        "Optional: red threads, topics that link indicators across sections.",
    ),
    SheetSpec(
        "Evidence sources",
        (
            _id("Short id, e.g. documentation."),
            Column("title", "title", "The source of evidence.", 30),
            Column("description", "description", "Optional: what it covers.", 60),
        ),
        "Optional: the sources of evidence the framework names.",
    ),
    SheetSpec(
        "Review questions",
        (
            _id("Short id, e.g. underlying-causes."),
            Column("question", "question", "The question the team answers at the end.", 70),
        ),
        "Optional: questions for reviewing the whole self-assessment.",
    ),
    SheetSpec(
        "Notes",
        (
            Column(
                "kind", "kind", "note, stakeholder group or results question.", 20, required=True
            ),
            Column("text", "text", "The text, one per row.", 80),
        ),
        "Optional: notes, stakeholder groups and results questions, one per row, in order.",
    ),
)
SHEET = {spec.name: spec for spec in SHEETS}
INSTRUCTIONS = "Instructions"
_CHOICES = "_choices"  # hidden sheet feeding the drop-down lists

DETAIL_FIELDS = {
    "actor": "actor",
    "intended outcome": "intended_outcome",
    "behaviour": "behaviours",
    "skill or ability": "skills_and_abilities",
    "knowledge or understanding": "knowledge_and_understanding",
}
DETAIL_LISTS = {"behaviours", "skills_and_abilities", "knowledge_and_understanding"}
NOTE_KINDS = {
    "note": "notes",
    "stakeholder group": "stakeholder_groups",
    "results question": "results_questions",
}
YES = {"yes", "y", "true", "x", "1"}
NO = {"no", "n", "false", "0", ""}

# -- writing ----------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1D4F91")
_WRAP = Alignment(wrap_text=True, vertical="top")
_VALIDATED_ROWS = 2_000


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula: framework text is not trusted


def _header(ws: Worksheet, spec: SheetSpec) -> None:
    for n, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=n, value=col.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        comment = Comment(col.help, "Chorus")
        comment.width, comment.height = 260, 90
        cell.comment = comment
        letter = get_column_letter(n)
        ws.column_dimensions[letter].width = col.width
        if col.as_text:
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"


def _validate(ws: Worksheet, spec: SheetSpec, key: str, formula: str, strict: bool) -> None:
    letter = get_column_letter(spec.columns.index(spec.column(key)) + 1)
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        errorStyle="stop" if strict else "warning",
        error="Choose from the list." if strict else "This is not in the list. Keep it anyway?",
        errorTitle="Check this value",
        showErrorMessage=True,
    )
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{_validated_rows(ws)}")


def _validated_rows(ws: Worksheet) -> int:
    """Down to this row the drop-down lists apply: room to add rows below a written framework."""
    return max(_VALIDATED_ROWS, ws.max_row + _VALIDATED_ROWS)


def _quoted(values: list[str]) -> str:
    return '"' + ",".join(values) + '"'


def _instructions(wb: Workbook) -> None:
    ws = wb.active
    ws.title = INSTRUCTIONS
    ws.column_dimensions["A"].width = 110
    lines = [
        ("How to write a framework for Chorus", True),
        ("", False),
        (
            "Fill in the sheets, save the file as Excel (.xlsx), then import it: on the "
            "Frameworks page choose 'Import a framework', or run "
            "flask --app wsgi frameworks import FILE --org 'Your organisation'.",
            False,
        ),
        (
            "Row 1 of each sheet holds the column headings: keep them. Point at a heading to "
            "read what goes in the column. One thing per row; empty rows are skipped.",
            False,
        ),
        (
            "Ids are short codes (2.1, leadership, cw-1). Other sheets refer to them, so type "
            "them exactly the same everywhere.",
            False,
        ),
        (
            "Nothing is imported until the whole workbook is right: every problem is listed "
            "with its sheet, row and column, so you can fix them all at once.",
            False,
        ),
        ("", False),
        ("The sheets", True),
        (f"{FRAMEWORK_SHEET.name} (required): {FRAMEWORK_SHEET.help}", False),
        *[(f"{s.name}{' (required)' if s.required else ''}: {s.help}", False) for s in SHEETS],
        ("", False),
        ("Writing statements for the Items sheet", True),
        (
            "Write in the first person, as the respondent: 'I am kept informed about my child's "
            "progress.'",
            False,
        ),
        (
            "One idea per statement: not 'I am informed and involved'. No 'and/or'. No jargon.",
            False,
        ),
        ("At most 20 words; for children at most 12 short, concrete words.", False),
        (
            "Audiences: " + ", ".join(f"{k} ({v})" for k, v in STANDARD_AUDIENCES.items()) + ".",
            False,
        ),
        (
            "Scales: agree4 (strongly agree to strongly disagree), faces3 (three faces, for "
            "children under 12), progress5 (a to e). Leave the scale blank to let Chorus choose.",
            False,
        ),
    ]
    for n, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=n, column=1, value=text)
        cell.alignment = _WRAP
        if bold:
            cell.font = Font(bold=True, size=13 if n == 1 else 11)


def _choices(wb: Workbook) -> None:
    ws = wb.create_sheet(_CHOICES)
    ws.sheet_state = "hidden"
    for n, audience in enumerate(STANDARD_AUDIENCES, start=1):
        ws.cell(row=n, column=1, value=audience)


def framework_workbook(framework: Framework | None = None) -> Workbook:
    """The import template (no framework) or a framework written out in the same layout."""
    wb = Workbook()
    _instructions(wb)
    ws = wb.create_sheet(FRAMEWORK_SHEET.name)
    _header(ws, FRAMEWORK_SHEET)
    data = framework.model_dump(mode="json") if framework else {}
    for n, (label, path, help_text, required) in enumerate(FRAMEWORK_FIELDS, start=2):
        ws.cell(row=n, column=1, value=label).font = Font(bold=required)
        value: Any = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        _put(ws, n, 2, value or None)
        ws.cell(row=n, column=2).alignment = _WRAP
        ws.cell(row=n, column=3, value=("Required. " if required else "") + help_text)
    ws.column_dimensions["B"].number_format = "@"
    for spec in SHEETS:
        sheet = wb.create_sheet(spec.name)
        _header(sheet, spec)
        for r, row in enumerate(_rows_of(spec.name, framework) if framework else [], start=2):
            for c, col in enumerate(spec.columns, start=1):
                _put(sheet, r, c, row.get(col.key))
    _choices(wb)
    _add_validations(wb)
    return wb


def _add_validations(wb: Workbook) -> None:
    n_audiences = len(STANDARD_AUDIENCES)
    # Warnings, not refusals, where a value may be an id defined on another sheet.
    _validate(wb["Items"], SHEET["Items"], "audience", f"={_CHOICES}!$A$1:$A${n_audiences}", False)
    _validate(wb["Items"], SHEET["Items"], "scale", _quoted(list(ITEM_SCALES)), True)
    _validate(wb["Themes"], SHEET["Themes"], "stakeholder_report", _quoted(["yes", "no"]), True)
    _validate(
        wb["Standard detail"], SHEET["Standard detail"], "field", _quoted(list(DETAIL_FIELDS)), True
    )
    _validate(wb["Notes"], SHEET["Notes"], "kind", _quoted(list(NOTE_KINDS)), True)

    def ids(sheet: str) -> str:
        return f"={sheet}!$A$2:$A${_validated_rows(wb[sheet])}"

    for sheet in ("Items", "Themes", "Standard detail"):
        _validate(wb[sheet], SHEET[sheet], "indicator", ids("Indicators"), False)
    _validate(wb["Components"], SHEET["Components"], "section", ids("Sections"), False)
    _validate(wb["Indicators"], SHEET["Indicators"], "section", ids("Sections"), False)
    _validate(wb["Sections"], SHEET["Sections"], "group", ids("Groups"), False)


def _rows_of(sheet: str, fw: Framework) -> Iterator[dict[str, Any]]:
    """The rows a sheet holds for a framework, as {column key: value}."""
    if sheet == "Scale":
        for level in fw.rating_scale.levels:
            yield level.model_dump()
    elif sheet == "Audiences":
        for audience in fw.audiences:
            yield audience.model_dump()
    elif sheet == "Groups":
        for group in fw.groups:
            yield group.model_dump()
    elif sheet == "Sections":
        for section in fw.sections:
            yield {
                "id": section.id,
                "title": section.title,
                "group": section.group,
                "summary": section.summary,
            }
    elif sheet == "Components":
        for section in fw.sections:
            for component in section.components:
                yield {"section": section.id, "component": component}
    elif sheet == "Indicators":
        for ind in fw.indicators:
            ills = ind.illustrations
            yield {
                "id": ind.id,
                "title": ind.title,
                "section": ind.section,
                "summary": ind.summary,
                "links": ", ".join(ind.links),
                "illustrations.level_5": ills.level_5 if ills else None,
                "illustrations.level_2": ills.level_2 if ills else None,
            }
    elif sheet == "Themes":
        for ind in fw.indicators:
            for theme in ind.themes:
                yield {
                    "indicator": ind.id,
                    "id": theme.id,
                    "title": theme.title,
                    "stakeholder_report": "yes" if theme.stakeholder_report else "no",
                }
    elif sheet == "Items":
        for ind in fw.indicators:
            for audience, items in ind.items.items():
                for item in items:
                    yield {"indicator": ind.id, "audience": audience, **item.model_dump()}
    elif sheet == "Standard detail":
        for ind in fw.indicators:
            if ind.detail is None:
                continue
            detail = ind.detail.model_dump()
            for label, key in DETAIL_FIELDS.items():
                values = detail[key] if isinstance(detail[key], list) else [detail[key]]
                for value in values:
                    if value:
                        yield {"indicator": ind.id, "field": label, "text": value}
    elif sheet == "Threads":
        for thread in fw.threads:
            yield {
                "id": thread.id,
                "title": thread.title,
                "explanation": thread.explanation,
                "links": ", ".join(thread.links),
            }
    elif sheet == "Evidence sources":
        for source in fw.evidence_sources:
            yield source.model_dump()
    elif sheet == "Review questions":
        for question in fw.review_questions:
            yield question.model_dump()
    elif sheet == "Notes":
        data = fw.model_dump()
        for label, key in NOTE_KINDS.items():
            for text in data[key]:
                yield {"kind": label, "text": text}


def workbook_bytes(framework: Framework | None = None) -> bytes:
    out = io.BytesIO()
    framework_workbook(framework).save(out)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A cell (or a row, or a whole sheet) that a piece of framework data came from."""

    sheet: str
    row: int | None = None
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.sheet} sheet"
        if self.column is None:
            return f"{self.sheet} row {self.row}"
        return f"{self.sheet} row {self.row}, column {get_column_letter(self.column)}"


@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # column key -> raw cell value (None when blank)
    columns: dict[str, int]  # column key -> 1-based column

    def place(self, sheet: str, key: str | None = None) -> Place:
        return Place(sheet, self.number, self.columns.get(key) if key else None)


@dataclass
class _Origin:
    place: Place
    columns: dict[str, int] = field(default_factory=dict)  # column key -> 1-based column
    headers: dict[str, str] = field(default_factory=dict)  # column key -> heading
    label: str | None = None  # what the place itself holds, for "... is empty"


class _Reader:
    """Turns sheets into framework data, noting where each piece came from."""

    def __init__(self, wb: Any, name: str):
        self.wb = wb
        self.name = name
        self.errors: list[tuple[Place, str]] = []
        self.origins: dict[tuple[Any, ...], _Origin] = {}
        self.flagged: set[tuple[str, int | None]] = set()

    # .. errors and origins ..................................................................

    def error(self, place: Place, message: str) -> None:
        self.errors.append((place, message))
        self.flagged.add((place.sheet, place.row))

    def note(
        self,
        loc: tuple[Any, ...],
        sheet: str,
        row: _Row | None,
        column: str | None = None,
        spec: SheetSpec | None = None,
    ) -> None:
        col = row.columns.get(column) if (row and column) else None
        place = Place(sheet, row.number if row else None, col)
        headers = {c.key: c.header for c in spec.columns} if spec else {}
        label = headers.get(column, column) if column else None
        self.origins[loc] = _Origin(place, dict(row.columns) if row else {}, headers, label)

    # .. cells ..................................................................................

    def text(self, sheet: str, row: _Row, key: str) -> str:
        """A cell as text ('' when blank); numbers become their shortest text."""
        value = row.values.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        if isinstance(value, dt.datetime | dt.date | dt.time):
            self.error(
                row.place(sheet, key),
                f"Excel has turned this into a date or time ({value}); format the column as "
                "Text and type it again",
            )
            return ""
        self.error(row.place(sheet, key), f"cannot read this cell ({type(value).__name__})")
        return ""

    def put(self, target: dict[str, Any], key: str, text: str) -> None:
        """Set a (possibly dotted) key, leaving blanks out so the schema's defaults apply."""
        if not text:
            return
        *parents, last = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = text

    # .. sheets ...................................................................................

    def rows(self, spec: SheetSpec) -> list[_Row] | None:
        """Data rows of a sheet (None when it is missing); checks the headings first."""
        if spec.name not in self.wb.sheetnames:
            if spec.required:
                self.error(Place(spec.name), "this sheet is missing (start from the template)")
            return None
        ws = self.wb[spec.name]
        raw = ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)
        header = next(raw, None) or ()
        by_heading = {c.header: c for c in spec.columns}
        columns: dict[str, int] = {}
        for n, heading in enumerate(header, start=1):
            if heading is None or str(heading).strip() == "":
                continue
            text = " ".join(str(heading).split()).lower()
            col = by_heading.get(text)
            if col is None:
                known = ", ".join(repr(c.header) for c in spec.columns)
                self.error(
                    Place(spec.name, 1, n), f"unknown column {str(heading)!r} (columns: {known})"
                )
            elif col.key in columns:
                self.error(Place(spec.name, 1, n), f"a second {col.header!r} column")
            else:
                columns[col.key] = n
        missing = [c.header for c in spec.columns if c.required and c.key not in columns]
        for heading in missing:
            self.error(Place(spec.name, 1), f"no {heading!r} column")
        if missing:
            return []
        out: list[_Row] = []
        for number, values in enumerate(raw, start=2):
            if number > MAX_ROWS:
                if any(v not in (None, "") for v in values):
                    self.error(Place(spec.name), f"more than {MAX_ROWS:,} rows")
                break
            cells = {
                key: values[n - 1] if n - 1 < len(values) else None for key, n in columns.items()
            }
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            out.append(_Row(number, cells, columns))
        return out

    def read(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": {}, "rating_scale": {}}
        self.read_framework(data)
        self.read_scale(data)
        extra_audiences = self.read_simple(data, "Audiences", "audiences", ("id", "label"))
        self.read_simple(data, "Groups", "groups", ("id", "title"))
        sections = self.read_simple(
            data, "Sections", "sections", ("id", "title", "group", "summary")
        )
        self.read_components(data, sections)
        indicators = self.read_indicators(data)
        self.read_themes(data, indicators)
        self.read_items(data, indicators, extra_audiences)
        self.read_detail(data, indicators)
        self.read_threads(data)
        self.read_simple(
            data, "Evidence sources", "evidence_sources", ("id", "title", "description")
        )
        self.read_simple(data, "Review questions", "review_questions", ("id", "question"))
        self.read_notes(data)
        known = {FRAMEWORK_SHEET.name, INSTRUCTIONS, _CHOICES, *SHEET}
        for sheet in self.wb.sheetnames:
            if sheet not in known:
                self.error(
                    Place(sheet),
                    "this sheet is not part of the template; rename or delete it "
                    f"(sheets: {', '.join([FRAMEWORK_SHEET.name, *SHEET])})",
                )
        return data

    def read_framework(self, data: dict[str, Any]) -> None:
        spec = FRAMEWORK_SHEET
        rows = self.rows(spec)
        by_label = {label: path for label, path, _help, _required in FRAMEWORK_FIELDS}
        seen: dict[str, int] = {}
        for row in rows or []:
            label = " ".join(self.text(spec.name, row, "field").split()).lower()
            path = by_label.get(label)
            if path is None:
                self.error(
                    row.place(spec.name, "field"),
                    f"unknown field {label!r}" if label else "the field name is empty",
                )
                continue
            if label in seen:
                self.error(
                    row.place(spec.name, "field"),
                    f"{label!r} is given twice (first on row {seen[label]})",
                )
                continue
            seen[label] = row.number
            self.put(data, ".".join(path), self.text(spec.name, row, "value"))
            self.origins[path] = _Origin(row.place(spec.name, "value"), label=label)
            if path == ("rating_scale", "good_from"):  # the scale's own check lands here
                self.origins[("rating_scale",)] = _Origin(row.place(spec.name, "value"))
        if rows is not None:
            for label, path, _help, required in FRAMEWORK_FIELDS:
                if required and label not in seen:
                    self.error(Place(spec.name), f"no row for {label!r}")
                    self.flagged.add((spec.name, None))
                    self.origins.setdefault(path, _Origin(Place(spec.name), label=label))

    def unique(self, spec: SheetSpec, rows: list[tuple[_Row, str]], what: str = "id") -> None:
        first: dict[str, int] = {}
        for row, ident in rows:
            if not ident:
                continue
            if ident in first:
                self.error(
                    row.place(spec.name, what),
                    f"duplicate {what} {ident!r} (first on row {first[ident]})",
                )
            else:
                first[ident] = row.number

    def read_scale(self, data: dict[str, Any]) -> None:
        spec = SHEET["Scale"]
        self.origins[("rating_scale", "levels")] = _Origin(Place(spec.name))
        rows = self.rows(spec)
        if rows is None:
            return
        levels = []
        for n, row in enumerate(rows):
            level: dict[str, Any] = {}
            for col in spec.columns:
                self.put(level, col.key, self.text(spec.name, row, col.key))
            levels.append(level)
            self.note(("rating_scale", "levels", n), spec.name, row, spec=spec)
        self.unique(
            spec, [(r, lv.get("code", "")) for r, lv in zip(rows, levels, strict=True)], "code"
        )
        data["rating_scale"]["levels"] = levels

    def read_simple(
        self, data: dict[str, Any], sheet: str, key: str, fields: tuple[str, ...]
    ) -> dict[str, int]:
        """A sheet of plain objects with ids; returns id -> index in the list."""
        spec = SHEET[sheet]
        self.origins[(key,)] = _Origin(Place(spec.name))
        rows = self.rows(spec)
        if rows is None:
            return {}
        objects: list[dict[str, Any]] = []
        for n, row in enumerate(rows):
            obj: dict[str, Any] = {}
            for name in fields:
                self.put(obj, name, self.text(spec.name, row, name))
            objects.append(obj)
            self.note((key, n), spec.name, row, spec=spec)
        self.unique(spec, [(r, o.get("id", "")) for r, o in zip(rows, objects, strict=True)])
        data[key] = objects
        index: dict[str, int] = {}
        for n, obj in enumerate(objects):
            index.setdefault(obj.get("id", ""), n)
        return index

    def lookup(
        self, spec: SheetSpec, row: _Row, key: str, known: dict[str, int], where: str
    ) -> int | None:
        ident = self.text(spec.name, row, key)
        if not ident:
            self.error(row.place(spec.name, key), f"{key} is empty")
            return None
        if ident not in known:
            self.error(row.place(spec.name, key), f"no {key} {ident!r} in the {where} sheet")
            return None
        return known[ident]

    def read_components(self, data: dict[str, Any], sections: dict[str, int]) -> None:
        spec = SHEET["Components"]
        counts: dict[int, int] = {}
        for row in self.rows(spec) or []:
            n = self.lookup(spec, row, "section", sections, "Sections")
            if n is None:
                continue
            k = counts.get(n, 0)
            counts[n] = k + 1
            data["sections"][n].setdefault("components", []).append(
                self.text(spec.name, row, "component")
            )
            self.note(("sections", n, "components", k), spec.name, row, "component", spec)

    def read_indicators(self, data: dict[str, Any]) -> dict[str, int]:
        spec = SHEET["Indicators"]
        self.origins[("indicators",)] = _Origin(Place(spec.name))
        rows = self.rows(spec)
        if rows is None:
            return {}
        indicators: list[dict[str, Any]] = []
        for n, row in enumerate(rows):
            ind: dict[str, Any] = {}
            for col in spec.columns:
                if col.key == "links":
                    links = _split_ids(self.text(spec.name, row, "links"))
                    if links:
                        ind["links"] = links
                else:
                    self.put(ind, col.key, self.text(spec.name, row, col.key))
            indicators.append(ind)
            self.note(("indicators", n), spec.name, row, spec=spec)
        self.unique(spec, [(r, i.get("id", "")) for r, i in zip(rows, indicators, strict=True)])
        data["indicators"] = indicators
        index: dict[str, int] = {}
        for n, ind in enumerate(indicators):
            index.setdefault(ind.get("id", ""), n)
        return index

    def read_themes(self, data: dict[str, Any], indicators: dict[str, int]) -> None:
        spec = SHEET["Themes"]
        seen: dict[int, list[tuple[_Row, str]]] = {}
        for row in self.rows(spec) or []:
            n = self.lookup(spec, row, "indicator", indicators, "Indicators")
            if n is None:
                continue
            theme: dict[str, Any] = {}
            self.put(theme, "id", self.text(spec.name, row, "id"))
            self.put(theme, "title", self.text(spec.name, row, "title"))
            flag = self.text(spec.name, row, "stakeholder_report").lower()
            if flag in YES:
                theme["stakeholder_report"] = True
            elif flag not in NO:
                self.error(
                    row.place(spec.name, "stakeholder_report"),
                    f"write yes or leave it blank (found {flag!r})",
                )
            themes = data["indicators"][n].setdefault("themes", [])
            self.note(("indicators", n, "themes", len(themes)), spec.name, row, spec=spec)
            themes.append(theme)
            seen.setdefault(n, []).append((row, theme.get("id", "")))
        for rows in seen.values():
            self.unique(spec, rows)

    def read_items(
        self, data: dict[str, Any], indicators: dict[str, int], extra_audiences: dict[str, int]
    ) -> None:
        spec = SHEET["Items"]
        rows = self.rows(spec)
        labels = {label.lower(): key for key, label in STANDARD_AUDIENCES.items()}
        for audience in data.get("audiences", []):
            if "label" in audience and "id" in audience:
                labels[audience["label"].lower()] = audience["id"]
        for row in rows or []:
            n = self.lookup(spec, row, "indicator", indicators, "Indicators")
            audience = self.text(spec.name, row, "audience")
            if not audience:
                self.error(row.place(spec.name, "audience"), "audience is empty")
            if n is None or not audience:
                continue
            audience = labels.get(audience.lower(), audience)  # "Parents and carers" -> parents
            item: dict[str, Any] = {"statement": self.text(spec.name, row, "statement")}
            self.put(item, "theme", self.text(spec.name, row, "theme"))
            self.put(item, "scale", self.text(spec.name, row, "scale"))
            bank = data["indicators"][n].setdefault("items", {})
            items = bank.setdefault(audience, [])
            self.note(("indicators", n, "items", audience, len(items)), spec.name, row, spec=spec)
            if len(items) == 0:
                self.note(("indicators", n, "items", audience), spec.name, row, "audience", spec)
            items.append(item)

    def read_detail(self, data: dict[str, Any], indicators: dict[str, int]) -> None:
        spec = SHEET["Standard detail"]
        first: dict[tuple[int, str], int] = {}
        for row in self.rows(spec) or []:
            n = self.lookup(spec, row, "indicator", indicators, "Indicators")
            label = " ".join(self.text(spec.name, row, "field").split()).lower()
            key = DETAIL_FIELDS.get(label)
            if key is None:
                self.error(
                    row.place(spec.name, "field"),
                    f"unknown field {label!r} (use one of: {', '.join(DETAIL_FIELDS)})",
                )
                continue
            if n is None:
                continue
            detail = data["indicators"][n].setdefault("detail", {})
            text = self.text(spec.name, row, "text")
            if ("indicators", n, "detail") not in self.origins:
                self.note(("indicators", n, "detail"), spec.name, row, spec=spec)
            if key in DETAIL_LISTS:
                values = detail.setdefault(key, [])
                self.note(
                    ("indicators", n, "detail", key, len(values)), spec.name, row, "text", spec
                )
                values.append(text)
            elif (n, key) in first:
                self.error(
                    row.place(spec.name, "field"),
                    f"a second {label} for this indicator (first on row {first[(n, key)]})",
                )
            else:
                first[(n, key)] = row.number
                detail[key] = text
                self.note(("indicators", n, "detail", key), spec.name, row, "text", spec)

    def read_threads(self, data: dict[str, Any]) -> None:
        spec = SHEET["Threads"]
        self.origins[("threads",)] = _Origin(Place(spec.name))
        rows = self.rows(spec)
        if rows is None:
            return
        threads: list[dict[str, Any]] = []
        for n, row in enumerate(rows):
            thread: dict[str, Any] = {"links": _split_ids(self.text(spec.name, row, "links"))}
            for key in ("id", "title", "explanation"):
                self.put(thread, key, self.text(spec.name, row, key))
            threads.append(thread)
            self.note(("threads", n), spec.name, row, spec=spec)
        self.unique(spec, [(r, t.get("id", "")) for r, t in zip(rows, threads, strict=True)])
        data["threads"] = threads

    def read_notes(self, data: dict[str, Any]) -> None:
        spec = SHEET["Notes"]
        for row in self.rows(spec) or []:
            label = " ".join(self.text(spec.name, row, "kind").split()).lower()
            key = NOTE_KINDS.get(label)
            if key is None:
                self.error(
                    row.place(spec.name, "kind"),
                    f"unknown kind {label!r} (use one of: {', '.join(NOTE_KINDS)})",
                )
                continue
            entries = data.setdefault(key, [])
            self.note((key, len(entries)), spec.name, row, "text", spec)
            entries.append(self.text(spec.name, row, "text"))

    # .. schema problems, pointed at cells .......................................................

    def locate(self, problem: Problem) -> tuple[Place, str] | None:
        """The cell a schema problem belongs to and the message to show there."""
        loc = problem.loc
        for cut in range(len(loc), 0, -1):
            origin = self.origins.get(loc[:cut])
            if origin is None:
                continue
            rest = [str(p) for p in loc[cut:] if isinstance(p, str)]
            place, header = origin.place, origin.label
            for size in range(len(rest), 0, -1):
                key = ".".join(rest[:size])
                if key in origin.columns:
                    place = Place(place.sheet, place.row, origin.columns[key])
                    header = origin.headers.get(key, key)
                    break
            return place, _reword(problem.message, header)
        return None


def _reword(message: str, header: str | None) -> str:
    if message == "Field required":
        return f"{header} is empty" if header else "this is missing"
    found = re.fullmatch(
        r"List should have at least (\d+) items? after validation, not (\d+)", message
    )
    if found:
        need = int(found.group(1))
        return f"needs at least {need} {'entry' if header else 'row'}{'' if need == 1 else 's'}"
    return message


def _split_ids(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def _unpacked_size(data: bytes) -> int | None:
    """Total uncompressed size of the workbook's parts (None if it is not a zip at all)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _open(data: bytes, name: str) -> Any:
    size = _unpacked_size(data)
    if size is not None and size > MAX_UNPACKED_BYTES:
        # A few kilobytes can unpack to gigabytes; openpyxl would read it all into memory.
        raise FrameworkError(
            [
                f"{name}: (file): unpacks to {size // 1_000_000:,} MB, far more than a framework "
                f"needs (at most {MAX_UNPACKED_BYTES // 1_000_000} MB)"
            ]
        )
    with warnings.catch_warnings():
        # Excel features openpyxl does not keep (slicers, extensions) only warn; we read values.
        warnings.simplefilter("ignore")
        try:
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise FrameworkError(
                [f"{name}: (file): not an Excel workbook (.xlsx); save it as an Excel workbook"]
            ) from None


_DUPLICATE_CODES = "rating scale level codes must be unique"


def read_workbook(data: bytes, name: str) -> Framework:
    """A framework from workbook bytes; FrameworkError lines name sheet, row and column."""
    wb = _open(data, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = _Reader(wb, name)
            raw = reader.read()
    finally:
        wb.close()
    lines = [f"{name}: {place}: {message}" for place, message in reader.errors]
    try:
        framework = parse_framework(raw, name)
    except FrameworkError as exc:
        for problem, line in zip(exc.problems, exc.lines, strict=True):
            if problem.message.startswith("duplicate id") or problem.message == _DUPLICATE_CODES:
                continue  # the reader reported each duplicate at its row already
            found = reader.locate(problem)
            if found is None:
                lines.append(line)
            elif (found[0].sheet, found[0].row) not in reader.flagged:
                # A row the reader already reported would only repeat itself here.
                lines.append(f"{name}: {found[0]}: {found[1]}")
        raise FrameworkError(lines or exc.lines) from None
    if lines:
        raise FrameworkError(lines)
    return framework


def load_upload(data: bytes, filename: str) -> Framework:
    """A framework from a YAML file or an Excel workbook, chosen by the file name."""
    name = Path(filename or "upload").name or "upload"
    suffix = Path(name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES or (suffix not in YAML_SUFFIXES and data[:4] == _ZIP_MAGIC):
        return read_workbook(data, name)
    if suffix == ".xls":
        raise FrameworkError(
            [f"{name}: (file): an old-style .xls file; save it as an Excel workbook (.xlsx)"]
        )
    if suffix not in YAML_SUFFIXES:
        raise FrameworkError(
            [f"{name}: (file): use a YAML file (.yaml or .yml) or an Excel workbook (.xlsx)"]
        )
    return load_text(data, name)

"""The shape of a framework workbook: what a column and a sheet are, the Framework sheet's rows,
and the words a cell may hold where the template offers a choice. The other sheets are listed in
`sheets`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of a sheet: where its value goes, its heading, and the help shown on it."""

    key: str  # where the value goes, relative to the row's object ("illustrations.level_5")
    header: str
    help: str
    width: int = 18
    as_text: bool = False  # ids: keep Excel from turning "1.10" into the number 1.1
    required: bool = False  # the column must exist (its cells may still be checked later)


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the template: its name, its columns in order, and what it is for."""

    name: str
    columns: tuple[Column, ...]
    help: str
    required: bool = False

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


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

INSTRUCTIONS = "Instructions"
CHOICES = "_choices"  # hidden sheet feeding the drop-down lists

# The words a cell may hold where the template offers a choice.
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

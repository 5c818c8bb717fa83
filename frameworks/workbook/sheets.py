"""The sheets after the Framework sheet, one per kind of row, in the order the workbook has them.

One row per thing, so a spreadsheet user never packs lists into a cell except an indicator's or
thread's links.
"""

from __future__ import annotations

from frameworks.workbook.layout import Column, SheetSpec


def _id(help_text: str, required: bool = True) -> Column:
    return Column("id", "id", help_text, 14, as_text=True, required=required)


def _ref(key: str, help_text: str, required: bool = True) -> Column:
    return Column(key, key, help_text, 16, as_text=True, required=required)


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
            Column(
                "plural",
                "plural",
                "Optional: how sentences name them, e.g. elected members (blank: the label).",
                30,
            ),
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
            Column(
                "easy_read",
                "easy read",
                "Optional: the statement in easy-read English, at most 15 words, for adults "
                "answering the easy-read questionnaire.",
                40,
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

"""Excel workbooks: the template, frameworks written out and read back, and errors by cell."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from frameworks import Framework, FrameworkError, builtin_frameworks
from frameworks.loader import parse_framework
from frameworks.workbook import (
    INSTRUCTIONS,
    SHEETS,
    framework_workbook,
    load_upload,
    read_workbook,
    workbook_bytes,
)
from tests.workbook_bombs import THIN_ROW, inflated

SMALL: dict[str, Any] = {
    "id": "small",
    "title": "Small framework",
    "source": {"document": "ours.docx", "title": "Our standards"},
    "rating_scale": {
        "id": "yn",
        "title": "Yes or no",
        "levels": [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}],
        "good_from": "yes",
    },
    "sections": [{"id": "s1", "title": "Section one"}],
    "indicators": [
        {
            "id": "i1",
            "title": "Indicator one",
            "section": "s1",
            "themes": [{"id": "t1", "title": "Theme one", "stakeholder_report": True}],
            "items": {
                "parents": [
                    {"statement": "I am kept informed.", "theme": "t1"},
                    {"statement": "I am listened to.", "scale": "agree4"},
                ]
            },
        },
        {"id": "i2", "title": "Indicator two", "section": "s1", "links": ["i1"]},
    ],
}
# Where SMALL's rows land (row 1 holds the headings).
ITEMS_ROW_OF = {("i1", 0): 2, ("i1", 1): 3}


def small() -> Framework:
    return parse_framework(yaml.safe_load(yaml.safe_dump(SMALL)), "small.yaml")


def edited(change: Callable[[Workbook], None], framework: Framework | None = None) -> bytes:
    """SMALL (or `framework`) as a workbook, changed in place as a user would in Excel."""
    wb = framework_workbook(framework or small())
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def errors_of(data: bytes, name: str = "ours.xlsx") -> list[str]:
    with pytest.raises(FrameworkError) as info:
        read_workbook(data, name)
    assert str(info.value) == "\n".join(info.value.lines)
    return info.value.lines


def cell(sheet: str, ref: str, value: Any) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb[sheet][ref] = value

    return change


# -- round trip ------------------------------------------------------------------------------

BUILTINS = sorted(builtin_frameworks())


@pytest.mark.parametrize("framework_id", BUILTINS)
def test_builtin_framework_survives_a_round_trip(framework_id: str) -> None:
    framework = builtin_frameworks()[framework_id]
    back = read_workbook(workbook_bytes(framework), f"{framework_id}.xlsx")
    assert back == framework
    # Equality of the models is the point; spot-check the parts a lossy layout would drop.
    assert back.item_count() == framework.item_count()
    assert [t.links for t in back.threads] == [t.links for t in framework.threads]
    assert [i.detail for i in back.indicators] == [i.detail for i in framework.indicators]


def test_small_framework_round_trip_keeps_item_order_theme_and_scale() -> None:
    back = read_workbook(workbook_bytes(small()), "small.xlsx")
    items = back.indicator("i1").items["parents"]
    assert [(i.statement, i.theme, i.scale) for i in items] == [
        ("I am kept informed.", "t1", None),
        ("I am listened to.", None, "agree4"),
    ]
    assert back.indicator("i1").themes[0].stakeholder_report is True
    assert back == small()


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["indicators"][0]["items"]["parents"][0]["statement"] = "=HYPERLINK(1)"
    framework = parse_framework(data, "f.yaml")
    raw = workbook_bytes(framework)
    sheet = load_workbook(io.BytesIO(raw))["Items"]
    assert sheet["C2"].value == "=HYPERLINK(1)"
    assert sheet["C2"].data_type == "s"
    assert read_workbook(raw, "f.xlsx") == framework


# -- the template ----------------------------------------------------------------------------


def test_template_has_every_sheet_with_headings_and_help() -> None:
    wb = load_workbook(io.BytesIO(workbook_bytes()))
    names = [spec.name for spec in SHEETS]
    assert wb.sheetnames[:2] == [INSTRUCTIONS, "Framework"]
    assert wb.sheetnames[2:-1] == names
    for spec in SHEETS:
        ws = wb[spec.name]
        headings = [c.value for c in ws[1]]
        assert headings == [c.header for c in spec.columns], spec.name
        for heading_cell, column in zip(ws[1], spec.columns, strict=True):
            assert heading_cell.comment is not None
            assert heading_cell.comment.text == column.help
        assert ws.max_row == 1, f"{spec.name} should have no example rows"
    items = wb["Items"]
    assert [c.value for c in items[1]][:5] == [
        "indicator",
        "audience",
        "statement",
        "theme",
        "scale",
    ]
    fields = [wb["Framework"].cell(row=r, column=1).value for r in range(2, 12)]
    assert fields[:2] == ["id", "title"]
    assert "good from" in fields


def test_template_offers_drop_down_lists() -> None:
    wb = load_workbook(io.BytesIO(workbook_bytes()))
    scale_lists = [dv for dv in wb["Items"].data_validations.dataValidation if "E2" in dv.sqref]
    assert [dv.formula1 for dv in scale_lists] == ['"agree4,faces3,progress5"']
    audience = [dv for dv in wb["Items"].data_validations.dataValidation if "B2" in dv.sqref]
    assert audience and audience[0].errorStyle == "warning"  # extra audiences are allowed
    choices = wb["_choices"]
    assert choices.sheet_state == "hidden"
    assert [choices.cell(row=r, column=1).value for r in range(1, 7)] == [
        "staff",
        "partners",
        "parents",
        "children",
        "service_users",
        "community",
    ]


def test_ids_columns_are_formatted_as_text() -> None:
    wb = load_workbook(io.BytesIO(workbook_bytes()))
    assert wb["Indicators"].column_dimensions["A"].number_format == "@"
    assert wb["Items"].column_dimensions["A"].number_format == "@"
    assert wb["Indicators"].column_dimensions["B"].number_format != "@"


def test_blank_template_lists_what_is_missing() -> None:
    assert errors_of(workbook_bytes(), "template.xlsx") == [
        "template.xlsx: Framework row 2, column B: id is empty",
        "template.xlsx: Framework row 3, column B: title is empty",
        "template.xlsx: Framework row 6, column B: source document is empty",
        "template.xlsx: Framework row 7, column B: source title is empty",
        "template.xlsx: Framework row 9, column B: rating scale id is empty",
        "template.xlsx: Framework row 10, column B: rating scale title is empty",
        "template.xlsx: Scale sheet: needs at least 2 rows",
        "template.xlsx: Framework row 11, column B: good from is empty",
        "template.xlsx: Sections sheet: needs at least 1 row",
        "template.xlsx: Indicators sheet: needs at least 1 row",
    ]


# -- errors found while reading the sheets ----------------------------------------------------


def test_empty_statement_names_sheet_row_and_column() -> None:
    assert errors_of(edited(cell("Items", "C3", "   "))) == [
        "ours.xlsx: Items row 3, column C: statement is empty"
    ]


def test_item_for_an_unknown_indicator() -> None:
    assert errors_of(edited(cell("Items", "A2", "i9"))) == [
        "ours.xlsx: Items row 2, column A: no indicator 'i9' in the Indicators sheet"
    ]


def test_item_without_audience() -> None:
    assert errors_of(edited(cell("Items", "B3", None))) == [
        "ours.xlsx: Items row 3, column B: audience is empty"
    ]


def test_duplicate_indicator_id_is_reported_once_at_its_row() -> None:
    # The schema's own "duplicate id" line would only repeat this without a row.
    assert errors_of(edited(cell("Indicators", "A3", "i1"))) == [
        "ours.xlsx: Indicators row 3, column A: duplicate id 'i1' (first on row 2)"
    ]


def test_duplicate_scale_code() -> None:
    assert errors_of(edited(cell("Scale", "A3", "yes"))) == [
        "ours.xlsx: Scale row 3, column A: duplicate code 'yes' (first on row 2)"
    ]


def test_date_in_an_id_cell() -> None:
    (line,) = errors_of(edited(cell("Indicators", "A3", dt.datetime(2024, 10, 1))))
    assert line.startswith(
        "ours.xlsx: Indicators row 3, column A: Excel has turned this into a date"
    )


def test_stakeholder_report_must_be_yes_or_blank() -> None:
    assert errors_of(edited(cell("Themes", "D2", "maybe"))) == [
        "ours.xlsx: Themes row 2, column D: write yes or leave it blank (found 'maybe')"
    ]


def test_unknown_column_heading() -> None:
    (line,) = errors_of(edited(cell("Items", "F1", "notes")))
    assert line.startswith("ours.xlsx: Items row 1, column F: unknown column 'notes' (columns: ")


def test_missing_required_column() -> None:
    def drop_statement(wb: Workbook) -> None:
        wb["Items"].delete_cols(3)

    assert errors_of(edited(drop_statement)) == ["ours.xlsx: Items row 1: no 'statement' column"]


def test_missing_required_sheet_is_reported_once() -> None:
    def drop_sections(wb: Workbook) -> None:
        del wb["Sections"]

    # The schema's "sections: Field required" would say the same again, so only the
    # consequence for each indicator follows.
    assert errors_of(edited(drop_sections)) == [
        "ours.xlsx: Sections sheet: this sheet is missing (start from the template)",
        "ours.xlsx: Indicators row 2, column C: unknown section 's1'",
        "ours.xlsx: Indicators row 3, column C: unknown section 's1'",
    ]


def test_unknown_sheet() -> None:
    def add_sheet(wb: Workbook) -> None:
        wb.create_sheet("Scratch")

    (line,) = errors_of(edited(add_sheet))
    assert line.startswith("ours.xlsx: Scratch sheet: this sheet is not part of the template")


def test_framework_sheet_field_problems() -> None:
    def change(wb: Workbook) -> None:
        ws = wb["Framework"]
        ws["A4"] = "colour"  # was "short title"
        ws.append(["title", "Again"])

    assert errors_of(edited(change)) == [
        "ours.xlsx: Framework row 4, column A: unknown field 'colour'",
        "ours.xlsx: Framework row 12, column A: 'title' is given twice (first on row 3)",
    ]


def test_second_actor_for_a_standard() -> None:
    def change(wb: Workbook) -> None:
        ws = wb["Standard detail"]
        ws.append(["i1", "actor", "chief officers"])
        ws.append(["i1", "Actor", "lead officers"])
        ws.append(["i1", "colour", "red"])

    assert errors_of(edited(change)) == [
        "ours.xlsx: Standard detail row 3, column B: a second actor for this indicator "
        "(first on row 2)",
        "ours.xlsx: Standard detail row 4, column B: unknown field 'colour' (use one of: actor, "
        "intended outcome, behaviour, skill or ability, knowledge or understanding)",
    ]


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    import frameworks.workbook.limits as workbook

    monkeypatch.setattr(workbook, "MAX_ROWS", 12)  # the Framework sheet uses rows 1 to 11

    def change(wb: Workbook) -> None:
        for _ in range(11):  # Items rows 4 to 14
            wb["Items"].append(["i2", "staff", "I see it happen."])

    assert errors_of(edited(change)) == ["ours.xlsx: Items sheet: more than 12 rows"]


def test_workbook_that_unpacks_too_large_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import frameworks.workbook.limits as workbook

    raw = workbook_bytes(small())
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 20_000)  # a real one unpacks to more
    (line,) = errors_of(raw)
    assert line.startswith("ours.xlsx: (file): unpacks to ")
    assert line.endswith("far more than a framework needs (at most 0 MB)")


def test_millions_of_empty_rows_are_refused_before_the_workbook_is_opened() -> None:
    # Six bytes a row stay under the size limit; openpyxl would read them all just to open it.
    bomb = inflated(workbook_bytes(small()), "Items", 3_000_000, row=THIN_ROW)
    started = time.perf_counter()
    assert errors_of(bomb) == [
        "ours.xlsx: Items sheet: more than 100,000 rows, empty ones included"
    ]
    assert time.perf_counter() - started < 3


def test_columns_far_to_the_right_are_not_read() -> None:
    # Only the first MAX_COLUMNS columns are read, so a row cannot be made arbitrarily wide.
    assert read_workbook(edited(cell("Items", "AZ2", "ignored")), "ours.xlsx") == small()


# -- the schema's errors, pointed at the cell ---------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "ref", "value", "expected"),
    [
        (
            "Indicators",
            "E3",
            "i1, i9",
            "Indicators row 3, column E: 'i9' is not an indicator of this framework",
        ),
        ("Indicators", "C2", "s9", "Indicators row 2, column C: unknown section 's9'"),
        ("Indicators", "B3", None, "Indicators row 3, column B: title is empty"),
        ("Items", "B2", "teachers", "Items row 2, column B: unknown audience 'teachers'"),
        ("Items", "D2", "t9", "Items row 2, column D: unknown theme 't9'"),
        (
            "Items",
            "E3",
            "stars",
            "Items row 3, column E: unknown scale 'stars' (use one of agree4, faces3, progress5)",
        ),
        ("Themes", "C2", None, "Themes row 2, column C: title is empty"),
        ("Scale", "B3", None, "Scale row 3, column B: label is empty"),
        (
            "Framework",
            "B11",
            "maybe",
            "Framework row 11, column B: good_from 'maybe' is not one of the levels ['yes', 'no']",
        ),
        (
            "Framework",
            "B2",
            "Small One",
            "Framework row 2, column B: 'Small One' is not a usable framework id: use 2 to 64 "
            "lower-case letters, digits and hyphens, starting with a letter or digit (for "
            "example 'our-standards')",
        ),
    ],
)
def test_schema_error_lands_on_its_cell(sheet: str, ref: str, value: Any, expected: str) -> None:
    assert errors_of(edited(cell(sheet, ref, value))) == [f"ours.xlsx: {expected}"]


def test_reading_and_schema_errors_are_reported_together() -> None:
    def change(wb: Workbook) -> None:
        wb["Items"]["A2"] = "i9"  # reading: unknown indicator
        wb["Items"]["C3"] = ""  # schema: statement is empty
        wb["Indicators"]["B3"] = None  # schema: title is empty

    assert errors_of(edited(change)) == [
        "ours.xlsx: Items row 2, column A: no indicator 'i9' in the Indicators sheet",
        # then the schema's, in framework order: indicator i1's item before indicator i2
        "ours.xlsx: Items row 3, column C: statement is empty",
        "ours.xlsx: Indicators row 3, column B: title is empty",
    ]


def test_field_and_cross_reference_errors_come_in_one_pass() -> None:
    def change(wb: Workbook) -> None:
        wb["Items"]["C3"] = ""
        wb["Indicators"]["E3"] = "i7"

    assert errors_of(edited(change)) == [
        "ours.xlsx: Items row 3, column C: statement is empty",
        "ours.xlsx: Indicators row 3, column E: 'i7' is not an indicator of this framework",
    ]


# -- what spreadsheet users actually type -------------------------------------------------------


def test_numbers_typed_as_ids_are_read_as_text() -> None:
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["sections"][0]["id"] = "2"
    data["indicators"][0].update(id="2.1", section="2")
    data["indicators"][1].update(id="2.2", section="2", links=["2.1"])
    framework = parse_framework(data, "n.yaml")

    def as_numbers(wb: Workbook) -> None:
        wb["Sections"]["A2"] = 2
        wb["Indicators"]["A2"], wb["Indicators"]["C2"] = 2.1, 2
        wb["Indicators"]["A3"], wb["Indicators"]["C3"], wb["Indicators"]["E3"] = 2.2, 2, 2.1
        wb["Items"]["A2"], wb["Items"]["A3"] = 2.1, 2.1
        wb["Themes"]["A2"] = 2.1

    assert read_workbook(edited(as_numbers, framework), "n.xlsx") == framework


def test_audience_may_be_written_as_its_label() -> None:
    back = read_workbook(edited(cell("Items", "B2", "Parents and carers")), "ours.xlsx")
    assert [i.statement for i in back.indicator("i1").items["parents"]] == [
        "I am kept informed.",
        "I am listened to.",
    ]


def test_links_may_be_separated_by_semicolons_or_new_lines() -> None:
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["indicators"].append({"id": "i3", "title": "Three", "section": "s1"})
    framework = parse_framework(data, "x.yaml")
    back = read_workbook(edited(cell("Indicators", "E3", "i1;\ni3"), framework), "x.xlsx")
    assert back.indicator("i2").links == ["i1", "i3"]


def test_empty_rows_are_skipped() -> None:
    def change(wb: Workbook) -> None:
        wb["Items"].insert_rows(3, amount=2)

    back = read_workbook(edited(change), "ours.xlsx")
    assert back == small()


# -- files that are not what they claim ----------------------------------------------------------


def test_not_a_workbook() -> None:
    assert errors_of(b"id: small\n", "ours.xlsx") == [
        "ours.xlsx: (file): not an Excel workbook (.xlsx); save it as an Excel workbook"
    ]


def test_load_upload_chooses_the_reader_by_name() -> None:
    framework = small()
    as_yaml = yaml.safe_dump(framework.model_dump(mode="json")).encode()
    as_json = json.dumps(framework.model_dump(mode="json")).encode()
    assert load_upload(as_yaml, "ours.yaml") == framework
    assert load_upload(as_yaml, "ours.yml") == framework
    assert load_upload(as_json, "ours.json") == framework
    assert load_upload(workbook_bytes(framework), "ours.xlsx") == framework
    assert load_upload(workbook_bytes(framework), "no-extension") == framework


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (
            "old.xls",
            "old.xls: (file): an old-style .xls file; save it as an Excel workbook (.xlsx)",
        ),
        (
            "list.csv",
            "list.csv: (file): use a YAML file (.yaml or .yml) or an Excel workbook (.xlsx)",
        ),
        ("../../etc/ours.yaml", "ours.yaml: line 1, column 6: not valid YAML ("),
    ],
)
def test_load_upload_refusals(filename: str, expected: str) -> None:
    with pytest.raises(FrameworkError) as info:
        load_upload(b"a: [b", filename)
    (line,) = info.value.lines
    assert line.startswith(expected)


def test_extra_audience_round_trips_and_may_be_named_by_label() -> None:
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["audiences"] = [{"id": "pupils", "label": "Pupils in the club"}]
    data["indicators"][1]["items"] = {"pupils": ["I like the club."]}
    framework = parse_framework(data, "a.yaml")
    assert read_workbook(workbook_bytes(framework), "a.xlsx") == framework
    back = read_workbook(edited(cell("Items", "B4", "pupils in the club"), framework), "a.xlsx")
    assert back == framework


# -- whatever is in the cells, the answer is a framework or a list of problems ------------------

CELL_VALUES = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
)
SHEET_NAMES = ["Framework", "Scale", "Sections", "Indicators", "Themes", "Items", "Notes"]


@settings(max_examples=20, deadline=None)  # each example writes and reads a workbook
@given(
    st.lists(
        st.tuples(st.sampled_from(SHEET_NAMES), st.integers(1, 6), st.integers(1, 8), CELL_VALUES),
        min_size=1,
        max_size=8,
    )
)
def test_any_cell_contents_give_a_framework_or_problems(
    edits: list[tuple[str, int, int, Any]],
) -> None:
    def change(wb: Workbook) -> None:
        for sheet, row, column, value in edits:
            wb[sheet].cell(row=row, column=column, value=value)

    raw = edited(change)
    try:
        framework = read_workbook(raw, "fuzz.xlsx")
    except FrameworkError as exc:
        assert exc.lines
        assert all(line.startswith("fuzz.xlsx: ") for line in exc.lines)
    else:
        assert isinstance(framework, Framework)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["f.yaml", "f.xlsx", "f"]))
def test_any_bytes_give_a_framework_or_problems(data: bytes, filename: str) -> None:
    try:
        load_upload(data, filename)
    except FrameworkError as exc:
        assert exc.lines
        assert all(line.startswith(filename.split("/")[-1] + ": ") for line in exc.lines)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_framework_or_problems(text: str) -> None:
    try:
        load_upload(text.encode("utf-8"), "f.yaml")
    except FrameworkError as exc:
        assert exc.lines


def test_the_items_audience_list_offers_the_frameworks_own_audiences() -> None:
    """Issue 22: HMIE's elected members (and the others) are in the Items sheet's drop-down,
    and the Audiences sheet carries their plural wording."""
    from frameworks.workbook.layout import CHOICES

    hmie = builtin_frameworks()["hmie-children-services"]
    wb = load_workbook(io.BytesIO(workbook_bytes(hmie)))
    offered = [row[0] for row in wb[CHOICES].iter_rows(values_only=True)]
    assert offered[-3:] == ["elected_members", "board_members", "trade_unions"]
    (validation,) = [
        dv for dv in wb["Items"].data_validations.dataValidation if CHOICES in (dv.formula1 or "")
    ]
    assert validation.formula1.endswith(f"$A${len(offered)}")
    audiences = [row for row in wb["Audiences"].iter_rows(min_row=2, values_only=True)]
    assert ("elected_members", "Elected members", "elected members") in audiences

"""Malformed framework files are refused; the error lines name the file, place and problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from frameworks import Framework, FrameworkError, load_file, load_text
from frameworks.loader import FRAMEWORK_DIR

MINIMAL: dict[str, Any] = {
    "id": "mini",
    "title": "Mini framework",
    "source": {"document": "mine.txt", "title": "My own standards", "section": "1"},
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
            "themes": [{"id": "t1", "title": "Theme one"}],
            "links": [],
            "items": {
                "parents": [
                    "I am kept informed.",
                    {"statement": "I am listened to.", "theme": "t1", "scale": "agree4"},
                ]
            },
        },
        {"id": "i2", "title": "Indicator two", "section": "s1", "links": ["i1"]},
    ],
    "threads": [{"id": "th", "title": "A thread", "links": ["i1", "i2"]}],
}


def minimal() -> dict[str, Any]:
    """A fresh deep copy of the minimal valid framework, to break in one place."""
    return yaml.safe_load(yaml.safe_dump(MINIMAL))


def write(tmp_path: Path, data: Any, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def lines_of(path: Path) -> list[str]:
    with pytest.raises(FrameworkError) as info:
        load_file(path)
    assert str(info.value) == "\n".join(info.value.lines)
    return info.value.lines


# -- valid files ---------------------------------------------------------------------------


def test_minimal_framework_loads(tmp_path: Path) -> None:
    framework = load_file(write(tmp_path, minimal(), "mini.yaml"))
    assert isinstance(framework, Framework)
    assert framework.id == "mini"
    assert [i.id for i in framework.indicators] == ["i1", "i2"]
    assert framework.indicator("i2").links == ["i1"]
    assert framework.threads[0].links == ["i1", "i2"]
    assert framework.item_count() == 2


def test_shorthand_string_item_becomes_a_statement(tmp_path: Path) -> None:
    items = load_file(write(tmp_path, minimal(), "mini.yaml")).indicator("i1").items["parents"]
    assert items[0].statement == "I am kept informed."
    assert items[0].theme is None
    assert items[0].scale is None
    assert items[1].statement == "I am listened to."
    assert items[1].theme == "t1"
    assert items[1].scale == "agree4"


def test_statement_whitespace_is_collapsed(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][0]["items"]["parents"][0] = "  I am   kept\ninformed.  "
    framework = load_file(write(tmp_path, data, "mini.yaml"))
    assert framework.indicator("i1").items["parents"][0].statement == "I am kept informed."


def test_load_text_accepts_utf8_bytes() -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False, allow_unicode=True)
    text = text.replace("Mini framework", "Cadre d'évaluation")
    framework = load_text(text.encode("utf-8"), "mini.yaml")
    assert framework.title == "Cadre d'évaluation"


# -- cross-reference errors ------------------------------------------------------------------


def test_duplicate_indicator_id(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][1]["id"] = "i1"
    data["indicators"][1]["links"] = []
    data["threads"][0]["links"] = ["i1"]
    assert lines_of(write(tmp_path, data)) == ["bad.yaml: indicators: duplicate id 'i1'"]


def test_dangling_indicator_link(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][1]["links"] = ["i1", "i9"]
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[1].links: 'i9' is not an indicator of this framework"
    ]


def test_dangling_thread_link(tmp_path: Path) -> None:
    data = minimal()
    data["threads"][0]["links"] = ["i1", "2,1"]
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: threads[0].links: '2,1' is not an indicator"
    ]


def test_unknown_audience_in_items(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][0]["items"]["teachers"] = ["I am told."]
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[0].items.teachers: unknown audience 'teachers'"
    ]


def test_unknown_section(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][1]["section"] = "s9"
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[1].section: unknown section 's9'"
    ]


def test_unknown_theme_on_an_item(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][0]["items"]["parents"][1]["theme"] = "t9"
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[0].items.parents[1].theme: unknown theme 't9'"
    ]


def test_several_cross_reference_errors_each_get_a_line(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][1]["section"] = "s9"
    data["threads"][0]["links"] = ["i7"]
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[1].section: unknown section 's9'",
        "bad.yaml: threads[0].links: 'i7' is not an indicator",
    ]


# -- field errors ---------------------------------------------------------------------------


def test_empty_statement(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][0]["items"]["parents"].append({"statement": "   "})
    data["indicators"][0]["items"]["parents"][1] = " \n "
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[0].items.parents[1].statement: statement is empty",
        "bad.yaml: indicators[0].items.parents[2].statement: statement is empty",
    ]


def test_unknown_item_scale(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][0]["items"]["parents"][1]["scale"] = "six_point"
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[0].items.parents[1].scale: unknown scale 'six_point' "
        "(use one of agree4, faces3, progress5)"
    ]


def test_value_containing_semicolon_is_reported_on_one_line(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][1]["section"] = "s1; s2"
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[1].section: unknown section 's1; s2'"
    ]


def test_themes_as_a_string(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][0]["themes"] = "t1"
    del data["indicators"][0]["items"]["parents"][1]["theme"]
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[0].themes: Input should be a valid list"
    ]


def test_title_as_a_list(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][1]["title"] = ["Indicator", "two"]
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[1].title: Input should be a valid string"
    ]


def test_items_not_a_list(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][0]["items"]["parents"] = "I am kept informed."
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[0].items.parents: Input should be a valid list"
    ]


def test_missing_required_field(tmp_path: Path) -> None:
    data = minimal()
    del data["rating_scale"]
    del data["indicators"][1]["section"]
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: rating_scale: Field required",
        "bad.yaml: indicators[1].section: Field required",
    ]


def test_extra_unknown_field(tmp_path: Path) -> None:
    data = minimal()
    data["colour"] = "red"
    data["indicators"][0]["weight"] = 2
    assert sorted(lines_of(write(tmp_path, data))) == [
        "bad.yaml: colour: Extra inputs are not permitted",
        "bad.yaml: indicators[0].weight: Extra inputs are not permitted",
    ]


def test_rating_scale_good_from_must_be_a_level(tmp_path: Path) -> None:
    data = minimal()
    data["rating_scale"]["good_from"] = "maybe"
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: rating_scale: good_from 'maybe' is not one of the levels ['yes', 'no']"
    ]


def test_bad_framework_id(tmp_path: Path) -> None:
    data = minimal()
    data["id"] = "Mini Framework"
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: id: 'Mini Framework' is not a usable framework id: use 2 to 64 lower-case "
        "letters, digits and hyphens, starting with a letter or digit (for example "
        "'our-standards')"
    ]


# -- not a framework at all -------------------------------------------------------------------


def test_not_yaml(tmp_path: Path) -> None:
    assert lines_of(write(tmp_path, "a: [b")) == [
        "bad.yaml: line 1, column 6: not valid YAML (expected ',' or ']', but got '<stream end>')"
    ]


def test_yaml_list_not_mapping(tmp_path: Path) -> None:
    assert lines_of(write(tmp_path, "- id: mini\n- title: Mini\n")) == [
        "bad.yaml: (top level): expected a mapping of framework fields"
    ]


def test_empty_file(tmp_path: Path) -> None:
    assert lines_of(write(tmp_path, "")) == [
        "bad.yaml: (top level): expected a mapping of framework fields"
    ]


def test_missing_file(tmp_path: Path) -> None:
    (line,) = lines_of(tmp_path / "absent.yaml")
    assert line.startswith("absent.yaml: (file): cannot be read (")


def test_load_text_bytes_that_are_not_utf8() -> None:
    with pytest.raises(FrameworkError) as info:
        load_text(b"id: mini\ntitle: Caf\xe9\n", "bad.yaml")
    assert info.value.lines == [
        "bad.yaml: line 2 (byte 20): not valid UTF-8 text (found byte 0xe9; save the file as UTF-8)"
    ]


def test_load_text_bytes_with_a_schema_error() -> None:
    data = minimal()
    data["indicators"][0]["items"]["parents"][0] = ""
    with pytest.raises(FrameworkError) as info:
        load_text(yaml.safe_dump(data).encode("utf-8"), "upload.yaml")
    assert info.value.lines == [
        "upload.yaml: indicators[0].items.parents[0].statement: statement is empty"
    ]


# -- YAML that parses but hides mistakes ------------------------------------------------------


def test_duplicate_key_is_refused_with_both_lines(tmp_path: Path) -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False)
    text = text.replace("title: Mini framework\n", "title: Mini framework\ntitle: Second\n", 1)
    line_of_second = text.splitlines().index("title: Second") + 1
    assert lines_of(write(tmp_path, text)) == [
        f"bad.yaml: line {line_of_second}, column 1: duplicate key 'title' "
        f"(first used on line {line_of_second - 1})"
    ]


def test_duplicate_key_inside_a_nested_mapping(tmp_path: Path) -> None:
    text = "id: mini\nsource:\n  document: a.txt\n  title: A\n  document: b.txt\n"
    assert lines_of(write(tmp_path, text)) == [
        "bad.yaml: line 5, column 3: duplicate key 'document' (first used on line 3)"
    ]


def test_same_key_in_sibling_mappings_is_fine(tmp_path: Path) -> None:
    # Every indicator has an `id`: duplicates are only within one mapping.
    assert load_file(write(tmp_path, minimal(), "mini.yaml")).id == "mini"


def test_aliases_are_refused_at_the_anchor(tmp_path: Path) -> None:
    text = "a: &x [1, 2]\nb: *x\n"
    assert lines_of(write(tmp_path, text)) == [
        "bad.yaml: line 1, column 4: anchors and aliases (&name, *name) are not allowed in a "
        "framework file"
    ]


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 12)]
    (line,) = lines_of(write(tmp_path, "\n".join(rows) + "\n"))
    assert "anchors and aliases" in line


def test_control_character_is_reported_with_its_line() -> None:
    with pytest.raises(FrameworkError) as info:
        load_text("id: mini\ntitle: a\x07b\n", "bad.yaml")
    (line,) = info.value.lines
    assert line.startswith("bad.yaml: line 2: not valid YAML (")


def test_byte_order_mark_is_accepted() -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False).encode("utf-8")
    assert load_text(b"\xef\xbb\xbf" + text, "bom.yaml").id == "mini"


def test_fast_and_pure_python_parsers_agree_on_the_builtin_files() -> None:
    from frameworks.loader import _FastLoader, _load, _PyLoader

    for path in sorted(FRAMEWORK_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert _load(_FastLoader, text) == _load(_PyLoader, text), path.name


# -- empty text where a reader needs words ---------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (lambda d: d.__setitem__("title", "  "), "title: title is empty"),
        (lambda d: d["source"].__setitem__("document", ""), "source.document: document is empty"),
        (lambda d: d["source"].__setitem__("title", ""), "source.title: title is empty"),
        (
            lambda d: d["rating_scale"].__setitem__("title", ""),
            "rating_scale.title: title is empty",
        ),
        (
            lambda d: d["rating_scale"]["levels"][1].__setitem__("label", " "),
            "rating_scale.levels[1].label: label is empty",
        ),
        (lambda d: d["sections"][0].__setitem__("title", ""), "sections[0].title: title is empty"),
        (
            lambda d: d["sections"][0].__setitem__("components", ["One", " "]),
            "sections[0].components[1]: entry is empty",
        ),
        (
            lambda d: d["indicators"][1].__setitem__("title", "\n"),
            "indicators[1].title: title is empty",
        ),
        (
            lambda d: d["indicators"][0]["themes"][0].__setitem__("title", ""),
            "indicators[0].themes[0].title: title is empty",
        ),
        (
            lambda d: d.__setitem__("audiences", [{"id": "pupils", "label": ""}]),
            "audiences[0].label: label is empty",
        ),
        (lambda d: d["threads"][0].__setitem__("title", ""), "threads[0].title: title is empty"),
        (lambda d: d["threads"][0].__setitem__("id", " "), "threads[0].id: id is empty"),
    ],
)
def test_blank_text_is_refused(tmp_path: Path, where: Any, expected: str) -> None:
    data = minimal()
    where(data)
    assert lines_of(write(tmp_path, data)) == [f"bad.yaml: {expected}"]


def test_optional_text_may_be_left_empty(tmp_path: Path) -> None:
    data = minimal()
    data["source"]["section"] = ""
    data["indicators"][0]["summary"] = ""
    assert load_file(write(tmp_path, data, "mini.yaml")).source.section == ""


# -- ids that would break URLs, item keys or workbook link lists ------------------------------


@pytest.mark.parametrize("bad_id", ["2,1", "a/b", "a;b"])
def test_indicator_id_with_a_separator_is_refused(tmp_path: Path, bad_id: str) -> None:
    data = minimal()
    data["indicators"][1]["id"] = bad_id
    data["threads"][0]["links"] = ["i1"]
    assert lines_of(write(tmp_path, data)) == [
        f"bad.yaml: indicators[1].id: an indicator id cannot contain {bad_id[1]!r}"
    ]


def test_field_and_cross_reference_errors_are_reported_together(tmp_path: Path) -> None:
    # pydantic skips the model validator when a field fails; the loader checks the raw data.
    data = minimal()
    data["indicators"][0]["title"] = ""
    data["indicators"][1]["links"] = ["i9"]
    data["indicators"][0]["items"]["teachers"] = ["I am told."]
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[0].title: title is empty",
        "bad.yaml: indicators[0].items.teachers: unknown audience 'teachers'",
        "bad.yaml: indicators[1].links: 'i9' is not an indicator of this framework",
    ]


def test_a_section_id_left_empty_leaves_its_indicators_without_a_section(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["id"] = " "
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: sections[0].id: id is empty",
        "bad.yaml: indicators[0].section: unknown section 's1'",
        "bad.yaml: indicators[1].section: unknown section 's1'",
    ]


def test_cross_reference_check_skips_values_of_the_wrong_type(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][1]["section"] = ["s1"]
    data["indicators"][1]["links"] = "i1"
    assert lines_of(write(tmp_path, data)) == [
        "bad.yaml: indicators[1].section: Input should be a valid string",
        "bad.yaml: indicators[1].links: Input should be a valid list",
    ]


def test_duplicate_evidence_source_id(tmp_path: Path) -> None:
    data = minimal()
    data["evidence_sources"] = [{"id": "e", "title": "One"}, {"id": "e", "title": "Two"}]
    assert lines_of(write(tmp_path, data)) == ["bad.yaml: evidence_sources: duplicate id 'e'"]


# -- mapping keys that YAML reads as numbers or booleans ---------------------------------------


def test_number_as_an_audience_key(tmp_path: Path) -> None:
    data = minimal()
    text = yaml.safe_dump(data, sort_keys=False).replace("    parents:", "    1:", 1)
    assert lines_of(write(tmp_path, text)) == [
        "bad.yaml: indicators[0].items[key 1 (a number, not text)]: put quotes around this key "
        "so it is read as text"
    ]


def test_yes_as_an_audience_key_reads_as_a_boolean(tmp_path: Path) -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False).replace("    parents:", "    yes:", 1)
    assert lines_of(write(tmp_path, text)) == [
        "bad.yaml: indicators[0].items[key True (true/false, not text)]: put quotes around this "
        "key so it is read as text"
    ]


def test_number_as_a_top_level_key(tmp_path: Path) -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False) + "2024: notes\n"
    assert lines_of(write(tmp_path, text)) == [
        "bad.yaml: [key 2024 (a number, not text)]: put quotes around this key so it is read as "
        "text"
    ]


def test_list_index_still_renders_as_an_index(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][0]["items"]["parents"][1]["scale"] = "stars"
    (line,) = lines_of(write(tmp_path, data))
    assert line.startswith("bad.yaml: indicators[0].items.parents[1].scale: unknown scale 'stars'")


# -- the built-in library ------------------------------------------------------------------------


def test_builtin_frameworks_are_loaded_once() -> None:
    from frameworks import builtin_frameworks

    first = builtin_frameworks()
    assert builtin_frameworks() is first
    assert len(first) == len(list(FRAMEWORK_DIR.glob("*.yaml")))


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, "- " * 100_000 + "x", "{a: " * 100_000, "[" * 30 + "]" * 30],
    ids=["flow-list", "block-list", "flow-map", "closed"],
)
def test_absurd_nesting_is_refused_before_it_can_exhaust_the_stack(text: str) -> None:
    # Without the check these raise RecursionError, or crash the process inside libyaml.
    with pytest.raises(FrameworkError) as info:
        load_text(text, "deep.yaml")
    (line,) = info.value.lines
    assert line.startswith("deep.yaml: line 1, column ")
    assert line.endswith("nested more than 24 levels deep; a framework file needs far fewer")


def test_a_huge_flat_file_is_refused_before_it_is_built() -> None:
    # A few megabytes of "[1,1,1,..." would take a minute to turn into Python objects.
    with pytest.raises(FrameworkError) as info:
        load_text("[" + ",".join(["1"] * 250_000) + "]", "wide.yaml")
    (line,) = info.value.lines
    assert line.startswith("wide.yaml: line 1, column ")
    assert line.endswith("more than 200,000 values and blocks; a framework file needs far fewer")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: x\nopens: 2024-13-45\n", "line 2, column 8: cannot read this as a date (month must"),
        ("id: " + "1" * 5000 + "\n", "line 1, column 5: cannot read this as a number (Exceeds"),
        ("id: !!timestamp soon\n", "line 1, column 5: cannot read this as a date; put quotes"),
        ("id: !!bool maybe\n", "line 1, column 5: cannot read this as true or false; put quotes"),
        ("id: !!float many\n", "line 1, column 5: cannot read this as a number (could not"),
        ("id: !!python/name:os.system\n", "line 1, column 5: not valid YAML (could not determine"),
    ],
    ids=["impossible-date", "5000-digits", "bad-timestamp", "bad-bool", "bad-float", "python-tag"],
)
def test_values_python_cannot_build_are_placed_errors(text: str, expected: str) -> None:
    # Each of these raised ValueError, AttributeError or KeyError from inside PyYAML.
    with pytest.raises(FrameworkError) as info:
        load_text(text, "odd.yaml")
    (line,) = info.value.lines
    assert line.startswith(f"odd.yaml: {expected}"), line


def test_empty_blocks_mean_the_same_as_no_block(tmp_path: Path) -> None:
    data = minimal()
    data["indicators"][1]["items"] = {"staff": []}
    data["indicators"][1]["illustrations"] = {"level_5": " ", "level_2": ""}
    data["indicators"][1]["detail"] = {"actor": "", "behaviours": []}
    ind = load_file(write(tmp_path, data, "mini.yaml")).indicator("i2")
    assert (ind.items, ind.illustrations, ind.detail) == ({}, None, None)

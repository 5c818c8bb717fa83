"""flask --app wsgi frameworks list | show | validate | import | template | export."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import CustomFramework
from app.services.accounts import get_or_create_organisation
from app.services.frameworks import get_framework
from frameworks import Framework, builtin_frameworks
from frameworks.loader import FRAMEWORK_DIR, parse_framework
from frameworks.workbook import read_workbook, workbook_bytes
from tests.app.factories_frameworks import private_definition, private_framework


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["frameworks", *args])


def write_yaml(path: Path, definition: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(definition, sort_keys=False), encoding="utf-8")
    return path


def stored(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(select(CustomFramework)).scalars()
        return [(row.framework_id, row.title) for row in rows]


@pytest.fixture
def org_a(app: Flask) -> str:
    with app.app_context():
        get_or_create_organisation("Org A")
        db.session.commit()
    return "Org A"


# -- list ---------------------------------------------------------------------------------------


def test_list_shows_builtins_with_counts(app: Flask) -> None:
    result = run(app, "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["ID", "FROM", "SECTIONS", "INDICATORS", "ITEMS", "TITLE"]
    parsed = {row.split()[0]: row.split(maxsplit=5) for row in rows}
    assert set(parsed) == set(builtin_frameworks())
    for fw in builtin_frameworks().values():
        _id, origin, sections, indicators, items, title = parsed[fw.id]
        assert origin == "built-in"
        assert (int(sections), int(indicators), int(items)) == (
            len(fw.sections),
            len(fw.indicators),
            fw.item_count(),
        )
        assert title == fw.title


def test_list_with_org_adds_its_own(app: Flask) -> None:
    private_framework(app, "Org A")
    private_framework(app, "Org B")
    assert "private-standards" not in run(app, "list").stdout
    rows = run(app, "list", "--org", "Org A").stdout.splitlines()
    own = [row for row in rows if row.startswith("private-standards")]
    assert len(own) == 1
    assert own[0].split()[1:5] == ["imported", "1", "1", "1"]


def test_list_with_unknown_org(app: Flask) -> None:
    result = run(app, "list", "--org", "Nobody")
    assert result.exit_code == 1
    assert "There is no organisation called 'Nobody'." in result.output


# -- show ---------------------------------------------------------------------------------------


def test_show_prints_a_readable_tree(app: Flask) -> None:
    fw = builtin_frameworks()["hmie-children-services"]
    result = run(app, "show", fw.id)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{fw.title} ({fw.id})"
    # Groups, then sections indented under them, then indicators, then themes.
    q2 = lines.index(f"q2  {fw.group('q2').title}")
    key_area_2 = lines.index(f"  2  {fw.section('2').title}")
    ind = next(n for n, line in enumerate(lines) if line.startswith("    2.1  "))
    assert q2 < key_area_2 < ind
    reports = [line for line in lines if line.endswith("(what stakeholders report)")]
    assert len(reports) == sum(t.stakeholder_report for i in fw.indicators for t in i.themes)
    assert "items:" in lines[ind]
    statement = fw.indicator("2.1").items["children"][0].statement
    assert statement not in result.stdout
    assert statement in run(app, "show", fw.id, "--items").stdout


def test_show_json_is_the_whole_framework(app: Flask) -> None:
    for fw in builtin_frameworks().values():
        result = run(app, "show", fw.id, "--json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert Framework.model_validate(data) == fw
        assert [s["id"] for s in data["sections"]] == [s.id for s in fw.sections]
        first = data["indicators"][0]
        assert {"id", "title", "section", "themes", "links", "items"} <= set(first)


def test_show_json_lists_items_per_audience(app: Flask) -> None:
    data = json.loads(run(app, "show", "hmie-children-services", "--json").stdout)
    ind = next(i for i in data["indicators"] if i["id"] == "2.1")
    assert set(ind["items"]) == {"children", "parents", "staff"}
    assert all(item["statement"] for items in ind["items"].values() for item in items)
    assert any(theme["stakeholder_report"] for theme in ind["themes"])


def test_show_unknown_framework(app: Flask) -> None:
    result = run(app, "show", "nope")
    assert result.exit_code == 1
    assert "There is no framework 'nope'" in result.output


def test_show_an_organisations_framework_needs_org(app: Flask) -> None:
    private_framework(app, "Org A")
    assert run(app, "show", "private-standards").exit_code == 1
    assert run(app, "show", "private-standards", "--org", "Org B").exit_code == 1
    result = run(app, "show", "private-standards", "--org", "Org A")
    assert result.exit_code == 0, result.output
    assert "Private standards (private-standards)" in result.stdout


# -- validate -------------------------------------------------------------------------------------


def test_validate_good_files(app: Flask, tmp_path: Path) -> None:
    for path in sorted(FRAMEWORK_DIR.glob("*.yaml")):
        result = run(app, "validate", str(path))
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"{path.name}: valid: ")
    book = tmp_path / "ours.xlsx"
    book.write_bytes(workbook_bytes(parse_framework(private_definition(), "x")))
    assert run(app, "validate", str(book)).exit_code == 0


def test_validate_bad_yaml_prints_every_error_line(app: Flask, tmp_path: Path) -> None:
    definition = private_definition()
    definition["indicators"][0]["items"]["teachers"] = ["I teach."]
    definition["indicators"][0]["title"] = ""
    path = write_yaml(tmp_path / "bad.yaml", definition)
    result = run(app, "validate", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "bad.yaml: indicators[0].title: title is empty",
        "bad.yaml: indicators[0].items.teachers: unknown audience 'teachers'",
        "2 problems found.",
    ]


def test_validate_bad_workbook_names_cells(app: Flask, tmp_path: Path) -> None:
    wb = load_workbook(io.BytesIO(workbook_bytes(parse_framework(private_definition(), "x"))))
    wb["Items"]["C2"] = None
    wb["Indicators"]["C2"] = "nowhere"
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    result = run(app, "validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "bad.xlsx: Items row 2, column C: statement is empty",
        "bad.xlsx: Indicators row 2, column C: unknown section 'nowhere'",
        "2 problems found.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000, "deep.yaml: line 1, column 25: nested more than 24 levels deep"),
        ("- " * 100_000 + "x", "deep.yaml: line 1, column 49: nested more than 24 levels deep"),
        ("id: 2024-13-45\n", "deep.yaml: line 1, column 5: cannot read this as a date"),
    ],
    ids=["flow-list", "block-list", "bad-date"],
)
def test_validate_hostile_yaml_is_one_clear_line(
    app: Flask, tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    result = run(app, "validate", str(path))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    first, count = result.stderr.splitlines()
    assert first.startswith(expected), first
    assert count == "1 problem found."


def test_validate_missing_file(app: Flask, tmp_path: Path) -> None:
    result = run(app, "validate", str(tmp_path / "absent.yaml"))
    assert result.exit_code == 1
    assert "Cannot read" in result.output


# -- import -------------------------------------------------------------------------------------


def test_import_stores_for_the_org(app: Flask, tmp_path: Path, org_a: str) -> None:
    path = write_yaml(tmp_path / "ours.yaml", private_definition())
    result = run(app, "import", str(path), "--org", org_a)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Imported private-standards (Private standards) for Org A: "
        "1 section, 1 indicator and 1 item.\n"
    )
    assert stored(app) == [("private-standards", "Private standards")]


def test_import_workbook(app: Flask, tmp_path: Path, org_a: str) -> None:
    framework = parse_framework(private_definition("book-one"), "x")
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(framework))
    assert run(app, "import", str(path), "--org", org_a).exit_code == 0
    with app.app_context():
        assert get_framework(get_or_create_organisation(org_a).id, "book-one") == framework


def test_import_again_needs_replace(app: Flask, tmp_path: Path, org_a: str) -> None:
    path = write_yaml(tmp_path / "ours.yaml", private_definition())
    assert run(app, "import", str(path), "--org", org_a).exit_code == 0
    second = private_definition()
    second["title"] = "Second edition"
    path = write_yaml(tmp_path / "ours.yaml", second)
    result = run(app, "import", str(path), "--org", org_a)
    assert result.exit_code == 1
    assert "already has a framework with the id 'private-standards'" in result.output
    assert stored(app) == [("private-standards", "Private standards")]
    result = run(app, "import", str(path), "--org", org_a, "--replace")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Replaced private-standards (Second edition)")
    assert stored(app) == [("private-standards", "Second edition")]


def test_import_refuses_a_builtin_id(app: Flask, tmp_path: Path, org_a: str) -> None:
    path = write_yaml(tmp_path / "ours.yaml", private_definition("derwent-interagency"))
    result = run(app, "import", str(path), "--org", org_a, "--replace")
    assert result.exit_code == 1
    assert "is the id of a built-in framework" in result.output
    assert stored(app) == []


def test_import_bad_file_stores_nothing(app: Flask, tmp_path: Path, org_a: str) -> None:
    definition = private_definition()
    definition["indicators"][0]["links"] = ["p-9"]
    path = write_yaml(tmp_path / "ours.yaml", definition)
    result = run(app, "import", str(path), "--org", org_a)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "ours.yaml: indicators[0].links: 'p-9' is not an indicator of this framework",
        "1 problem found; nothing was imported.",
    ]
    assert stored(app) == []


def test_import_needs_a_known_org(app: Flask, tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "ours.yaml", private_definition())
    result = run(app, "import", str(path), "--org", "Nobody")
    assert result.exit_code == 1
    assert "There is no organisation called 'Nobody'." in result.output
    assert run(app, "import", str(path)).exit_code == 2  # --org is required
    assert stored(app) == []


# -- template and export ---------------------------------------------------------------------------


def test_template_writes_a_workbook(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    result = run(app, "template", str(out))
    assert result.exit_code == 0, result.output
    assert {"Instructions", "Framework", "Sections", "Indicators", "Items"} <= set(
        load_workbook(out).sheetnames
    )
    again = run(app, "template", str(out))
    assert again.exit_code == 1
    assert "exists already; add --force" in again.output
    assert run(app, "template", str(out), "--force").exit_code == 0


def test_template_needs_xlsx_name(app: Flask, tmp_path: Path) -> None:
    result = run(app, "template", str(tmp_path / "template.xls"))
    assert result.exit_code == 1
    assert "must end in .xlsx" in result.output
    assert not (tmp_path / "template.xls").exists()


def test_export_round_trips(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "derwent.xlsx"
    assert run(app, "export", "derwent-interagency", str(out)).exit_code == 0
    back = read_workbook(out.read_bytes(), out.name)
    assert back == builtin_frameworks()["derwent-interagency"]

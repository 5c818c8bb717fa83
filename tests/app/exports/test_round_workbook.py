"""The round workbook, read back with openpyxl: same figures as round_results, nothing for small
groups, formulas kept as text, opened by LibreOffice."""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from openpyxl.workbook import Workbook

from app.extensions import db
from app.models import Role, RoundStatus
from app.services.documents.round_responses import responses_sheet_title
from app.services.documents.round_workbook import write_round_workbook
from app.services.results import CellStatus, RoundResults, round_results, visible_comments
from surveys.scales import get_scale
from tests.app.exports.conftest import (
    FORMULA_COMMENTS,
    HIDDEN_COMMENT,
    SECRET_COMMENT,
    load_round,
    make_round,
)
from tests.services import require
from tests.support import login

K = 5


def _export(app: Flask, round_id: uuid.UUID, seed: int = 1) -> tuple[Workbook, RoundResults]:
    with app.app_context():
        rnd = load_round(round_id)
        out = io.BytesIO()
        write_round_workbook(rnd, out, rng=random.Random(seed))
        results = round_results(rnd)
    return load_workbook(io.BytesIO(out.getvalue())), results


def _close(app: Flask, round_id: uuid.UUID) -> None:
    with app.app_context():
        load_round(round_id).status = RoundStatus.CLOSED
        db.session.commit()


def _table(ws: Any) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of the sheet's Excel table."""
    (_name, ref), *_ = ws.tables.items()
    rows = [[c.value for c in row] for row in ws[ref]]
    return rows[0], rows[1:]


def _records(ws: Any) -> list[dict[str, Any]]:
    header, rows = _table(ws)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _range(ws: Any, ref: str) -> list[Any]:
    low_col, low_row, high_col, high_row = range_boundaries(ref)
    return [
        ws.cell(row, col).value
        for row in range(low_row, high_row + 1)
        for col in range(low_col, high_col + 1)
    ]


def _all_cells(wb: Workbook) -> list[tuple[str, int, Any]]:
    return [
        (ws.title, cell.row, cell.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_sheets_tables_and_frozen_headers(app: Flask, seeded_round: uuid.UUID) -> None:
    wb, results = _export(app, seeded_round)
    shown = [a.label for a in results.audiences if a.status == CellStatus.SHOWN]
    assert wb.sheetnames == [
        "About",
        "Indicators",
        "Disparities",
        "Items (agree)",
        "Items (faces)",
        "Charts",
        "Evidence",
        "Comments",
        *(responses_sheet_title(label) for label in shown),
    ]
    for ws in wb.worksheets:
        if ws.title in ("About", "Charts"):
            continue
        (_, ref), *_ = ws.tables.items()
        header_row = int(ref.split(":")[0][1:])
        assert ws.freeze_panes == f"A{header_row + 1}", ws.title
        assert all(ws.cell(header_row, c).value for c in range(1, ws.max_column + 1))
        assert ws.column_dimensions["A"].width >= 10
    # Percentages are proportions with a percent format, so Excel sorts and sums them.
    ws = wb["Indicators"]
    header, _ = _table(ws)
    col = header.index("% favourable") + 1
    numeric = [
        c for c in ws.iter_cols(min_col=col, max_col=col).__next__() if isinstance(c.value, float)
    ]
    assert numeric and all(c.number_format == "0%" for c in numeric)


def test_indicator_figures_equal_round_results(app: Flask, seeded_round: uuid.UUID) -> None:
    wb, results = _export(app, seeded_round)
    labels = {c.key: c.label for c in results.columns}
    expected = {
        (i.indicator_id, labels[key]): cell
        for i in results.indicators
        for key, cell in i.cells.items()
    }
    records = _records(wb["Indicators"])
    assert len(records) == len(expected)
    statuses = set()
    for record in records:
        cell = expected[(record["Indicator"], record["Audience"])]
        statuses.add(cell.status)
        if cell.status == CellStatus.SHOWN:
            assert record["Respondents"] == cell.respondents
            assert record["Answers excluding Don't know"] == cell.base
            assert record["Favourable answers"] == cell.favourable
            assert record["% favourable"] == pytest.approx(cell.percent / 100)
            assert record["95% CI low"] == pytest.approx(cell.ci_low / 100)
            assert record["95% CI high"] == pytest.approx(cell.ci_high / 100)
            assert record["Quantity word"] == cell.word
            assert record["Don't know answers"] == cell.dont_know
        elif cell.status == CellStatus.SUPPRESSED:
            assert record["Respondents"] == record["% favourable"] == f"fewer than {K}"
            assert record["Note"] == f"Fewer than {K} responses"
        else:
            hidden = "no responses" if cell.status == CellStatus.EMPTY else "not shown"
            assert record["% favourable"] == hidden
            assert record["Note"] == cell.evidence
    assert {CellStatus.SHOWN, CellStatus.SUPPRESSED} <= statuses


def test_item_distributions_equal_round_results(app: Flask, seeded_round: uuid.UUID) -> None:
    wb, results = _export(app, seeded_round)
    labels = {a.audience: a.label for a in results.audiences}
    sheets = {"agree4": "Items (agree)", "faces3": "Items (faces)"}
    rows = {
        scale: {(r["Indicator"], r["Audience"], r["Question"]): r for r in _records(wb[name])}
        for scale, name in sheets.items()
    }
    suppressed_items = 0
    for item in results.items:
        record = rows[item.scale_id].pop(
            (item.indicator_id, labels[item.audience], f"Q{item.position}")
        )
        assert record["Statement"] == item.statement
        if item.cell.shown:
            for option in get_scale(item.scale_id).options:
                assert record[option.label] == item.distribution[option.code]
            assert record["Respondents"] == item.cell.respondents
            assert record["% favourable"] == pytest.approx(item.cell.percent / 100)
            assert record["Quantity word"] == item.cell.word
        else:
            suppressed_items += 1
            options = [record[o.label] for o in get_scale(item.scale_id).options]
            assert options == [None] * len(options)
            assert not isinstance(record["Respondents"], int) or record["Respondents"] == 0
    assert all(not left for left in rows.values())
    assert suppressed_items > 0


def test_about_sheet_has_round_audiences_and_method(app: Flask, seeded_round: uuid.UUID) -> None:
    wb, results = _export(app, seeded_round)
    ws = wb["About"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    first = {row[0]: row[1] for row in values if row and row[0]}
    assert first["Round"] == "Spring listening"
    assert first["Framework"] == results.framework_title
    assert first["Anonymity threshold"] == f"{K} respondents"
    if results.total_respondents is None:  # hidden: a suppressed group's count by subtraction
        assert first["Respondents"] == "not shown (protects a smaller group)"
    else:
        assert first["Respondents"] == results.total_respondents
    start = next(n for n, row in enumerate(values) if row[0] == "Audience")
    header = values[start]
    audiences = {
        row[0]: dict(zip(header, row, strict=False))
        for row in values[start + 1 : start + 1 + len(results.audiences)]
    }
    for summary in results.audiences:
        row = audiences[summary.label]
        assert row["Invited by email"] == summary.invited
        if summary.status == CellStatus.SHOWN:
            assert row["Respondents"] == summary.respondents
            assert row["Paper responses"] == summary.paper_responses
        else:
            assert not isinstance(row["Respondents"], int)
    text = " ".join(str(v) for row in values for v in row if v)
    assert "Wilson score 95% confidence interval" in text
    assert f"fewer than {K} respondents" in text
    assert "75% to 90% most" in text
    assert "divided by every answer except Don't know" in text


def test_evidence_sentences_equal_round_results(app: Flask, seeded_round: uuid.UUID) -> None:
    wb, results = _export(app, seeded_round)
    sentences = [r["What stakeholders report"] for r in _records(wb["Evidence"])]
    expected = [c.evidence for i in results.indicators for c in i.cells.values()] + [
        item.cell.evidence for item in results.items
    ]
    assert Counter(sentences) == Counter(expected)


def test_comments_are_the_visible_ones_without_hidden_in_random_order(
    app: Flask, seeded_round: uuid.UUID
) -> None:
    wb, _ = _export(app, seeded_round, seed=1)
    other, _ = _export(app, seeded_round, seed=2)
    with app.app_context():
        groups = visible_comments(load_round(seeded_round))
    expected = Counter(c.text for g in groups for c in g.comments)
    got = [r["Comment"] for r in _records(wb["Comments"])]
    assert Counter(got) == expected
    assert HIDDEN_COMMENT not in got
    assert "Staff comment 3" in got
    assert got != [r["Comment"] for r in _records(other["Comments"])]  # a fresh shuffle


def test_responses_rows_reproduce_the_item_distributions(
    app: Flask, seeded_round: uuid.UUID
) -> None:
    live, _ = _export(app, seeded_round)
    live_staff = _records(live["Responses Staff"])
    assert "Role" not in live_staff[0]  # breakdowns within an audience: final results only
    assert "appear only in the final results" in " ".join(
        str(c.value) for row in live["Responses Staff"].iter_rows() for c in row if c.value
    )
    _close(app, seeded_round)
    wb, results = _export(app, seeded_round)
    staff = _records(wb["Responses Staff"])
    assert len(staff) == results.audience("staff").respondents
    assert Counter(r["Role"] for r in staff) == {
        "Front-line practitioner": 20,
        "Manager or team leader": 10,
    }
    assert [r["Response"] for r in staff] == list(range(1, len(staff) + 1))
    for sheet, audience in (
        ("Responses Staff", "staff"),
        ("Responses Parents and carers", "parents"),
    ):
        records = _records(wb[sheet])
        header = list(records[0])
        for item in results.items:
            if item.audience != audience:
                continue
            column = next((h for h in header if h.startswith(f"Q{item.position}. ")), None)
            if not item.cell.shown:
                assert column is None  # fewer than k answered: its answers are left out
                continue
            labels = {o.label: o.code for o in get_scale(item.scale_id).options}
            counted = Counter(labels[r[column]] for r in records if r[column] is not None)
            assert counted == {c: n for c, n in item.distribution.items() if n}
    # Nothing that could single anyone out.
    for ws in wb.worksheets:
        if ws.title.startswith("Responses"):
            header, _ = _table(ws)
            assert not {"Channel", "Language", "Id", "Date", "Comment"} & set(header)


def test_no_sheet_holds_a_figure_or_comment_for_a_group_under_the_threshold(
    app: Flask, seeded_round: uuid.UUID
) -> None:
    wb, results = _export(app, seeded_round)
    community = results.audience("community")
    assert community.status == CellStatus.SUPPRESSED
    hidden = [a for a in results.audiences if a.status != CellStatus.SHOWN]
    hidden_labels = {a.label for a in hidden}
    with app.app_context():
        rnd = load_round(seeded_round)
        hidden_statements = {
            item.statement
            for q in rnd.questionnaires
            if q.audience in {a.audience for a in hidden}
            for item in q.items
        }
    for sheet, _, value in _all_cells(wb):
        assert SECRET_COMMENT not in str(value), sheet
    for summary in hidden:
        assert responses_sheet_title(summary.label) not in wb.sheetnames
    assert not any("Community" in name for name in wb.sheetnames)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            values = [c.value for c in row]
            texts = {str(v) for v in values if isinstance(v, str)}
            if not (texts & hidden_labels or texts & hidden_statements):
                continue
            numbers = [
                (c.column_letter, c.value)
                for c in row
                if isinstance(c.value, int | float) and not isinstance(c.value, bool)
            ]
            if ws.title == "About":  # invitations sent are not a figure about respondents
                numbers = [(col, v) for col, v in numbers if col != "B"]
            if ws.title == "Disparities":
                numbers = []  # checked below: hidden audiences are never compared
            assert numbers == [], (ws.title, values)
    for record in _records(wb["Disparities"]):
        compared = f"{record['Highest']} {record['Lowest']} {record['Audiences compared']}"
        assert not any(label in compared for label in hidden_labels)


def test_injected_formulas_stay_text(app: Flask, seeded_round: uuid.UUID) -> None:
    with app.app_context():
        rnd = load_round(seeded_round)
        rnd.name = "=1+2 round"
        staff = next(q for q in rnd.questionnaires if q.audience == "staff")
        staff.items[0].statement = "@SUM(9,9) is a statement"
        db.session.commit()
    wb, _ = _export(app, seeded_round)
    formula_like = [*FORMULA_COMMENTS, "=1+2 round"]
    found: dict[str, list[Any]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.lstrip(" ")[:1] in "=+-@\t\r":
                    assert cell.data_type == "s"
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                    found.setdefault(cell.value, []).append(cell)
    for text in formula_like:
        assert text in found, text
    assert any(v.startswith("@SUM(9,9)") for v in found)


def test_libreoffice_converts_the_workbook(
    app: Flask, seeded_round: uuid.UUID, tmp_path: Path
) -> None:
    require("LibreOffice (soffice)", shutil.which("soffice") is not None, "it opens the file")
    with app.app_context():
        path = tmp_path / "round.xlsx"
        with path.open("wb") as out:
            write_round_workbook(load_round(seeded_round), out)
    profile = tmp_path / "lo-profile"
    for target in ("pdf", "csv"):
        result = subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path),
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        converted = tmp_path / f"round.{target}"
        assert converted.exists() and converted.stat().st_size > 0, result.stdout + result.stderr
    # The CSV is the first sheet as LibreOffice computed it: text stays text, never evaluated.
    text = (tmp_path / "round.csv").read_text()
    assert "Results: Spring listening" in text


# -- downloads and the command -----------------------------------------------------------------


def test_download_for_any_role_with_a_safe_file_name(
    app: Flask, client: FlaskClient, seeded_round: uuid.UUID, make_user: Any
) -> None:
    response = client.get(f"/exports/rounds/{seeded_round}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=chorus-spring-listening-results.xlsx"
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert load_workbook(io.BytesIO(response.data)).sheetnames[0] == "About"
    response.close()
    downloads = client.get(f"/exports/rounds/{seeded_round}").get_data(as_text=True)
    assert f"/exports/rounds/{seeded_round}/indicators.csv" in downloads
    assert f"/exports/rounds/{seeded_round}/paper" in downloads  # coordinators type in paper
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    viewer = app.test_client()
    login(viewer, "viewer@a.example")
    response = viewer.get(f"/exports/rounds/{seeded_round}.xlsx")
    assert response.status_code == 200
    response.close()
    page = viewer.get(f"/exports/rounds/{seeded_round}").get_data(as_text=True)
    assert f"/exports/rounds/{seeded_round}.xlsx" in page
    assert "/paper" not in page  # paper questionnaires are the coordinator's


def test_a_strange_round_name_gives_a_plain_file_name(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app, name='../"Élan" ; rm -rf\r\nX-Injected: 1')
    response = client.get(f"/exports/rounds/{round_id}.xlsx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=chorus-elan-rm-rf-x-injected-1-results.xlsx"
    assert "X-Injected" not in response.headers
    response.close()


def test_a_draft_round_has_nothing_to_export(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    draft = make_round(app, status=RoundStatus.DRAFT)
    for url in (f"/exports/rounds/{draft}.xlsx", f"/exports/rounds/{draft}/indicators.csv"):
        response = client.get(url)
        assert response.status_code == 409
        assert "has not been launched yet" in response.get_data(as_text=True)


def test_indicators_csv_matches_the_sheet(
    app: Flask, client: FlaskClient, seeded_round: uuid.UUID
) -> None:
    wb, _ = _export(app, seeded_round)
    header, rows = _table(wb["Indicators"])
    response = client.get(f"/exports/rounds/{seeded_round}/indicators.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text[1:])))
    assert parsed[0] == header
    assert len(parsed) == len(rows) + 1
    percent_columns = {n for n, h in enumerate(header) if "%" in h or "CI" in h}
    for line, row in zip(parsed[1:], rows, strict=True):
        for n, (got, want) in enumerate(zip(line, row, strict=True)):
            if want is None:
                assert got == ""
            elif n in percent_columns and isinstance(want, float):
                assert float(got) == pytest.approx(want * 100, abs=0.006)
            else:
                assert got == str(want)
    assert f"fewer than {K}" in text


def test_csv_neutralises_formulas(
    app: Flask, client: FlaskClient, seeded_round: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    import app.exports.views as views

    real = views.round_results

    def poisoned(rnd: Any) -> RoundResults:
        results = real(rnd)
        first = dataclasses.replace(results.indicators[0], title='=HYPERLINK("http://x","y")')
        return dataclasses.replace(results, indicators=[first, *results.indicators[1:]])

    monkeypatch.setattr(views, "round_results", poisoned)
    text = client.get(f"/exports/rounds/{seeded_round}/indicators.csv").data.decode("utf-8")
    titles = {row[2] for row in csv.reader(io.StringIO(text[1:]))}
    assert '\'=HYPERLINK("http://x","y")' in titles
    assert '=HYPERLINK("http://x","y")' not in titles
    from app.services.documents.workbook import csv_safe

    for formula in FORMULA_COMMENTS:
        assert csv_safe(formula) == "'" + formula
    assert csv_safe("Most staff") == "Most staff"
    assert csv_safe(0.5) == 0.5


def test_cli_writes_the_workbook(app: Flask, seeded_round: uuid.UUID, tmp_path: Path) -> None:
    out = tmp_path / "round.xlsx"
    result = app.test_cli_runner().invoke(
        args=["rounds", "export", str(seeded_round), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "threshold 5" in result.output
    wb = load_workbook(out)
    assert "Indicators" in wb.sheetnames
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-a-uuid", "--out", "x.xlsx"], "is not a round id"),
        ([str(uuid.uuid4()), "--out", "x.xlsx"], "There is no round with id"),
    ],
)
def test_cli_explains_bad_arguments(
    app: Flask, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [*args[:-1], str(tmp_path / args[-1])]
    result = app.test_cli_runner().invoke(args=["rounds", "export", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_cli_refuses_a_draft(app: Flask, tmp_path: Path) -> None:
    draft = make_round(app, status=RoundStatus.DRAFT)
    out = tmp_path / "draft.xlsx"
    result = app.test_cli_runner().invoke(args=["rounds", "export", str(draft), "--out", str(out)])
    assert result.exit_code != 0
    assert "draft" in result.output
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_live_round_without_answers_exports_plainly(app: Flask, coordinator: Any) -> None:
    round_id = make_round(app)
    wb, results = _export(app, round_id)
    assert not any(name.startswith("Resp") for name in wb.sheetnames)
    records = _records(wb["Indicators"])
    assert records and all(r["% favourable"] == "no responses" for r in records)
    assert all(r["Respondents"] == 0 for r in records)
    charts = [c.value for row in wb["Charts"].iter_rows() for c in row if c.value]
    assert "No figures can be shown for this indicator." in charts
    assert not wb["Charts"]._charts
    assert not wb["Comments"].tables  # no rows, so no (invalid) empty table
    assert results.total_respondents == 0


def test_charts_are_native_bar_charts_of_the_shown_figures(
    app: Flask, seeded_round: uuid.UUID
) -> None:
    from openpyxl.chart import BarChart

    wb, results = _export(app, seeded_round)
    ws = wb["Charts"]
    labels = {c.key: c.label for c in results.columns}
    expected = [
        {labels[key]: cell.percent / 100 for key, cell in i.cells.items() if cell.shown}
        for i in results.indicators
        if any(cell.shown for cell in i.cells.values())
    ]
    assert len(ws._charts) == len(expected) >= 2
    for chart, wanted in zip(ws._charts, expected, strict=True):
        assert isinstance(chart, BarChart) and chart.type == "bar"
        (series,) = chart.series
        values = series.val.numRef.f.split("!")[1].replace("$", "")
        source = series.cat.strRef or series.cat.numRef  # openpyxl refers to text as numRef
        categories = source.f.split("!")[1].replace("$", "")
        plotted = dict(zip(_range(ws, categories), _range(ws, values), strict=True))
        assert plotted == pytest.approx(wanted)
    # Hidden audiences are named beside the charts with their notice, never with a number.
    for row in ws.iter_rows(values_only=True):
        if row[0] == "Community":
            assert row[1] == f"fewer than {K}"


def test_every_evidence_sentence_is_the_one_on_the_results_page(
    app: Flask, client: FlaskClient, seeded_round: uuid.UUID
) -> None:
    """The sentences carry every figure (word, %, n of base, interval): the page and the
    workbook must print the same ones."""
    import html
    import re

    wb, results = _export(app, seeded_round)
    by_indicator: dict[str, list[str]] = {}
    for record in _records(wb["Evidence"]):
        by_indicator.setdefault(record["Indicator"], []).append(record["What stakeholders report"])
    compared = 0
    for indicator in results.indicators:
        page = client.get(f"/results/{seeded_round}/indicators/{indicator.indicator_id}")
        assert page.status_code == 200
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))).split())
        shown = [s for s in by_indicator[indicator.indicator_id] if re.search(r"\d+%", s)]
        compared += len(shown)
        for sentence in shown:
            assert " ".join(sentence.split()) in text, sentence
    assert compared >= 10

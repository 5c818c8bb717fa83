"""The assessment workbook, read back with openpyxl, built through the assessment services."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, JudgementScope, Role, TeamRole, User
from app.services.accounts import get_or_create_organisation
from app.services.assessment.actions import ActionInput, add_action
from app.services.assessment.assessments import (
    AssessmentSettings,
    access_for,
    create_assessment,
    framework_of,
)
from app.services.assessment.evidence import EvidenceInput, add_evidence
from app.services.assessment.imports import import_round
from app.services.assessment.judgements import JudgementInput, record_judgement
from app.services.assessment.ratings import open_discussion, save_ratings, submit_ratings
from app.services.results import close_round
from app.services.synthetic import answers_from_counts, insert_responses, items_of
from tests.app.exports.conftest import load_round, make_round
from tests.services import require
from tests.support import login


def _uid(email: str) -> uuid.UUID:
    return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


def _closed_round(app: Flask) -> uuid.UUID:
    """Parents clearly unhappy (a blind spot against a good rating), staff content, children
    one short of the threshold."""
    round_id = make_round(app, name="Autumn listening", audiences=["staff", "parents", "children"])
    with app.app_context():
        rnd = load_round(round_id)
        for audience, counts in (
            ("parents", {"a": 2, "d": 16, "sd": 2}),
            ("staff", {"sa": 10, "a": 10}),
            ("children", {"sad": 4}),
        ):
            insert_responses(rnd, audience, answers_from_counts(items_of(rnd, audience), counts))
        close_round(rnd)
        db.session.commit()
    return round_id


def _assessment(app: Flask, make_user: Any, *, discuss: bool = True) -> uuid.UUID:
    make_user("fac@a.example", "Org A", Role.SAT_MEMBER)
    make_user("mem@a.example", "Org A", Role.SAT_MEMBER)
    round_id = _closed_round(app)
    with app.app_context():
        org = get_or_create_organisation("Org A")
        fac, mem = _uid("fac@a.example"), _uid("mem@a.example")
        assessment = create_assessment(
            org,
            AssessmentSettings(
                title="Spring self-evaluation",
                framework_id="hmie-children-services",
                choices=["indicator:2.1", "indicator:1.1"],
                team={fac: TeamRole.FACILITATOR, mem: TeamRole.MEMBER},
            ),
        )
        db.session.flush()
        framework = framework_of(assessment)
        facilitator = access_for(assessment, fac, Role.SAT_MEMBER)
        member = access_for(assessment, mem, Role.SAT_MEMBER)
        save_ratings(assessment, framework, facilitator, {"2.1": "5", "1.1": "4"})
        save_ratings(assessment, framework, member, {"2.1": "3", "1.1": "4"})
        submit_ratings(assessment, facilitator)
        submit_ratings(assessment, member)
        if discuss:
            open_discussion(assessment, facilitator)
            record_judgement(
                assessment,
                framework,
                facilitator,
                JudgementScope.INDICATOR,
                "2.1",
                JudgementInput(
                    agreed_rating="5",
                    strengths="=Strong leadership across agencies",
                    areas_for_improvement="Hear more from parents.",
                ),
                fac,
            )
        add_evidence(
            assessment,
            facilitator,
            "2.1",
            EvidenceInput("documentation", "Joint inspection report", "2024-05-01", "Shared drive"),
            fac,
        )
        add_evidence(
            assessment,
            facilitator,
            "2.1",
            EvidenceInput("performance_data", "@Attendance data"),
            fac,
        )
        import_round(assessment, framework, facilitator, str(round_id), fac, "Fac")
        add_action(
            assessment,
            facilitator,
            ActionInput(
                title="+Run a parents' forum",
                owner="Head of service",
                due_on=(date.today() - timedelta(days=3)).isoformat(),
                indicator_ids=["2.1"],
                area_for_improvement="Hear more from parents.",
            ),
        )
        db.session.commit()
        return assessment.id


def _download(client: FlaskClient, assessment_id: uuid.UUID) -> Any:
    response = client.get(f"/exports/assessments/{assessment_id}.xlsx")
    assert response.status_code == 200, response.status_code
    data = response.data
    response.close()
    return load_workbook(io.BytesIO(data))


def _records(ws: Any) -> list[dict[str, Any]]:
    (_name, ref), *_ = ws.tables.items()
    rows = [[c.value for c in row] for row in ws[ref]]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_workbook_holds_ratings_evidence_imports_flags_and_actions(
    app: Flask, client: FlaskClient, coordinator: Any, make_user: Any
) -> None:
    assessment_id = _assessment(app, make_user)
    response = client.get(f"/exports/assessments/{assessment_id}.xlsx")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=chorus-spring-self-evaluation-self-assessment.xlsx"
    )
    response.close()
    wb = _download(client, assessment_id)
    assert wb.sheetnames == [
        "About",
        "Indicators",
        "Charts",
        "Strengths and improvements",
        "Evidence log",
        "Stakeholder evidence",
        "External evidence",
        "Blind spots",
        "Actions",
    ]
    indicators = {r["Indicator"]: r for r in _records(wb["Indicators"])}
    assert set(indicators) == {"1.1", "2.1"}
    rated = indicators["2.1"]
    assert rated["Agreed rating"].startswith("5: ")
    assert rated["Members' ratings"] == 2
    assert (rated["Rated 5"], rated["Rated 3"], rated["Rated 4"]) == (1, 1, 0)
    assert rated["Spread"] == "Ratings 2 levels apart"
    assert indicators["1.1"]["Rated 4"] == 2
    assert indicators["1.1"]["Agreed rating"] == "not agreed yet"
    assert rated["Evidence items"] == 3
    assert "Stakeholders' views and feedback" in rated["Kinds of source"]
    assert rated["Triangulation"] == "Triangulated: 3 kinds of source"
    assert "Possible blind spot" in rated["Stakeholder flags"]
    assert "parents and carers" in rated["Stakeholder flags"]

    judgements = _records(wb["Strengths and improvements"])
    assert [(j["Id"], j["Strengths"]) for j in judgements] == [
        ("2.1", "=Strong leadership across agencies")
    ]
    log = _records(wb["Evidence log"])
    assert {r["Description"] for r in log} >= {"Joint inspection report", "@Attendance data"}
    assert sum(r["Imported from a round"] == "yes" for r in log) == 2  # one per indicator
    assert {r["Added by"] for r in log} >= {"fac@a.example"}

    blind = _records(wb["Blind spots"])
    assert [(b["Indicator"], b["Audience"], b["Flag"]) for b in blind] == [
        ("2.1", "Parents and carers", "Possible blind spot")
    ]
    assert blind[0]["95% CI high"] < 0.5

    (action,) = _records(wb["Actions"])
    assert action["Action"] == "+Run a parents' forum"
    assert action["Overdue"] == "yes" and action["Indicators"] == "2.1"


def test_imported_figures_equal_the_frozen_payload_and_small_groups_have_none(
    app: Flask, client: FlaskClient, coordinator: Any, make_user: Any
) -> None:
    assessment_id = _assessment(app, make_user)
    with app.app_context():
        from app.services.assessment.evidence import evidence_for

        assessment = db.session.get(Assessment, assessment_id)
        (item,) = [i for i in evidence_for(assessment) if i.payload and i.indicator_id == "2.1"]
        payload = item.payload
    wb = _download(client, assessment_id)
    everything = _records(wb["Stakeholder evidence"])
    assert {r["Indicator"] for r in everything} == {"1.1", "2.1"}
    rows = [r for r in everything if r["Indicator"] == "2.1"]
    indicator_rows = {r["Audience"]: r for r in rows if r["About"] == "Indicator"}
    for cell in payload["cells"]:
        row = indicator_rows[cell["label"]]
        assert row["What stakeholders report"] == cell["evidence"]
        if cell["status"] == "shown":
            assert row["Respondents"] == cell["respondents"]
            assert row["% favourable"] == pytest.approx(cell["percent"] / 100)
            assert row["Quantity word"] == cell["word"]
        else:
            assert row["Respondents"] == row["% favourable"] == "fewer than 5"
    children = [r for r in everything if r["Audience"] == "Children and young people"]
    assert children
    for row in children:
        numbers = [v for v in row.values() if isinstance(v, int | float)]
        assert numbers == []
    assert len([r for r in rows if r["About"] == "Statement"]) == len(payload["items"])


def test_native_charts_of_agreed_levels_and_shown_stakeholder_figures_only(
    app: Flask, client: FlaskClient, coordinator: Any, make_user: Any
) -> None:
    from openpyxl.chart import BarChart

    from tests.app.reports.test_workbook_printing import chart_rows, charts_cross_no_break

    assessment_id = _assessment(app, make_user)
    with app.app_context():
        from app.services.assessment.imports import latest_stakeholder_views

        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        scale = framework_of(assessment).rating_scale
        payloads = {i: item.payload for i, item in latest_stakeholder_views(assessment).items()}
    ws = _download(client, assessment_id)["Charts"]
    plotted = [chart_rows(ws, chart) for chart in ws._charts]
    assert all(isinstance(c, BarChart) and c.type == "bar" for c in ws._charts)
    # First the agreed levels: 2.1 agreed at 5, counted from the lowest level; 1.1 not agreed.
    assert plotted[0] == {"2.1 Impact on children and young people": scale.rank("5")}
    assert ws._charts[0].y_axis.scaling.max == len(scale.levels)
    notes = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[0]}
    assert notes["1.1 Improvements in performance"] == "not agreed yet"
    # Then one chart per indicator with an import: exactly the frozen shown figures.
    expected = [
        {
            c["label"]: pytest.approx(c["percent"] / 100)
            for c in payloads[i]["cells"]
            if c["status"] == "shown" and c.get("percent") is not None
        }
        for i in ("1.1", "2.1")
        if i in payloads
    ]
    assert plotted[1:] == expected and len(expected) == 2
    assert all("Children and young people" not in p for p in plotted)  # one short of k
    children = "Children and young people"
    hidden = [row for row in ws.iter_rows(values_only=True) if row[0] == children]
    assert hidden and all(row[1] == "not shown: fewer than 5 responses" for row in hidden)
    charts_cross_no_break(ws)


def test_formulas_typed_by_the_team_stay_text(
    app: Flask, client: FlaskClient, coordinator: Any, make_user: Any
) -> None:
    wb = _download(client, _assessment(app, make_user))
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.value)
                    seen.append(cell.value)
    assert {
        "=Strong leadership across agencies",
        "@Attendance data",
        "+Run a parents' forum",
    } <= set(seen)


def test_a_viewer_sees_no_ratings_before_the_discussion_and_no_names(
    app: Flask, coordinator: Any, make_user: Any
) -> None:
    assessment_id = _assessment(app, make_user, discuss=False)
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    viewer = app.test_client()
    login(viewer, "viewer@a.example")
    wb = _download(viewer, assessment_id)
    for row in _records(wb["Indicators"]):
        assert row["Members' ratings"] == "not visible yet"
        assert all(v is None for k, v in row.items() if k.startswith("Rated "))
    assert "Added by" not in _records(wb["Evidence log"])[0]
    for ws in wb.worksheets[1:]:  # the About sheet lists the team, as the overview page does
        for row in ws.iter_rows(values_only=True):
            assert "fac@a.example" not in row, ws.title


def test_a_sat_member_off_the_team_gets_404(app: Flask, coordinator: Any, make_user: Any) -> None:
    assessment_id = _assessment(app, make_user)
    make_user("other@a.example", "Org A", Role.SAT_MEMBER)
    outsider = app.test_client()
    login(outsider, "other@a.example")
    assert outsider.get(f"/exports/assessments/{assessment_id}.xlsx").status_code == 404


def test_libreoffice_converts_the_assessment_workbook(
    app: Flask, client: FlaskClient, coordinator: Any, make_user: Any, tmp_path: Path
) -> None:
    require("LibreOffice (soffice)", shutil.which("soffice") is not None, "it opens the file")
    response = client.get(f"/exports/assessments/{_assessment(app, make_user)}.xlsx")
    path = tmp_path / "assessment.xlsx"
    path.write_bytes(response.data)
    response.close()
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
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
    assert (tmp_path / "assessment.pdf").stat().st_size > 0

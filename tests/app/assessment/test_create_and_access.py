"""Creating an assessment (selection shortcuts, scope, team) and who may see and change it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, TeamRole
from tests.app.assessment.conftest import COORD, FAY, MO, OTTO, SAM, TEAM, VIC
from tests.app.assessment.helpers import make_assessment, post, snapshot, text, user_id


def _team_form(team: dict[str, str]) -> dict[str, str]:
    return {f"team-{user_id(email)}": role for email, role in team.items()}


def _create(app, client, **fields) -> object:
    with app.app_context():
        team = _team_form(fields.pop("team", {FAY: "facilitator", MO: "member"}))
    data = {"title": "Spring", "framework_id": "hmie-children-services", **team, **fields}
    return post(client, "/assessments/new", data)


def _assessments(app) -> list[Assessment]:
    with app.app_context():
        rows = list(db.session.execute(select(Assessment)).scalars())
        for row in rows:
            _ = [m.role for m in row.members]
            db.session.expunge(row)
        return rows


@pytest.mark.parametrize(
    ("framework", "choices", "expected"),
    [
        ("hmie-children-services", ["section:2"], ["2.1", "2.2"]),  # a key area
        ("hmie-children-services", ["group:q1"], ["1.1", "1.2"]),  # a high-level question
        (
            "csit-red-threads",
            ["thread:financial-management"],
            None,  # read from the framework below
        ),
        ("derwent-interagency", ["section:communicate"], None),  # a standard group
        ("hmie-children-services", ["indicator:9.1", "indicator:2.1"], ["2.1", "9.1"]),
    ],
)
def test_coordinator_creates_from_shortcuts(app, as_user, people, framework, choices, expected):
    from frameworks import builtin_frameworks

    fw = builtin_frameworks()[framework]
    if expected is None:
        kind, ident = choices[0].split(":")
        expected = (
            list(next(t.links for t in fw.threads if t.id == ident))
            if kind == "thread"
            else [i.id for i in fw.indicators_in(ident)]
        )
        order = [i.id for i in fw.indicators]
        expected = sorted(expected, key=order.index)
    coord = as_user(COORD)
    response = _create(
        app,
        coord,
        framework_id=framework,
        choices=choices,
        **{"scope-organisation": "Children's services", "scope-customers": "Families"},
    )
    assert response.status_code == 303, text(response)[:1500]
    (assessment,) = _assessments(app)
    assert assessment.indicator_ids == expected
    assert assessment.framework_id == framework
    assert assessment.scope["organisation"] == "Children's services"
    assert assessment.scope["customers"] == "Families"
    with app.app_context():
        roles = {m.user_id: m.role for m in assessment.members}
        assert roles == {user_id(FAY): TeamRole.FACILITATOR, user_id(MO): TeamRole.MEMBER}


def test_new_form_offers_the_frameworks_shortcuts(app, as_user, people):
    page = text(as_user(COORD).get("/assessments/new?framework=csit-red-threads"))
    assert 'value="thread:continuous-improvement"' in page
    assert "Red thread: Continuous improvement" in page
    page = text(as_user(COORD).get("/assessments/new?framework=hmie-children-services"))
    assert 'value="section:2"' in page and 'value="group:q1"' in page
    assert "fay@a.example" in page and "vic@a.example" not in page  # viewers cannot join
    assert as_user(COORD).get("/assessments/new?framework=nope").status_code == 422


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"choices": []}, "Choose what to assess"),
        ({"choices": ["section:99"]}, "Unknown section: '99'"),
        ({"choices": ["section:2"], "title": " "}, "Enter a title"),
        ({"choices": ["section:2"], "team": {MO: "member"}}, "Choose a facilitator"),
        ({"choices": ["section:2"], "team": {}}, "Choose the people"),
        ({"choices": ["section:2"], "team": {VIC: "facilitator"}}, "Only this organisation"),
        ({"choices": ["section:2"], "team": {FAY: "boss"}}, "Choose a team role"),
        ({"choices": ["section:2"], "framework_id": "nope"}, "There is no framework"),
    ],
)
def test_bad_input_creates_nothing(app, as_user, people, fields, message):
    response = _create(app, as_user(COORD), **fields)
    assert response.status_code == 422
    body = text(response)
    assert message in body and 'class="error-summary"' in body
    assert _assessments(app) == []


def test_only_coordinators_create(app, as_user, people):
    for email in (FAY, VIC):
        assert as_user(email).get("/assessments/new").status_code == 403
        assert _create(app, as_user(email), choices=["section:2"]).status_code == 403
    assert _assessments(app) == []


def test_sat_members_see_only_their_assessments(app, as_user, people):
    ours = make_assessment(app, TEAM, title="Ours")
    theirs = make_assessment(app, {OTTO: TeamRole.FACILITATOR}, title="Otto's")
    fay_list = text(as_user(FAY).get("/assessments/"))
    assert "Ours" in fay_list and "Otto's" not in fay_list
    assert as_user(FAY).get(f"/assessments/{theirs}").status_code == 404
    assert as_user(FAY).get(f"/assessments/{theirs}/consensus").status_code == 404
    otto_list = text(as_user(OTTO).get("/assessments/"))
    assert "Otto's" in otto_list and "Ours" not in otto_list
    # Coordinators and viewers see all of the organisation's.
    for email in (COORD, VIC):
        page = text(as_user(email).get("/assessments/"))
        assert "Ours" in page and "Otto's" in page
    assert as_user(VIC).get(f"/assessments/{ours}").status_code == 200


def test_viewer_is_read_only_everywhere(app, as_user, assessment_id):
    viewer = as_user(VIC)
    before = snapshot(app, assessment_id)
    base = f"/assessments/{assessment_id}"
    for path, data in (
        ("/ratings", {"section": "2", "rating-2.1": "4"}),
        ("/ratings/submit", {}),
        ("/discussion", {}),
        ("/indicators/2.1", {"agreed_rating": "4"}),
        ("/sections/2", {"strengths": "x"}),
        ("/indicators/2.1/evidence", {"source_type": "documentation", "description": "x"}),
        ("/review", {"capacity_statement": "x"}),
        ("/actions", {"title": "x"}),
        ("/settings", {"title": "x"}),
    ):
        response = post(viewer, base + path, data)
        assert response.status_code == 403, (path, response.status_code)
        assert "Nothing was changed" in text(response) or path == "/settings"
    assert snapshot(app, assessment_id) == before
    page = text(viewer.get(base))
    assert "Open the discussion" not in page and "Team and scope" not in page


def test_coordinator_changes_team_and_scope(app, as_user, assessment_id):
    coord = as_user(COORD)
    with app.app_context():
        form = _team_form({SAM: "facilitator", OTTO: "critical_friend"})
    response = post(
        coord,
        f"/assessments/{assessment_id}/settings",
        {"title": "Renamed", "scope-partners": "Health board", **form},
    )
    assert response.status_code == 303
    (assessment,) = _assessments(app)
    assert assessment.title == "Renamed" and assessment.scope["partners"] == "Health board"
    with app.app_context():
        assert {m.user_id: m.role for m in assessment.members} == {
            user_id(SAM): TeamRole.FACILITATOR,
            user_id(OTTO): TeamRole.CRITICAL_FRIEND,
        }
    # Fay is off the team now: as a SAT member she can no longer find it.
    assert as_user(FAY).get(f"/assessments/{assessment_id}").status_code == 404
    # Members cannot change the team.
    before = snapshot(app, assessment_id)
    assert (
        post(as_user(SAM), f"/assessments/{assessment_id}/settings", {"title": "x"}).status_code
        == 403
    )
    bad = post(coord, f"/assessments/{assessment_id}/settings", {"title": "x"})  # no team
    assert bad.status_code == 422
    assert snapshot(app, assessment_id) == before


def test_pages_render_for_every_framework(app, as_user, people):
    """Every page of the workspace renders for each built-in framework (no template surprises)."""
    from frameworks import builtin_frameworks

    for fw in builtin_frameworks().values():
        ids = make_assessment(
            app, TEAM, framework_id=fw.id, choices=(f"framework:{fw.id}",), title=fw.id
        )
        with app.app_context():
            a = db.session.get(Assessment, ids)
            assert a is not None
            sections = {fw.indicator(i).section for i in a.indicator_ids}
            first = a.indicator_ids[0]
        fay = as_user(FAY)
        base = f"/assessments/{ids}"
        for path in (
            "",
            "/ratings",
            f"/ratings?section={sorted(sections)[0]}",
            "/consensus",
            f"/indicators/{first}",
            f"/indicators/{first}/history",
            f"/sections/{sorted(sections)[0]}",
            "/evidence",
            "/import",
            "/stakeholders",
            "/review",
            "/actions",
        ):
            response = fay.get(base + path)
            assert response.status_code == 200, (fw.id, path)
        assert as_user(COORD).get(base + "/settings").status_code == 200
        results = fay.get(base + "/sections/results")
        if fw.results_questions:  # CSIT's Results section: strengths and areas, no features
            assert results.status_code == 200
            assert fw.results_questions[0] in text(results)
        else:
            assert results.status_code == 404
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Assessment)).scalar_one() == 4

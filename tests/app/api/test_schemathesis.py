"""schemathesis against the API's own OpenAPI document, through the WSGI app.

Every operation, with positive and negative data: no 5xx, every answer conforms to its
documented schema, status and media type, negative data is refused. (Schema-valid data may
still be refused with 422 by the pages' own rules, such as an unknown framework, so the
"positive data accepted" check is left out.) Path ids are replaced with
real ones half the time, so the checks reach real rounds (with a group under k) and not only
404s. A few examples per operation keep it well under a minute; SCHEMATHESIS_EXAMPLES deepens.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from app.api.openapi import document
from app.extensions import db
from app.models import FeedbackRound
from app.services.synthetic import answers_from_counts, insert_responses, items_of
from tests.app.factories_assessment import action_id, assessment_id, evidence_id, external_evidence

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))


@pytest.fixture
def world(app: Flask, make_token, live_round) -> Iterator[dict[str, Any]]:
    """A token, a live round of Org A (staff 6, parents 2 under k, on 2.2), an assessment."""
    import random

    secret = make_token()
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        assert rnd is not None
        for audience, n in (("staff", 6), ("parents", 2)):
            items = items_of(rnd, audience)
            rows = answers_from_counts(items, {i.id: {"a": n} for i in items}, rng=random.Random(1))
            insert_responses(rnd, audience, rows)
        staff = next(q for q in rnd.questionnaires if q.audience == "staff")
        item_id = str(staff.items[0].id)
        db.session.commit()
    # An assessment with evidence and an action, so its read has something to show.
    evidence_id(app, "Org A")
    external_evidence(app, "Org A")  # a survey from elsewhere and a discussion, marked external
    action_id(app, "Org A")
    real = {
        "round_id": str(rid),
        "framework_id": "hmie-children-services",
        "assessment_id": assessment_id(app, "Org A"),
        "audience": "staff",
        "item_id": item_id,
    }
    yield {"secret": secret, "real": real}


OPERATIONS = [
    (path, method.upper()) for path, methods in document()["paths"].items() for method in methods
]


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_api_conforms_to_its_own_document(
    app: Flask, world: dict[str, Any], path: str, method: str
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    # The token is fixed (never mutated); identity: the WSGI client hands back compressed
    # bodies as they are.
    headers = {"Authorization": f"Bearer {world['secret']}", "Accept-Encoding": "identity"}
    strategy = operation.as_strategy(GenerationMode.POSITIVE, headers=headers) | (
        operation.as_strategy(GenerationMode.NEGATIVE, headers=headers)
    )
    calls = iter(range(10**6))
    statuses: set[int] = set()

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
        if positive and case.path_parameters and next(calls) % 2 == 0:
            for name in case.path_parameters:  # a real object, half the time
                case.path_parameters[name] = world["real"][name]
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        statuses.add(response.status_code)
        assert response.status_code < 500
        # A group under k is never given as a figure: the 2 parents appear only as suppressed.
        assert '"respondents": 2,' not in response.text
        assert '"answers_received": 2,' not in response.text

    check()
    if method == "GET":  # the token works: reads reach real data, not only refusals
        assert any(code < 300 for code in statuses), statuses


def test_assessment_evidence_says_what_is_external(app: Flask, world: dict[str, Any]) -> None:
    """Each item's kind, and for a survey from elsewhere its name and the file's checksum, so
    a client cannot take it for a Chorus round; and the document describes the fields."""
    from app.models import EvidenceItem

    response = app.test_client().get(
        f"/api/v1/assessments/{world['real']['assessment_id']}",
        headers={"Authorization": f"Bearer {world['secret']}"},
    )
    assert response.status_code == 200
    evidence = response.get_json()["evidence"]
    with app.app_context():
        stored = {str(e.id): e for e in db.session.execute(select(EvidenceItem)).scalars()}
    kinds = {e["kind"] for e in evidence}
    assert kinds == {"team_entry", "external_survey", "discussion"}
    for e in evidence:
        payload = stored[e["id"]].payload or {}
        assert e["external"] is (e["kind"] != "team_entry")
        if e["kind"] == "team_entry":
            assert e["provenance"] is None and not payload
        elif e["kind"] == "external_survey":
            source = payload["source"]
            assert e["provenance"]["name"] == source["survey"] == "Council staff survey 2026"
            assert e["provenance"]["checksum"] == source["sha256"]
            assert len(e["provenance"]["checksum"]) == 64
            assert e["provenance"]["file_name"] == "council-staff-survey-2026.csv"
        else:
            assert e["provenance"]["name"] == "Family forum, spring"
            assert e["provenance"]["checksum"] is None
            assert e["counted_as_stakeholders_views"] is payload["counted"]
    fields = document()["components"]["schemas"]["EvidenceOut"]["properties"]
    assert "not a Chorus round" in fields["kind"]["description"]
    assert fields["external"]["description"] and fields["provenance"]["description"]


def test_unknown_ids_are_problem_documents(app: Flask, world: dict[str, Any]) -> None:
    client = app.test_client()
    response = client.get(
        f"/api/v1/rounds/{uuid.uuid4()}/results",
        headers={"Authorization": f"Bearer {world['secret']}"},
    )
    assert response.status_code == 404 and response.content_type == "application/problem+json"

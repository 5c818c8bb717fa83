"""The Derwent standards (shared/seeds/004_3f8542a17fafe4a6.txt) are encoded faithfully."""

from __future__ import annotations

import re

import pytest

from frameworks import Framework, load_file
from frameworks.loader import FRAMEWORK_DIR

PATH = FRAMEWORK_DIR / "derwent-interagency.yaml"

# Standards per group in the source's tables, in source order.
GROUPS = {
    "leadership": 11,
    "operational-management": 10,
    "communicate": 14,
    "monitoring-evaluation": 9,
}
ACTORS = {
    "chief officers",
    "lead officers",
    "members of the public",
    "front-line managers and staff",
}

# Outcomes members of the public experience themselves (kept informed, asked for views, told
# decisions, rights protected, involved, satisfied, asked for feedback, improvement, influence).
SERVICE_USER_STANDARDS = [
    "communicate-1.1",
    "communicate-2.1",
    "communicate-3.1",
    "communicate-4.1",
    "communicate-5.1",
    "communicate-6.1",
    "monitoring-evaluation-1.1",
    "monitoring-evaluation-2.1",
    "monitoring-evaluation-3.1",
    "monitoring-evaluation-4.1",
]


@pytest.fixture(scope="module")
def derwent() -> Framework:
    return load_file(PATH)


def test_identity_and_source(derwent: Framework) -> None:
    assert derwent.id == "derwent-interagency"
    assert derwent.source.document == "004_3f8542a17fafe4a6.txt"
    assert "Quality standards in inter-agency work" in derwent.source.title
    assert derwent.source.section.startswith("4 The Quality Standards")


def test_sections_are_the_four_standard_groups_in_order(derwent: Framework) -> None:
    assert [s.id for s in derwent.sections] == list(GROUPS)
    for section in derwent.sections:
        assert section.summary, section.id
    assert derwent.section("leadership").summary.startswith("Leaders specify the aims")
    assert derwent.section("monitoring-evaluation").summary.endswith(
        "to improve quality continuously."
    )


@pytest.mark.parametrize(("section", "count"), GROUPS.items())
def test_standards_per_group(derwent: Framework, section: str, count: int) -> None:
    assert len(derwent.indicators_in(section)) == count


def test_44_standards(derwent: Framework) -> None:
    assert len(derwent.indicators) == sum(GROUPS.values()) == 44


def test_ids_unique_and_in_source_order(derwent: Framework) -> None:
    expected = [
        f"{section}-{n}.1" for section, count in GROUPS.items() for n in range(1, count + 1)
    ]
    ids = [i.id for i in derwent.indicators]
    assert len(set(ids)) == len(ids)
    assert ids == expected


def test_design_example_id_exists(derwent: Framework) -> None:
    # DESIGN.md section 2 names communicate-2.1: "asked for their views on the recommendations".
    assert "asked for their views" in derwent.indicator("communicate-2.1").title


def test_every_standard_has_detail(derwent: Framework) -> None:
    for ind in derwent.indicators:
        assert ind.detail is not None, ind.id
        assert ind.detail.intended_outcome.strip(), ind.id
        assert ind.detail.actor in ACTORS, ind.id
        assert ind.title.strip(), ind.id
        # Every row of the source has at least one behaviour or skill beside its outcome.
        assert ind.detail.behaviours or ind.detail.skills_and_abilities, ind.id


def test_detail_lists_do_not_keep_source_numbers(derwent: Framework) -> None:
    for ind in derwent.indicators:
        assert ind.detail is not None
        for entry in (
            ind.detail.behaviours
            + ind.detail.skills_and_abilities
            + ind.detail.knowledge_and_understanding
        ):
            assert entry.strip(), ind.id
            assert not re.match(r"^\d+\.\d+\b", entry), (ind.id, entry)


@pytest.mark.parametrize(
    ("indicator_id", "actor"),
    [
        ("leadership-1.1", "chief officers"),
        ("leadership-11.1", "chief officers"),
        ("operational-management-1.1", "lead officers"),
        ("communicate-1.1", "members of the public"),
        ("communicate-6.1", "members of the public"),
        ("communicate-7.1", "lead officers"),
        ("communicate-13.1", "lead officers"),
        ("monitoring-evaluation-4.1", "members of the public"),
        ("monitoring-evaluation-5.1", "lead officers"),
        ("monitoring-evaluation-7.1", "front-line managers and staff"),
        ("monitoring-evaluation-9.1", "front-line managers and staff"),
    ],
)
def test_actor_follows_the_source_headers(
    derwent: Framework, indicator_id: str, actor: str
) -> None:
    detail = derwent.indicator(indicator_id).detail
    assert detail is not None
    assert detail.actor == actor


def test_two_outcome_rows_keep_both_outcomes(derwent: Framework) -> None:
    six = derwent.indicator("leadership-6.1").detail
    eleven = derwent.indicator("leadership-11.1").detail
    assert six is not None and eleven is not None
    assert "resources allocated" in six.intended_outcome
    assert "resources available to them" in eleven.intended_outcome


@pytest.mark.parametrize("indicator_id", SERVICE_USER_STANDARDS)
def test_service_user_standards_have_service_user_items(
    derwent: Framework, indicator_id: str
) -> None:
    assert derwent.indicator(indicator_id).items.get("service_users"), indicator_id


def test_every_public_outcome_is_asked_of_service_users(derwent: Framework) -> None:
    public = [
        i.id
        for i in derwent.indicators
        if i.detail is not None and i.detail.actor == "members of the public"
    ]
    assert public == SERVICE_USER_STANDARDS
    for ind in derwent.indicators:
        if ind.id in public:
            assert "service_users" in ind.items, ind.id


def test_item_bank_audiences(derwent: Framework) -> None:
    used = {a for ind in derwent.indicators for a in ind.items}
    assert used == {"service_users", "partners", "staff"}
    # The inter-agency group's own working (operational management) is judged by partners only.
    for ind in derwent.indicators_in("operational-management"):
        assert set(ind.items) == {"partners"}, ind.id
    # Every standard can be judged by somebody.
    for ind in derwent.indicators:
        assert ind.items, ind.id


def test_listening_question_becomes_a_statement(derwent: Framework) -> None:
    statements = [s.statement for s in derwent.indicator("communicate-14.1").items["service_users"]]
    assert "The worker listened to me." in statements


def test_rating_scale(derwent: Framework) -> None:
    scale = derwent.rating_scale
    assert scale.id == "met3"
    assert [lvl.code for lvl in scale.levels] == ["met", "partly", "not-met"]
    assert [lvl.label for lvl in scale.levels] == ["Met", "Partly met", "Not met"]
    assert all(lvl.descriptor for lvl in scale.levels)
    assert scale.good_from == "met"
    assert scale.is_good_or_better("met")
    assert not scale.is_good_or_better("partly")


def test_notes_record_encoding_decisions(derwent: Framework) -> None:
    assert derwent.notes
    assert any("communicate-2.1" in note for note in derwent.notes)

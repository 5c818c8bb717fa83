"""The two CSIT frameworks encode their source documents faithfully.

Sources: shared/seeds/002_cdf102f818c45da2.txt (Document 3.7, Collaborative Working),
000_e12b89e5bcf3f34b.txt (Red Threads) and 001_ccb59e3f0bda142f.txt (the nine CSIT themes).
"""

from __future__ import annotations

import re

import pytest

from frameworks import get_builtin

CW = "csit-collaborative-working"
RT = "csit-red-threads"

# Hand-counted from the Self-Assessment Questionnaire in 002 (Ref column 1..37):
#   Preparing the ground                      refs 1-5    -> 5
#   Establishing partnerships                 refs 6-12   -> 7
#   Developing a joined-up approach ...       refs 13-24  -> 12
#   Collaborative service delivery            refs 25-28  -> 4
#   Maintaining the partnerships              refs 29-33  -> 5
#   Review & improvement                      refs 34-37  -> 4
#                                                   total   37
CW_SECTIONS = [
    ("preparing-the-ground", "Preparing the ground", range(1, 6)),
    ("establishing-partnerships", "Establishing partnerships", range(6, 13)),
    (
        "joined-up-approach",
        "Developing a joined-up approach which makes the best use of collective resources",
        range(13, 25),
    ),
    ("collaborative-service-delivery", "Collaborative service delivery", range(25, 29)),
    ("maintaining-partnerships", "Maintaining the partnerships", range(29, 34)),
    ("review-improvement", "Review & improvement", range(34, 38)),
]

# The opening words of every key feature, copied from 002, so a reordering or a mislabelled
# feature fails.
CW_OPENINGS = {
    1: "Leaders and other staff have a full understanding of what partnerships are",
    2: "Partnership decisions shape & focus strategy",
    3: "Leaders ensure that people have the capacity to explore",
    4: "The competencies & knowledge required for collaborative working",
    5: "Leaders establish shared vision and strategic outcomes",
    6: "Organisations develop & maintain understanding of the role & capabilities",
    7: "Leaders proactively identify & seek strategic, development & delivery partnerships",
    8: "Leaders are actively involved in key strategic partnerships",
    9: "Leaders conduct cyclical rigorous evaluation of the options",
    10: "Leaders proactively develop cross-boundary collaborations",
    11: "People are clear about the status & role of partnerships",
    12: "People actively develop personal relationships, shared values & true synergy",
    13: "Organisations work together to develop a coherent, integrated approach to consulting",
    14: "Organisations review & take advantage of joint facilities",
    15: "Organisations proactively develop partnerships & consortia",
    16: "Organisations work with partners from the public & commercial sector",
    17: "Organisations collaborate to provide mutual challenge & support",
    18: "Organisations take advantage of joint learning & development programmes",
    19: "Organisations work together to explore & secure external investment",
    20: "Organisations work together to present an integrated & unified presence",
    21: "Organisations explore all relevant opportunities for making available spare capacity",
    22: "Organisations explore joint use of facilities & equipment",
    23: "Organisations develop long-term procurement partnerships with suppliers",
    24: "Partners are engaged in organisational improvement",
    25: "Leaders view the whole delivery system through the eyes of the community",
    26: "Leaders identify, develop, manage & improve the 'end-to-end' processes",
    27: "Organisations aim to resolve customer enquiries or complaints at the first point",
    28: "Technology is used to support collaborative working",
    29: "People within partnerships communicate in an open & meaningful way",
    30: "People maintain commitment, energy & resources",
    31: "Leaders understand, anticipate & respond",
    32: "Organisations support partners to understand the relevance of the services",
    33: "People actively maintain & develop the personal relationships with partners",
    34: "Adequate and compatible systems are in place across partner organisations",
    35: "Performance information is communicated widely with partners",
    36: "Joint Self-Assessment is conducted",
    37: "The value of partnerships is reviewed",
}

# Community members and service users judge only what they experience directly.
CW_PUBLIC_ITEMS = {
    "cw-13": {"community"},  # being consulted without duplication
    "cw-14": {"service_users"},  # services under one roof
    "cw-16": {"community"},  # joined-up information about services
    "cw-25": {"service_users"},  # easy-to-use, joined-up services
    "cw-27": {"service_users"},  # enquiries and complaints settled at first contact
}

# The red-thread table in 000, link lists in the source's order; "2,1" is the source's typo.
RT_THREADS = {
    "Setting and following a clear direction to achieve the desired outcomes": [
        "1.1", "3.1", "2.1", "2.2", "4.3", "5.1", "6.1", "6.2", "7.1", "8.2",
    ],
    "Continuous improvement": [
        "1.3", "2.2", "4.4", "5.3", "6.1", "6.2", "6.3", "6.5", "7.2", "8.3", "8.4", "8.5",
    ],
    "Financial management": ["2.1", "2.2", "4.3", "5.1", "5.2", "5.4", "8.3"],
    "Communication within partnerships": [
        "1.1", "1.2", "4.1", "4.2", "6.3", "7.2", "8.3", "8.4",
    ],
    "Staff development": ["1.3", "2.2", "3.2", "4.1", "6.1", "6.2", "8.4", "8.5"],
    "Providing an excellent service to customers": [
        "1.2", "2.1", "2.2", "3.2", "7.1", "7.2", "6.2",
    ],
}  # fmt: skip

# The nine CSIT themes in 001 (Stage 4 template, Option 3), in order.
CSIT_THEMES = [
    "Leadership",
    "Strategy",
    "Community Engagement",
    "Partnership Working",
    "Resource Management",
    "People Management",
    "Service Development, Delivery & Marketing",
    "Performance, Measurement, Review & Improvement",
    "Results achieved",
]

JARGON = (
    "synergy",
    "stakeholder",
    "consorti",
    "commission",
    "end-to-end",
    "cross-boundary",
    "civil society",
    "co-locat",
    "procurement",
    "capacity",
    "competenc",
    "outcome",
    "strategic",
    "self-assessment",
    "leverage",
    "holistic",
    "e.g.",
    "i.e.",
    "etc",
)


@pytest.fixture(scope="module")
def cw():
    return get_builtin(CW)


@pytest.fixture(scope="module")
def rt():
    return get_builtin(RT)


# -- Collaborative Working (002) ------------------------------------------------------------


def test_cw_identity_and_source(cw):
    assert cw.id == CW
    assert "Collaborative Working" in cw.title
    assert cw.short_title
    assert cw.description
    assert cw.source.document == "002_cdf102f818c45da2.txt"
    assert "3.7" in cw.source.title
    assert cw.source.section


def test_cw_six_sections_in_order(cw):
    assert [(s.id, s.title) for s in cw.sections] == [(i, t) for i, t, _ in CW_SECTIONS]
    assert all(s.summary for s in cw.sections)


def test_cw_37_key_features_in_document_order(cw):
    assert len(cw.indicators) == 37
    assert [i.id for i in cw.indicators] == [f"cw-{n}" for n in range(1, 38)]


def test_cw_section_sizes_match_the_source(cw):
    sizes = {sid: len(cw.indicators_in(sid)) for sid, _, _ in CW_SECTIONS}
    assert sizes == {
        "preparing-the-ground": 5,
        "establishing-partnerships": 7,
        "joined-up-approach": 12,
        "collaborative-service-delivery": 4,
        "maintaining-partnerships": 5,
        "review-improvement": 4,
    }
    for sid, _, refs in CW_SECTIONS:
        assert [i.id for i in cw.indicators_in(sid)] == [f"cw-{n}" for n in refs]


@pytest.mark.parametrize("ref", sorted(CW_OPENINGS))
def test_cw_titles_follow_the_source(cw, ref):
    title = cw.indicator(f"cw-{ref}").title
    assert title.startswith(CW_OPENINGS[ref]), title


def test_cw_source_slips_corrected(cw):
    assert "public sector, commercial sector & civil society" in cw.indicator("cw-5").title
    assert "public, sector" not in cw.indicator("cw-5").title
    assert cw.indicator("cw-20").title.startswith("Organisations work together")


# Key features front-line staff cannot see, and so are not asked about (issue 20).
STAFF_CANNOT_JUDGE = {"cw-9": "leaders weighing up delivery options happens out of their sight"}


def test_cw_every_key_feature_has_partner_items_and_staff_items_where_staff_can_judge(cw):
    for ind in cw.indicators:
        assert ind.items.get("partners"), ind.id
        assert bool(ind.items.get("staff")) == (ind.id not in STAFF_CANNOT_JUDGE), ind.id


def test_cw_partner_items_use_progress5_staff_items_agree4(cw):
    for ind in cw.indicators:
        for item in ind.items["partners"]:
            assert item.scale == "progress5", (ind.id, item.statement)
            assert item.statement.startswith("We "), (ind.id, item.statement)
        for item in ind.items.get("staff", []):
            assert item.scale in (None, "agree4"), (ind.id, item.statement)
            words = set(re.findall(r"[a-z']+", item.statement.lower()))
            assert words & {"i", "my", "me", "we", "our", "us"}, (ind.id, item.statement)


def test_cw_public_audiences_only_where_they_can_judge(cw):
    for ind in cw.indicators:
        declared = {a.id for a in cw.audiences}  # senior leaders, front-line staff: not public
        extra = set(ind.items) - {"staff", "partners"} - declared
        assert extra == CW_PUBLIC_ITEMS.get(ind.id, set()), ind.id


def test_cw_results_and_review_questions(cw):
    assert cw.results_questions == [
        "What do our partners think of how well we build & sustain partnerships?",
        "To what extent are our partnerships achieving shared outcomes"
        " (what do the results tell us?)",
    ]
    review = {q.id: q.question for q in cw.review_questions}
    assert list(review) == ["significant-areas", "golden-threads-fault-lines", "underlying-causes"]
    assert review["significant-areas"].startswith("What are the most significant areas")
    assert "'golden threads' & 'fault lines'" in review["golden-threads-fault-lines"]
    assert review["underlying-causes"] == (
        "What are the few underlying causes of most of the areas for improvement?"
    )


def test_cw_rating_scale(cw):
    scale = cw.rating_scale
    assert scale.id == "progress5"
    assert [lv.code for lv in scale.levels] == ["e", "d", "c", "b", "a"]
    assert scale.good_from == "d"
    descriptors = {lv.code: lv.descriptor for lv in scale.levels}
    assert descriptors["a"] == "Not yet"
    assert descriptors["b"] == "We are in the early stages of developing this"
    assert descriptors["c"] == "We partly do this"
    assert descriptors["d"] == "We do all of this, most of the time"
    assert descriptors["e"].startswith("We have been doing all of this for a few years")
    assert "assessed & refined" in descriptors["e"]
    assert scale.is_good_or_better("e")
    assert not scale.is_good_or_better("c")


def test_cw_notes_describe_consensus_on_disparities(cw):
    text = " ".join(cw.notes).lower()
    assert "alone" in text
    assert "consensus" in text
    assert "differ" in text


# -- Red Threads (000, 001) ------------------------------------------------------------------


def test_rt_identity_and_scale(rt):
    assert rt.id == RT
    assert rt.source.document == "000_e12b89e5bcf3f34b.txt"
    assert [lv.code for lv in rt.rating_scale.levels] == ["e", "d", "c", "b", "a"]
    assert rt.rating_scale.good_from == "d"


def test_rt_six_threads_with_exact_links(rt):
    assert len(rt.threads) == 6
    assert {t.title: t.links for t in rt.threads} == RT_THREADS
    assert [t.title for t in rt.threads] == list(RT_THREADS)
    assert all(t.explanation for t in rt.threads)


def test_rt_financial_typo_fixed(rt):
    (financial,) = [t for t in rt.threads if t.title == "Financial management"]
    assert financial.links[0] == "2.1"
    assert "2,1" not in financial.links


def test_rt_continuous_improvement_trailing_text_kept_as_text(rt):
    (ci,) = [t for t in rt.threads if t.title == "Continuous improvement"]
    assert "Self Assessment and improvement planning" in ci.explanation
    assert all(re.fullmatch(r"\d\.\d", link) for t in rt.threads for link in t.links)


def test_rt_every_link_resolves(rt):
    ids = {i.id for i in rt.indicators}
    linked = {link for t in rt.threads for link in t.links}
    assert linked <= ids
    # no criterion without a thread: the sources say nothing else about any criterion
    assert ids == linked
    assert len(ids) == 25


def test_rt_nine_theme_sections(rt):
    assert [s.title for s in rt.sections] == CSIT_THEMES
    by_number = {str(n): s.id for n, s in enumerate(rt.sections, start=1)}
    for ind in rt.indicators:
        assert ind.section == by_number[ind.id.split(".")[0]], ind.id
        assert ind.title == f"CSIT criterion {ind.id}"
    assert rt.indicators_in(rt.sections[8].id) == []  # Results achieved: no linked criteria


def test_rt_only_51_has_a_summary(rt):
    assert "financial resources" in rt.indicator("5.1").summary
    assert [i.id for i in rt.indicators if i.summary] == ["5.1"]


def test_rt_items_on_communication_and_staff_development_threads(rt):
    for title in ("Communication within partnerships", "Staff development"):
        (thread,) = [t for t in rt.threads if t.title == title]
        audiences = {aud for link in thread.links for aud in rt.indicator(link).items}
        assert {"staff", "partners"} <= audiences, title
    for ind in rt.indicators:
        for item in ind.items.get("partners", []):
            assert item.scale == "progress5", ind.id


# -- item rules, for both frameworks ------------------------------------------------------------


def _items(framework_id):
    fw = get_builtin(framework_id)
    return [
        (ind.id, audience, item.statement)
        for ind in fw.indicators
        for audience, items in ind.items.items()
        for item in items
    ]


@pytest.mark.parametrize("framework_id", [CW, RT])
def test_item_rules(framework_id):
    items = _items(framework_id)
    assert items
    for ind_id, audience, statement in items:
        where = (ind_id, audience, statement)
        assert statement.endswith("."), where
        assert not re.search(r"[.!?;:]", statement[:-1]), where  # exactly one sentence
        assert len(statement.split()) <= (12 if audience == "children" else 20), where
        assert " and/or " not in statement, where
        assert not re.search(r"\band\b|&", statement, re.IGNORECASE), where  # one idea
        lowered = statement.lower()
        assert not [word for word in JARGON if word in lowered], where


@pytest.mark.parametrize("framework_id", [CW, RT])
def test_no_duplicate_statements(framework_id):
    statements = [(aud, s) for _, aud, s in _items(framework_id)]
    assert len(statements) == len(set(statements))

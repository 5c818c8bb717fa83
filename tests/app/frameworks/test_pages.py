"""Framework library pages: index, tree, indicator, threads, downloads, and who sees what."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.extensions import db
from app.models import Role, User
from app.services.accounts import get_or_create_organisation
from app.services.frameworks import import_framework
from frameworks import builtin_frameworks
from frameworks.loader import parse_framework
from frameworks.workbook import read_workbook
from tests.app.factories_frameworks import (
    FACTORIES,
    PRIVATE_ID,
    PRIVATE_INDICATOR,
    private_definition,
    private_framework,
)
from tests.support import dummy_url, login

HMIE = "hmie-children-services"
CSIT_THREADS = "csit-red-threads"
DERWENT = "derwent-interagency"


def text_of(response) -> str:
    """The page's visible text, whitespace collapsed, for assertions about wording."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return text_of(response)


# -- index ------------------------------------------------------------------------------------


def test_index_lists_every_builtin_with_counts(client: FlaskClient, coordinator: User) -> None:
    response = client.get("/frameworks/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for fw in builtin_frameworks().values():
        row = re.search(rf'<a href="/frameworks/{fw.id}/">.*?</tr>', body, flags=re.S)
        assert row, fw.id
        counts = re.search(r'<td class="fw-counts">(.*?)</td>', row.group(0))
        assert counts, fw.id
        assert counts.group(1) == (
            f"{len(fw.sections)} sections, {len(fw.indicators)} indicators and "
            f"{fw.item_count()} items"
        )
    assert "css/frameworks." in body
    assert 'href="/frameworks/import"' in body  # a coordinator may import


def test_index_shows_own_imports_only(app: Flask, client: FlaskClient, coordinator: User) -> None:
    private_framework(app, "Org B")
    assert "Private standards" not in page(client, "/frameworks/")
    private_framework(app, "Org A")
    text = page(client, "/frameworks/")
    assert "Private standards" in text
    assert "Imported by Org A" in text


@pytest.mark.parametrize("role", [Role.SAT_MEMBER, Role.VIEWER])
def test_other_roles_see_frameworks_but_not_the_import_link(
    client: FlaskClient, make_user: Callable[..., User], role: Role
) -> None:
    make_user("member@a.example", "Org A", role)
    login(client, "member@a.example")
    body = client.get("/frameworks/").get_data(as_text=True)
    assert 'href="/frameworks/import"' not in body
    assert "Ask a coordinator to import" in body
    assert client.get(f"/frameworks/{HMIE}/").status_code == 200


def test_pages_need_sign_in(client: FlaskClient) -> None:
    for url in ("/frameworks/", f"/frameworks/{HMIE}/", "/frameworks/template.xlsx"):
        response = client.get(url)
        assert response.status_code in (302, 303), url
        assert "/login" in response.headers["Location"]


# -- a framework's tree -------------------------------------------------------------------------


def test_hmie_tree_has_questions_key_areas_indicators_and_themes(
    client: FlaskClient, coordinator: User
) -> None:
    fw = builtin_frameworks()[HMIE]
    response = client.get(f"/frameworks/{HMIE}/")
    body = response.get_data(as_text=True)
    text = text_of(response)
    for group in fw.groups:
        assert group.title in text
    for section in fw.sections:
        assert f"{section.id} {section.title}" in text
    for ind in fw.indicators:
        assert f'href="/frameworks/{HMIE}/indicators/{ind.id}"' in body
        for theme in ind.themes:
            assert html.escape(theme.title, quote=False) in body or theme.title in text
    # Stakeholder-report themes are marked in words, once each, not by colour alone.
    reports = [t for i in fw.indicators for t in i.themes if t.stakeholder_report]
    assert len(reports) >= 4
    assert text.count("What stakeholders report") == len(reports)
    # The tree nests: a question's heading comes before its key areas' headings.
    assert body.index(fw.groups[1].title) < body.index(fw.section("2").title)
    assert "components" in text.lower()  # key area 10's components


def test_tree_says_who_is_asked_about_each_indicator(
    client: FlaskClient, coordinator: User
) -> None:
    fw = builtin_frameworks()[HMIE]
    ind = fw.indicator("2.1")
    text = page(client, f"/frameworks/{HMIE}/")
    asked = ", ".join(
        f"{fw.audience_label(a)} ({len(ind.items[a])})" for a in fw.audience_ids if a in ind.items
    )
    assert f"Asked of: {asked}" in text


def test_framework_without_groups_lists_sections(client: FlaskClient, coordinator: User) -> None:
    fw = builtin_frameworks()[DERWENT]
    text = page(client, f"/frameworks/{DERWENT}/")
    for section in fw.sections:
        assert f"{section.id} {section.title}" in text
    assert "Red threads" not in text


def test_unknown_framework_is_404_with_words(client: FlaskClient, coordinator: User) -> None:
    text = page(client, "/frameworks/nothing-here/", 404)
    assert "no framework with that id" in text


# -- an indicator -------------------------------------------------------------------------------


def test_hmie_indicator_page(client: FlaskClient, coordinator: User) -> None:
    fw = builtin_frameworks()[HMIE]
    ind = fw.indicator("2.1")
    text = page(client, f"/frameworks/{HMIE}/indicators/2.1")
    assert f"2.1 {ind.title}" in text
    for theme in ind.themes:
        assert theme.title in text
    # Items grouped by audience, each audience with its scale named.
    for audience, items in ind.items.items():
        section = text.split(fw.audience_label(audience), 1)[1]
        assert "Answered on:" in section[:200]
        for item in items:
            assert item.statement in text
    assert (
        "children under 8: Three faces; children 8 to 12: Three faces; "
        "young people 13 and over: Strongly agree"
    ) in (text)
    assert "Parents and carers Answered on: Strongly agree to strongly disagree" in text
    # Audiences with no items are named as not asked.
    assert "Not asked, because they cannot judge it from their own experience: Partners" in text
    # Illustration summaries with the scale's names for levels 5 and 2.
    assert f"Level 5 (very good) {ind.illustrations.level_5}" in text
    assert f"Level 2 (weak) {ind.illustrations.level_2}" in text
    # Links both ways.
    out_links = text.split("Evidence for this indicator is also useful for", 1)[1]
    for link in ind.links:
        assert f"{link} {fw.indicator(link).title}" in out_links
    incoming = fw.linked_from("2.1")
    if incoming:
        assert "Indicators whose evidence is useful here" in text


def test_indicator_with_incoming_links(client: FlaskClient, coordinator: User) -> None:
    fw = builtin_frameworks()[HMIE]
    target = next(i for i in fw.indicators if fw.linked_from(i.id))
    text = page(client, f"/frameworks/{HMIE}/indicators/{target.id}")
    incoming = text.split("Indicators whose evidence is useful here", 1)[1]
    for other in fw.linked_from(target.id):
        assert f"{other.id} {other.title}" in incoming


def test_csit_criterion_names_its_red_threads(client: FlaskClient, coordinator: User) -> None:
    fw = builtin_frameworks()[CSIT_THREADS]
    threads = fw.threads_through("2.2")
    assert len(threads) >= 2
    response = client.get(f"/frameworks/{CSIT_THREADS}/indicators/2.2")
    body = response.get_data(as_text=True)
    for thread in threads:
        assert f'href="/frameworks/{CSIT_THREADS}/threads#thread-{thread.id}"' in body
    others = [t for t in fw.threads if t not in threads]
    for thread in others:
        assert f"#thread-{thread.id}" not in body


def test_derwent_standard_shows_its_detail(client: FlaskClient, coordinator: User) -> None:
    fw = builtin_frameworks()[DERWENT]
    ind = next(i for i in fw.indicators if i.detail and i.detail.behaviours)
    text = page(client, f"/frameworks/{DERWENT}/indicators/{ind.id}")
    assert f"Written for {ind.detail.actor.capitalize()}" in text
    assert ind.detail.intended_outcome in text
    for behaviour in ind.detail.behaviours:
        assert behaviour in text


def _import_with_a_gap(app: Flask) -> str:
    """An organisation's framework with one indicator nobody is asked about."""
    definition = private_definition("gappy-standards")
    definition["indicators"].append({"id": "p-2", "title": "Unasked", "section": "s"})
    with app.app_context():
        org = get_or_create_organisation("Org A")
        import_framework(org.id, parse_framework(definition, "gappy.yaml"))
        db.session.commit()
    return "gappy-standards"


def test_indicator_nobody_is_asked_about(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    framework_id = _import_with_a_gap(app)
    text = page(client, f"/frameworks/{framework_id}/indicators/p-2")
    assert "No audience is asked about this indicator" in text


def test_framework_page_counts_statements_per_indicator_and_audience_and_flags_gaps(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    framework_id = _import_with_a_gap(app)
    text = page(client, f"/frameworks/{framework_id}/")
    html_page = client.get(f"/frameworks/{framework_id}/").get_data(as_text=True)
    table = html_page[html_page.index('id="coverage"') :]
    table = table[: table.index("</table>")]
    assert re.search(r"p-1.*?<td>1</td>", table, re.S)  # one staff statement
    assert re.search(r"p-2.*?No statements: nobody can be asked", table, re.S)
    assert "1 indicator has no statements" in text


def test_every_built_in_framework_page_shows_no_coverage_gap(
    client: FlaskClient, coordinator: User
) -> None:
    for framework_id in builtin_frameworks():
        text = page(client, f"/frameworks/{framework_id}/")
        assert 'id="coverage"' in client.get(f"/frameworks/{framework_id}/").get_data(as_text=True)
        assert "No statements: nobody can be asked" not in text, framework_id
        assert "needs a second look" not in text, framework_id


def test_a_statement_that_breaks_the_review_rules_is_flagged_on_the_page(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    definition = private_definition("third-person-standards")
    definition["indicators"][0]["items"] = {"partners": ["Agency representatives meet deadlines."]}
    with app.app_context():
        org = get_or_create_organisation("Org A")
        import_framework(org.id, parse_framework(definition, "third.yaml"))
        db.session.commit()
    text = page(client, "/frameworks/third-person-standards/")
    assert "1 statement needs a second look" in text
    assert "not in the first person" in text
    assert "Agency representatives meet deadlines." in text


def test_the_round_and_assessment_pickers_tell_imported_copies_apart(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    for n in (1, 2):  # two imported copies of one framework, as a council makes them
        definition = private_definition(f"copy-{n}")
        with app.app_context():
            org = get_or_create_organisation("Org A")
            import_framework(org.id, parse_framework(definition, f"copy{n}.yaml"))
            db.session.commit()
    for path in ("/rounds/new", "/assessments/new"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        options = re.findall(r"<option value=\"([^\"]+)\"[^>]*>([^<]+)</option>", text)
        labels = dict(options)
        assert sorted(v for v, _ in options if v.startswith("copy-")) == ["copy-1", "copy-2"]
        assert labels["copy-1"] != labels["copy-2"]
        assert "(imported " in labels["copy-1"] and "copy-1" in labels["copy-1"]
        assert len(options) == len(set(v for v, _ in options)), "a framework listed twice"
        assert '<optgroup label="Built in">' in text


def test_unknown_indicator_is_404(client: FlaskClient, coordinator: User) -> None:
    text = page(client, f"/frameworks/{HMIE}/indicators/9.9", 404)
    assert "has no indicator with that id" in text


# -- threads ------------------------------------------------------------------------------------


def test_threads_page_lists_each_thread_and_its_indicators(
    client: FlaskClient, coordinator: User
) -> None:
    fw = builtin_frameworks()[CSIT_THREADS]
    response = client.get(f"/frameworks/{CSIT_THREADS}/threads")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for thread in fw.threads:
        section = body.split(f'id="thread-{thread.id}"', 1)[1].split("</section>", 1)[0]
        links = re.findall(rf'href="/frameworks/{CSIT_THREADS}/indicators/([^"]+)"', section)
        assert links == thread.links


def test_threads_page_of_a_framework_without_threads_is_404(
    client: FlaskClient, coordinator: User
) -> None:
    assert "has no red threads" in page(client, f"/frameworks/{HMIE}/threads", 404)


# -- downloads ------------------------------------------------------------------------------------


def test_template_download(client: FlaskClient, coordinator: User) -> None:
    response = client.get("/frameworks/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.data))
    assert {"Framework", "Scale", "Sections", "Indicators", "Themes", "Items"} <= set(wb.sheetnames)


def test_framework_workbook_download_reads_back_equal(
    client: FlaskClient, coordinator: User
) -> None:
    response = client.get(f"/frameworks/{HMIE}/workbook.xlsx")
    assert response.status_code == 200
    assert f'filename="{HMIE}.xlsx"' in response.headers["Content-Disposition"]
    assert read_workbook(response.data, "download.xlsx") == builtin_frameworks()[HMIE]


# -- the organisation boundary and page mechanics ------------------------------------------------


def _framework_rules(app: Flask) -> list:
    return [
        r for r in app.url_map.iter_rules() if r.endpoint.startswith("frameworks.") and r.arguments
    ]


def test_another_organisations_framework_is_404_at_every_url(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    rules = _framework_rules(app)
    assert {r.endpoint for r in rules} >= {
        "frameworks.framework",
        "frameworks.indicator",
        "frameworks.threads",
        "frameworks.workbook",
    }
    for rule in rules:
        values = {arg: FACTORIES[arg](app, "Org B") for arg in rule.arguments}
        url = dummy_url(app, rule, **values)
        assert client.get(url).status_code == 404, url


def test_own_imported_framework_is_visible_at_every_url(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    private_framework(app, "Org A")
    assert page(client, f"/frameworks/{PRIVATE_ID}/").count("Private standards") >= 1
    text = page(client, f"/frameworks/{PRIVATE_ID}/indicators/{PRIVATE_INDICATOR}")
    assert "I know our own standards." in text
    assert client.get(f"/frameworks/{PRIVATE_ID}/workbook.xlsx").status_code == 200


def test_framework_text_is_escaped(app: Flask, client: FlaskClient, coordinator: User) -> None:
    definition = private_definition("escaped")
    definition["title"] = "<script>alert(1)</script>"
    definition["indicators"][0]["items"]["staff"] = ["I see <b>bold</b> words."]
    with app.app_context():
        org = get_or_create_organisation("Org A")
        import_framework(org.id, parse_framework(definition, "x.yaml"))
        db.session.commit()
    for url in ("/frameworks/", "/frameworks/escaped/", "/frameworks/escaped/indicators/p-1"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body
        assert "<b>bold</b>" not in body


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/frameworks/", "Frameworks"),
        (f"/frameworks/{HMIE}/", "Key performance outcomes"),
        (f"/frameworks/{HMIE}/indicators/2.1", "What each audience is asked"),
        (f"/frameworks/{CSIT_THREADS}/threads", "Red threads"),
        ("/frameworks/import", "Import a framework"),
    ],
)
def test_htmx_request_gets_the_content_block_only(
    client: FlaskClient, coordinator: User, url: str, expected: str
) -> None:
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert expected in body

"""Interface catalogs (issue 17): every respondent string extracted, Welsh and Arabic complete,
placeholders kept, nothing blank, and English whenever a translation is missing."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from jinja2 import nodes

from app import i18n
from frameworks.schema import STANDARD_AUDIENCES
from surveys import questionnaire as qgen
from surveys.scales import SCALES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "app" / "templates"
# What respondents (and people reading their invitations and posters) see.
RESPONDENT_TEMPLATES = sorted(
    [p for p in (TEMPLATES / "respond").glob("*.html") if p.name != "preview.html"]
    + list((TEMPLATES / "mail").glob("*.*"))
)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
GETTEXT = {"_", "gettext", "ngettext"}


def _catalog(code: str):  # type: ignore[no-untyped-def]
    with i18n.po_path(code).open("rb") as handle:
        return read_po(handle)


def _extracted() -> set[str]:
    method_map = [
        ("app/**.py", "python"),
        ("app/templates/**.html", "jinja2"),
        ("app/templates/**.txt", "jinja2"),
    ]
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT),
        method_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_catalogs_hold_every_string_the_code_marks() -> None:
    """A new _() without `make messages` (or a catalog not updated) fails here."""
    marked = _extracted()
    for code in ("cy", "ar"):
        ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(code) if m.id}
        assert marked - ids == set(), f"run `make messages`: {code} lacks {marked - ids}"


@pytest.mark.parametrize("code", ["cy", "ar"])
def test_welsh_and_arabic_are_complete_with_the_same_placeholders(code: str) -> None:
    catalog = _catalog(code)
    assert len(catalog) > 200
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy, message.id
        wanted = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert text and text.strip(), f"{code}: blank translation of {message.id!r}"
            assert set(PLACEHOLDER.findall(text)) == wanted, (code, message.id, text)
            assert text.count("<strong>") == ids[0].count("<strong>"), (code, message.id)
    status = i18n.catalog_status(code)
    assert status.complete and status.percent == 100
    assert status.summary == "100% translated; reviewed by a fluent speaker: no"


def test_compiled_catalogs_are_not_stale() -> None:
    for code in ("cy", "ar"):
        po = i18n.po_path(code)
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, "run `make translations`"


def test_words_from_surveys_are_marked_for_the_catalogs() -> None:
    """Scales, role questions, audiences and comment prompts are translated where shown."""
    ids = {m.id for m in _catalog("cy") if isinstance(m.id, str)}
    words = {o.label for s in SCALES.values() for o in s.options}
    for role in qgen.ROLE_QUESTIONS.values():
        words |= {role.prompt, *(o.label for o in role.options)}
    words |= set(STANDARD_AUDIENCES.values()) | {p.prompt for p in qgen.FREE_TEXT_PROMPTS}
    words |= {qgen.audience_phrase(_Labels(), a) for a in STANDARD_AUDIENCES}
    assert words - ids == set()


class _Labels:
    id = "x"

    @staticmethod
    def audience_label(audience: str) -> str:
        return STANDARD_AUDIENCES[audience]


def test_an_untranslated_string_falls_back_to_english(app: Flask) -> None:
    from flask_babel import force_locale, gettext  # type: ignore[import-untyped]

    with app.test_request_context("/"), force_locale("cy"):
        assert gettext("Back") == "Yn ôl"
        assert gettext("A sentence no catalog holds.") == "A sentence no catalog holds."
    with app.test_request_context("/"), force_locale("ar"):
        assert gettext("Back") == "رجوع"


# -- no literal words in respondent templates ------------------------------------------------------


class _Text(HTMLParser):
    ATTRIBUTES = frozenset({"aria-label", "alt", "title", "placeholder"})  # a value is a code

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        self.found.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [v or "" for k, v in attrs if k in self.ATTRIBUTES]


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_TRANS = re.compile(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", re.S)
_WORD = re.compile(r"[^\W\d_]{2,}")


def literal_words(source: str, html: bool) -> list[str]:
    """Words a template shows outside {{ _() }} and {% trans %}: text nodes and attributes."""
    source = _TRANS.sub(" ", source).replace("<{{", "<h{{").replace("</{{", "</h{{")
    stripped = _JINJA.sub(" ", source)
    if html:
        parser = _Text()
        parser.feed(stripped)
        texts = parser.found
    else:
        texts = [stripped]
    return [w for text in texts for w in _WORD.findall(text)]


def literal_constants(app: Flask, source: str) -> list[str]:
    """String constants output by {{ }} outside a gettext call (codes like 'send' allowed)."""
    found: list[str] = []

    def walk(node: nodes.Node, inside: bool) -> None:
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name):
            inside = inside or node.node.name in GETTEXT
        text = node.value if isinstance(node, nodes.Const) else None
        if (
            isinstance(text, str)
            and not inside
            and re.search(r"[A-Z ]", text)
            and _WORD.search(text)
        ):
            found.append(text)
        for child in node.iter_child_nodes():
            walk(child, inside)

    for output in app.jinja_env.parse(source).find_all(nodes.Output):
        for child in output.nodes:
            if not isinstance(child, nodes.TemplateData):
                walk(child, False)
    return found


@pytest.mark.parametrize("path", RESPONDENT_TEMPLATES, ids=lambda p: p.name)
def test_respondent_templates_have_no_untranslated_words(app: Flask, path: Path) -> None:
    source = path.read_text()
    assert literal_words(source, path.suffix == ".html") == []
    assert literal_constants(app, source) == []


@pytest.mark.parametrize(
    "name", ["invitations/_poster.html", "invitations/poster.html", "results/you_said_poster.html"]
)
def test_the_posters_have_no_untranslated_words(app: Flask, name: str) -> None:
    """The printed part: the shared <article>, and what each poster puts into it."""
    source = (TEMPLATES / name).read_text()
    if "<article" in source:
        source = source[source.index("<article") : source.index("</article>")]
    else:
        source = source[source.index("{{ posters.poster(") : source.index("{% endblock")]
    assert literal_words(source, True) == []
    assert literal_constants(app, source) == []


def test_the_literal_check_can_fail(app: Flask) -> None:
    assert literal_words('<p>Hello {{ name }}</p><a aria-label="Go">{{ _("x") }}</a>', True) == [
        "Hello",
        "Go",
    ]
    assert literal_words("{% trans %}Hello{% endtrans %}<b>{{ _('Hi') }}</b>", True) == []
    assert literal_constants(app, '{{ "Send it" if a else _("No") }}{{ "code" }}') == ["Send it"]

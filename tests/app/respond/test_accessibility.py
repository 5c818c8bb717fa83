"""WCAG 2.1 AA checks on the rendered respondent pages and their stylesheet.

A browser audit (axe, Playwright) follows in a later issue; these checks need no browser: labels,
fieldsets and legends, linked error summaries, unique ids, one h1, lang, zoom, contrast and tap
target sizes read from respond.css.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask

from tests.app.respond.helpers import Browser, Launched, add_open_link, invite

CSS = (Path(__file__).parents[3] / "app" / "static" / "css" / "respond.css").read_text()
JS = (Path(__file__).parents[3] / "app" / "static" / "js" / "respond.js").read_text()


class _Page(HTMLParser):
    """Collects what the checks need: ids, labels, controls and the fieldset they sit in."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.h1 = 0
        self.fieldsets: list[dict[str, object]] = []
        self._open_fieldsets: list[dict[str, object]] = []
        self.inline_styles = 0
        self.handlers = 0
        self.html_lang: str | None = None
        self.viewport = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if "style" in a:
            self.inline_styles += 1
        self.handlers += sum(1 for k in a if k.startswith("on") or k.startswith("hx-on"))
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "meta" and a.get("name") == "viewport":
            self.viewport = a.get("content") or ""
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag == "fieldset":
            fs: dict[str, object] = {"legend": False, "radios": set()}
            self.fieldsets.append(fs)
            self._open_fieldsets.append(fs)
        if tag == "legend" and self._open_fieldsets:
            self._open_fieldsets[-1]["legend"] = True
        if tag in {"input", "textarea", "select"} and a.get("type") != "hidden":
            self.controls.append(
                {"id": a.get("id"), "type": a.get("type") or tag, "name": a.get("name")}
            )
            if a.get("type") == "radio" and self._open_fieldsets:
                self._open_fieldsets[-1]["radios"].add(a.get("name"))  # type: ignore[union-attr]

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self._open_fieldsets:
            self._open_fieldsets.pop()


def _pages(app: Flask, launched: Launched) -> dict[str, str]:
    """Every kind of respondent page, with and without errors, adults and children."""
    pages: dict[str, str] = {}
    phone = Browser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    pages["welcome"] = phone.html
    phone.start()
    pages["section"] = phone.html
    phone.post(phone.form_action(), {"nav": "next", "ft-0-works_well": "x" * 1200})
    pages["section with errors"] = phone.html
    phone.reach_last_page()
    pages["about you"] = phone.html
    phone.post(phone.form_action(), {"nav": "send"})
    pages["about you with errors"] = phone.html
    phone.follow(phone.post(phone.form_action(), {"role": "under_5", "nav": "send"}))
    pages["thanks"] = phone.html
    child = Browser(app.test_client())
    child.enter(f"/o/{add_open_link(app, launched.round_id, 'children')}")
    pages["child welcome"] = child.html
    child.start()
    pages["child question"] = child.html
    child.post(child.form_action(), {"nav": "next"})
    pages["child question with errors"] = child.html
    pages["refused"] = Browser(app.test_client()).get("/r/nope").get_data(as_text=True)
    return pages


@pytest.fixture
def pages(app: Flask, launched: Launched, patient: None) -> dict[str, str]:
    return _pages(app, launched)


def test_every_page_has_lang_a_zoomable_viewport_and_one_h1(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        page = _Page(html)
        assert page.html_lang == "en-GB", name
        assert "width=device-width" in page.viewport, name
        assert "user-scalable" not in page.viewport and "maximum-scale" not in page.viewport
        assert page.h1 == 1, (name, page.h1)
        assert len(page.ids) == len(set(page.ids)), (name, "duplicate ids")
        assert page.inline_styles == 0 and page.handlers == 0, name
        assert "<script>" not in html and "http-equiv" not in html  # no inline code, no refresh


def test_every_control_has_a_label_and_every_radio_group_a_fieldset_and_legend(
    pages: dict[str, str],
) -> None:
    checked = 0
    for name, html in pages.items():
        page = _Page(html)
        for control in page.controls:
            assert control["id"] and control["id"] in page.label_for, (name, control)
            checked += 1
        radio_names = {c["name"] for c in page.controls if c["type"] == "radio"}
        grouped = set().union(*(fs["radios"] for fs in page.fieldsets)) if page.fieldsets else set()
        assert radio_names <= grouped, (name, radio_names - grouped)
        for fs in page.fieldsets:
            if fs["radios"]:
                assert fs["legend"], name
    assert checked > 20


def test_error_summaries_link_to_fields_on_the_page_and_take_focus(
    pages: dict[str, str],
) -> None:
    for name in ("section with errors", "about you with errors", "child question with errors"):
        html = pages[name]
        page = _Page(html)
        assert "<title>Error: " in html, name
        assert 'role="alert" tabindex="-1" data-autofocus' in html
        targets = re.findall(r'<li><a href="#([^"]+)">', html)
        assert targets, name
        for target in targets:
            assert target in page.ids, (name, target)
            assert f"{target}-error" in page.ids or target.startswith("ft-"), (name, target)
    # The script that moves focus there exists and is the one the pages load.
    assert "[data-autofocus]" in JS and "js/respond." in pages["section"]


def test_character_count_without_javascript_and_with_it(pages: dict[str, str]) -> None:
    html = pages["section"]
    assert "You can enter up to 1,000 characters" in html
    assert 'aria-describedby="ft-0-works_well-hint ft-0-works_well-info"' in html
    assert "maxlength" not in html  # the limit is told, not enforced by truncating a paste
    assert "aria-live" in JS and "too many" in JS


def _hex(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_colours_meet_aa_contrast() -> None:
    colours = dict(re.findall(r"--([a-z]+):(#[0-9a-fA-F]{3,6})", CSS))
    white = "#ffffff"
    text_pairs = [
        ("ink", white),
        ("mute", white),
        ("blue", white),
        ("red", white),
        ("ink", "tint"),
        ("ink", "grey"),
        ("mute", "grey"),
        ("ink", "focus"),
    ]
    for fg, bg in text_pairs:
        fg_hex = colours.get(fg, fg)
        bg_hex = colours.get(bg, bg)
        assert contrast(fg_hex, bg_hex) >= 4.5, (fg, bg, round(contrast(fg_hex, bg_hex), 2))
    assert contrast(white, colours["blue"]) >= 4.5  # button text
    assert contrast(white, colours["dark"]) >= 4.5  # header text
    assert contrast(white, "#00703c") >= 4.5  # thank-you panel
    assert contrast(colours["line"], white) >= 3  # card borders (non-text, 1.4.11)


def test_tap_targets_are_at_least_44px_and_nothing_has_a_fixed_width() -> None:
    label = re.search(r"\.r \.opt label\{[^}]*min-height:([\d.]+)rem", CSS)
    button = re.search(r"\.r \.btn\{[^}]*min-height:([\d.]+)rem", CSS)
    assert label and float(label.group(1)) * 16 >= 44
    assert button and float(button.group(1)) * 16 >= 44
    assert ".r .opt label{display:flex" in CSS  # the whole card is the label: all of it taps
    # Reflow at 400% zoom: no width in pixels beyond 1px helpers (the preview frame is a
    # max-width, not a width).
    for value in re.findall(r"(?<![-\w])width:\s*(\d+)px", CSS):
        assert int(value) <= 1
    assert "overflow-wrap:anywhere" in CSS

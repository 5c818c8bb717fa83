"""Helpers for browser tests: the live server handle, browser contexts, screenshots, sign-in,
the accessibility audit and the layout checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from werkzeug.serving import BaseWSGIServer

from app.mail.outbox import BatchReport

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "a long enough password"

PHONE = {"width": 360, "height": 740}
SMALL_PHONE = {"width": 320, "height": 640}  # WCAG 1.4.10 reflow: 320 CSS pixels wide
DESKTOP = {"width": 1280, "height": 900}
ACTION_TIMEOUT_MS = 10_000  # a loopback page that takes longer than this is a failure

# Contexts made with JavaScript off. Chromium runs no timers there, so axe-core (which needs
# them) cannot run in such a page; `assert_accessible` audits a copy of its HTML instead.
NO_SCRIPT_CONTEXTS: list[BrowserContext] = []


class LiveServer:
    def __init__(self, app: Flask, server: BaseWSGIServer):
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"


class Shots:
    """Numbered screenshots of one test's steps, kept as artefacts."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):  # a rerun must not leave stale steps behind
            old.unlink()
        self.count = 0

    def __call__(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def run_mail_worker(app: Flask) -> BatchReport:
    """One pass of the real outbox worker, as `flask mail work` runs it (no thread to wait on)."""
    from app.mail.worker import Worker

    return Worker(app, name="browser-tests").run_once()


def phone_context(
    browser: Browser, *, javascript: bool = True, viewport: dict[str, int] = PHONE
) -> BrowserContext:
    """A fresh phone: its own cookies, touch, en-GB; JavaScript on or off."""
    context = browser.new_context(
        viewport=viewport,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        java_script_enabled=javascript,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    if not javascript:
        NO_SCRIPT_CONTEXTS.append(context)
        context.on("close", lambda closed: NO_SCRIPT_CONTEXTS.remove(closed))
    return context


def desktop_context(browser: Browser, **extra: Any) -> BrowserContext:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", **extra)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


def sign_in(page: Page, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def follow(page: Page, navigation: str, link: str) -> None:
    """Click a link in the navigation landmark with that name ("Main", "This round")."""
    page.get_by_role("navigation", name=navigation, exact=True).get_by_role(
        "link", name=link, exact=True
    ).click()


def heading(page: Page | Locator, name: str, level: int | None = None) -> Locator:
    if level is None:
        return page.get_by_role("heading", name=name, exact=True)
    return page.get_by_role("heading", name=name, exact=True, level=level)


def assert_accessible(page: Page) -> None:
    """axe-core: zero violations of any impact on the current page."""
    if any(page.context is c for c in NO_SCRIPT_CONTEXTS):
        _audit_without_scripts(page)
        return
    _audit(page, page.url)


def _audit_without_scripts(page: Page) -> None:
    """Audit exactly the HTML a JavaScript-off browser shows (an error page after a POST
    included), in a twin tab that may run axe but none of the page's own scripts."""
    html = page.content()
    url = page.url.split("#", 1)[0]
    browser = page.context.browser
    assert browser is not None
    twin = browser.new_context(viewport=page.viewport_size, locale="en-GB")
    try:
        tab = twin.new_page()
        tab.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
        tab.route("**/*.js", lambda route: route.abort())
        tab.goto(url)
        _audit(tab, f"{url} (JavaScript off)")
    finally:
        twin.close()


def _audit(page: Page, where: str) -> None:
    """Every violation fails, whatever its impact (critical, serious, moderate or minor)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(n["target"][0]) if n["target"] else "?" for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]
    assert not bad, f"{where}:\n" + "\n".join(bad)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def too_wide(page: Page) -> list[str]:
    """The innermost elements reaching past the viewport's right edge (themselves or their
    content), outside boxes that scroll or clip on their own, as short selectors."""
    return list(page.evaluate(_TOO_WIDE))


_TOO_WIDE = r"""() => {
    const w = document.documentElement.clientWidth;
    const clipped = e => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return true;
        }
        return false;
    };
    const wide = [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect();
        const spills = getComputedStyle(e).overflowX === 'visible'
            && r.left + e.scrollWidth > w + 0.5;
        return (r.right > w + 0.5 || spills) && !clipped(e);
    });
    return wide
        .filter(e => !wide.some(o => o !== e && e.contains(o)))
        .slice(0, 5)
        .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
             + (typeof e.className === 'string' && e.className.trim()
                ? '.' + e.className.trim().split(/\s+/).join('.') : ''));
}"""


def broken_words(page: Page) -> list[str]:
    """Words in the cells of scrolling tables (.table-wrap) that wrap onto a second line: a
    column squeezed letter by letter instead of the box scrolling (a break at a hyphen is fine)."""
    return list(page.evaluate(_BROKEN_WORDS))


_BROKEN_WORDS = r"""() => {
    const broken = [];
    for (const cell of document.querySelectorAll('.table-wrap th, .table-wrap td')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const m of node.data.matchAll(/[^\s\u2010\u2013\u2014-]{3,}/g)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) broken.push(m[0]);
            }
        }
    }
    return broken.slice(0, 5);
}"""


def assert_no_horizontal_scroll(page: Page) -> None:
    extra = horizontal_overflow(page)
    if extra > 0:
        raise AssertionError(
            f"{page.url} scrolls sideways by {extra}px; too wide: {too_wide(page)}"
        )


INVITATION_LINK = re.compile(r"https?://\S+/r/[A-Za-z0-9_-]+")


def invitation_link(text: str) -> str:
    """The personal link in an invitation email's plain-text part."""
    match = INVITATION_LINK.search(text)
    assert match, f"no invitation link in:\n{text}"
    return match.group(0)

"""Helpers for browser tests: the live server handle, screenshots, the accessibility audit."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page
from werkzeug.serving import BaseWSGIServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


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
        self.count = 0

    def __call__(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def assert_accessible(page: Page) -> None:
    """axe-core: zero serious or critical violations on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"{page.url}:\n" + "\n".join(bad)

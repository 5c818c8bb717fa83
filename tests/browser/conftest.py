"""Browser journeys: Debian's Chromium through Playwright against a real server on loopback.

The app runs in a background thread on a random port with its own migrated database (SQLite, or
PostgreSQL with CHORUS_TEST_BACKEND=postgresql). Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.browser.support import LiveServer, Shots

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    # Debian's Chromium, never a downloaded browser; no calls home on a closed network.
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "en-GB"}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    from tests.app.conftest import ON_POSTGRES, _postgres_url, reset_postgres_schema, test_config

    if ON_POSTGRES:
        url = _postgres_url()
        reset_postgres_schema(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'chorus.db'}"
    instance = str(tmp_path_factory.mktemp("browser-instance"))
    app = create_app(test_config(url, INSTANCE_PATH=instance, LOGIN_RATE_LIMIT="1000 per minute"))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(live_app, server)
    server.shutdown()
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_live_db(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "live_app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("live_app")
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)

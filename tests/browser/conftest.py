"""Browser journeys: Debian's Chromium through Playwright against a real server on loopback.

The app runs in a background thread on a random port with its own migrated database (SQLite, or
PostgreSQL with CHORUS_TEST_BACKEND=postgresql). Screenshots go to test-artifacts/screenshots/.

Tables are emptied after each *module*, not after each test: a journey module sets its data up
once (module-scoped fixtures) and its tests walk through it in file order, the way people
meet the product one step after another. A module whose tests must not share rows keeps its
own unique names.

Mail goes to a real SMTP server (aiosmtpd on loopback, `mail_server`); tests drive the outbox
with one pass of the real worker (`support.run_mail_worker`) instead of waiting on a thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from tests.browser.support import PHONE, LiveServer, Shots
from tests.smtp import LOOPBACK, SmtpServer

CHROMIUM = "/usr/bin/chromium"


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
    app = create_app(
        test_config(
            url,
            INSTANCE_PATH=instance,
            LOGIN_RATE_LIMIT="1000 per minute",
            MAIL_SERVER="",  # no mail server unless a test starts one (`mail_server`)
            DEMO_LINKS=True,  # the Outbox shows links, as under `make run`
        )
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    # Request lines would bury a failing test's own output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    live = LiveServer(live_app, server)
    # Emails are built by the worker outside any request: their links must point here.
    live_app.config["PUBLIC_BASE_URL"] = live.url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield live
    server.shutdown()
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def mail_server(live_app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server on a loopback port; the live app sends to it for this module."""
    server = SmtpServer().start()
    settings = {
        "MAIL_SERVER": LOOPBACK,
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT_SECONDS": 5,
        "MAIL_DEFAULT_SENDER": "feedback@chorus.example",
    }
    saved = {key: live_app.config.get(key) for key in settings}
    live_app.config.update(settings)
    yield server
    live_app.config.update(saved)
    server.stop()


@pytest.fixture(scope="module", autouse=True)
def _clean_live_db(live_app: Flask) -> Iterator[None]:
    yield
    from app.services.responding import clear_shape_cache

    with live_app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        limiter.reset()
    clear_shape_cache()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)

"""Fault tests: real processes (gunicorn, `flask mail work`), a real SMTP server and real
databases, broken on purpose. They run in `make e2e`, not `make test`.

Databases: a SQLite file per test, and PostgreSQL when TEST_DATABASE_URL is set: a schema of its
own (`chorus_faults`, on the connection's search_path) in that database, dropped and migrated
afresh for each test, so these tests never touch the public schema `make test` uses. Without
TEST_DATABASE_URL the PostgreSQL cases are skipped, saying why (and fail under CI=true:
tests/services.py).

Every process is started in its own process group and stopped by a finaliser, whatever happens.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bench._phones import Phone
from bench._servers import LOOPBACK, ServerProcess, stop_group
from tests.faults.support import SECRET, Database, open_database
from tests.smtp import SmtpServer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: each test runs on SQLite and on PostgreSQL."""
    yield from open_database(request.param, tmp_path)


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite file."""
    yield from open_database("sqlite", tmp_path)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty PostgreSQL database (skipped without TEST_DATABASE_URL; fails under CI)."""
    yield from open_database("postgresql", tmp_path)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@dataclass
class Processes:
    """Every process a test starts, stopped at teardown (the process group, SIGKILL last)."""

    tmp_path: Path
    servers: list[ServerProcess] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def server(self, make: Callable[[Path], ServerProcess]) -> ServerProcess:
        log = self.tmp_path / f"server-{len(self.servers)}.log"
        server = make(log)
        self.servers.append(server)
        return server.start()

    def track(self, process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        self.others.append(process)
        return process

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()
        for process in self.others:
            stop_group(process, grace=5)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    tracked = Processes(tmp_path)
    yield tracked
    tracked.stop_all()


@pytest.fixture
def phones() -> Iterator[Callable[..., Phone]]:
    """Make simulated phones (bench/_phones.py) for the app's ports; closed at teardown."""
    made: list[Phone] = []

    def make(port: int | list[int], **options: Any) -> Phone:
        phone = Phone(LOOPBACK, port, secret=SECRET, timeout=60, **options)
        made.append(phone)
        return phone

    yield make
    for phone in made:
        phone.close()

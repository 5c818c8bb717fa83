"""The harness that starts real servers (bench/_servers.py) must not leak while it waits.

A server that accepts connections but is not ready yet (busy machine, slow start) used to
leave each probe's connection open: a ResourceWarning, and so an error under
`filterwarnings = error`, at random in `make e2e`.
"""

from __future__ import annotations

import gc
import socket
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._servers import LOOPBACK, ServerProcess


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (the kernel's backlog
    completes the handshake; nobody reads)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        sock.listen(64)
        yield int(sock.getsockname()[1])


@pytest.fixture
def slow_port() -> Iterator[int]:
    """A loopback port whose server answers 503 until it has been asked three times."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind((LOOPBACK, 0))
    server.listen(16)
    stop = threading.Event()

    def serve() -> None:
        asked = 0
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(4096)
                asked += 1
                status = "200 OK" if asked > 3 else "503 Service Unavailable"
                head = f"HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
                conn.sendall(head.encode() + b"no")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(5)
    server.close()


def _idle_process() -> list[str]:
    """A process that stays up and serves nothing (the 'server' being waited for)."""
    return [sys.executable, "-c", "import time; time.sleep(60)"]


def _resource_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def test_waiting_for_a_server_that_never_answers_leaks_no_connection(
    silent_port: int, tmp_path: Path
) -> None:
    server = ServerProcess(
        _idle_process(), {}, silent_port, tmp_path / "log", ready_timeout=1.0, probe_timeout=0.2
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match="not ready"):
            server.start()
        leaks = _resource_warnings(caught)
    assert server.process is not None and server.process.poll() is not None, "stopped"
    assert leaks == []


def test_waiting_through_not_ready_answers_leaks_no_connection(
    slow_port: int, tmp_path: Path
) -> None:
    server = ServerProcess(_idle_process(), {}, slow_port, tmp_path / "log", ready_timeout=10.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            server.start()
        finally:
            server.stop()
        leaks = _resource_warnings(caught)
    assert leaks == []

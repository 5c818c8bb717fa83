"""Real server processes on loopback for bench/load.py and tests/faults.

Every process starts in its own process group (start_new_session), is waited for with a
deadline, and is stopped by its group id: SIGTERM, then SIGKILL if it has not gone in time.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment for an app process: this one's, minus anything that would change the
    app under test (a developer's .env values are not read: python-dotenv never overrides)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MAIL_", "RESPOND_", "RATELIMIT_", "FLASK_"))
        and k not in {"DATABASE_URL", "SECRET_KEY", "PUBLIC_BASE_URL"}
    }
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def stop_group(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop a process started with start_new_session=True, and everything it started."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    # Whatever is left of the group (a worker that ignored SIGTERM) goes now.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL at once: no clean-up runs (a crash, a power cut, the OOM killer)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


class ServerProcess:
    """A subprocess serving HTTP on loopback; ready once `health_path` answers 200."""

    def __init__(
        self,
        command: Sequence[str],
        env: Mapping[str, str],
        port: int,
        log_path: Path,
        *,
        health_path: str = "/health",
        ready_timeout: float = 60.0,
        probe_timeout: float = 2.0,
    ) -> None:
        self.command = list(command)
        self.env = dict(env)
        self.port = port
        self.log_path = log_path
        self.health_path = health_path
        self.ready_timeout = ready_timeout
        self.probe_timeout = probe_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            if self._probe() == 200:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready in {self.ready_timeout:.0f}s:\n{self.log()}")

    def _probe(self) -> int | None:
        """The health page's status, or None if the server does not answer in time. The
        connection is closed whatever happens: a server that accepts but is not ready yet
        (a busy machine) would otherwise leave it to the garbage collector, a ResourceWarning."""
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.probe_timeout)
        try:
            conn.request("GET", self.health_path)
            with conn.getresponse() as response:
                response.read()
                return response.status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def gunicorn(
    app_spec: str,
    env: Mapping[str, str],
    log_path: Path,
    *,
    workers: int = 4,
    threads: int = 8,
    port: int | None = None,
    health_path: str = "/health",
    config_file: Path | None = None,
) -> ServerProcess:
    """gunicorn with `workers` gthread workers of `threads` threads each, on a loopback port;
    `config_file` (e.g. the project's gunicorn.conf.py, as production runs it) is read first."""
    port = port or free_port()
    command = [
        str(BIN / "gunicorn"),
        *(["-c", str(config_file)] if config_file else []),
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"{LOOPBACK}:{port}",
        "--backlog",
        "2048",
        "--keep-alive",
        "5",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        app_spec,
    ]
    return ServerProcess(command, env, port, log_path, health_path=health_path)


def flask_command(*args: str) -> list[str]:
    """`flask --app wsgi ...` from this virtualenv."""
    return [str(BIN / "flask"), "--app", "wsgi", *args]


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pending.extend(int(c) for c in children)
    return total


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)

"""Make and check the lock files from pyproject.toml's ranges.

`python .ci/lockfile.py write` resolves (needs the package index) and records its inputs at the top
of each lock; `python .ci/lockfile.py check` compares those recorded inputs with pyproject.toml
offline, so a fresh clone never turns red because something upstream was released.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"requirements.lock": (), "requirements-dev.lock": ("dev",)}
INPUT = "# input: "


def inputs(extras: tuple[str, ...]) -> list[str]:
    """Every requirement a lock is made from: the project, its build backend, the venv's tools."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(project["project"]["dependencies"])
    for extra in extras:
        reqs += project["project"]["optional-dependencies"][extra]
    reqs += project["build-system"]["requires"]
    reqs += project["tool"]["chorus"]["lock"]["tools"]
    return sorted({r.replace(" ", "") for r in reqs}, key=str.lower)


def recorded(lock: Path) -> list[str]:
    return [
        line.removeprefix(INPUT).strip()
        for line in lock.read_text().splitlines()
        if line.startswith(INPUT)
    ]


def write() -> None:
    for name, extras in LOCKS.items():
        reqs = inputs(extras)
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "requirements.in"
            source.write_text("\n".join(reqs) + "\n")
            out = Path(tmp) / name
            # uv keeps the pins of an existing output file: adding a package moves nothing else,
            # and `make lock UPGRADE=1` re-resolves everything to the newest allowed.
            if (ROOT / name).exists() and not os.environ.get("UPGRADE"):
                shutil.copyfile(ROOT / name, out)
            command = [sys.executable, "-m", "uv", "pip", "compile", str(source), "-o", str(out)]
            command += ["--generate-hashes", "--universal", "--python-version", "3.11"]
            command += ["--no-header", "--no-annotate", "--quiet"]
            subprocess.run(command, check=True)
            uv = [sys.executable, "-m", "uv", "--version"]
            resolver = subprocess.run(uv, check=True, capture_output=True, text=True).stdout.strip()
            header = [
                f"# Made by `make lock` from pyproject.toml with {resolver}: do not edit by hand.",
                "# Install with: pip install --require-hashes --no-deps -r " + name,
                *(INPUT + r for r in reqs),
            ]
            (ROOT / name).write_text("\n".join(header) + "\n" + out.read_text())
        print(f"wrote {name} ({len(reqs)} inputs)")


def check() -> int:
    problems = []
    for name, extras in LOCKS.items():
        lock = ROOT / name
        if not lock.exists():
            problems.append(f"{name} is missing: run `make lock`")
            continue
        want, have = set(inputs(extras)), set(recorded(lock))
        for req in sorted(want - have):
            problems.append(f"{name} was not made from {req!r} in pyproject.toml")
        for req in sorted(have - want):
            problems.append(f"{name} was made from {req!r}, no longer in pyproject.toml")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("Run `make lock` and commit the lock files.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "write":
        write()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(f"usage: {sys.argv[0]} write|check")

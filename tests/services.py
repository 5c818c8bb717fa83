"""Tests that need a real local service (PostgreSQL, Redis, LibreOffice, ...) and cannot have it.

On a developer's laptop such a test is skipped, saying why. Under CI (`CI=true`, as `.ci/run`
runs) it fails instead: CI promises to start every service, so a missing one is a broken
pipeline, never a quietly shorter run.
"""

from __future__ import annotations

import os

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(name: str, reachable: bool, why: str) -> None:
    """Go on if `reachable`; otherwise fail under CI, skip elsewhere, naming the service."""
    if reachable:
        return
    message = f"{name} is needed and missing: {why}"
    if under_ci():
        pytest.fail(f"{message} (CI=true: every service must be there)", pytrace=False)
    pytest.skip(message)

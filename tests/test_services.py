"""tests/services.require: a missing service skips on a laptop and fails under CI."""

from __future__ import annotations

import pytest

from tests.services import require


def test_a_reachable_service_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require("Redis", True, "the shared limits")


def test_a_missing_service_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Redis is needed and missing: the limits"):
        require("Redis", False, "the limits")


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_a_missing_service_skips_on_a_laptop(
    monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is needed and missing"):
        require("PostgreSQL", False, "set TEST_DATABASE_URL")

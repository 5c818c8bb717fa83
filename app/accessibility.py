"""The accessibility statement's facts (docs/accessibility.yaml) and the audit that backs them.

The statement (/accessibility) follows the model statement of the Public Sector Bodies
Accessibility Regulations 2018. Its facts are a reviewed file, never written by hand into the
page; the scripted audit in `make e2e` (tests/browser/test_accessibility_checks.py) writes what
it found to build/accessibility-audit.json, and the latest run someone chose to publish is
committed as docs/accessibility-audit.json. `contradictions` is the one rule both tests apply:
the statement may not claim more than the audit shows, nor name an audit that is not the latest.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

DOCS = Path(__file__).resolve().parents[1] / "docs"
STATEMENT_FILE = DOCS / "accessibility.yaml"
RECORD_FILE = DOCS / "accessibility-audit.json"

# The statement's wording for each status, as the model statement has it.
STATUS_WORDS = {
    "full": "fully compliant",
    "partial": "partially compliant",
    "none": "not compliant",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tested(_Strict):
    check: str  # an id in the audit's "checks"
    title: str
    how: str
    criteria: list[str] = Field(min_length=1)


class NonConforming(_Strict):
    criterion: str  # e.g. "1.4.11 Non-text Contrast"
    check: str | None = None  # the audit check that finds it, when one does
    what: str
    fix_by: date | None = None


class OutOfScope(_Strict):
    what: str
    why: str


class Statement(_Strict):
    service: str
    standard: str
    status: Literal["full", "partial", "none"]
    prepared_on: date
    last_reviewed_on: date
    last_audit_on: date
    scope: str
    how_tested: str
    tested: list[Tested] = Field(min_length=1)
    non_conforming: list[NonConforming] = []
    disproportionate_burden: list[OutOfScope] = []
    out_of_scope: list[OutOfScope] = []

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]


class CheckResult(_Strict):
    title: str
    criteria: list[str]
    states: list[str]
    elements: int = 0
    failures: list[str] = []


class AuditRecord(_Strict):
    audited_on: date
    browser: str
    checks: dict[str, CheckResult]

    @property
    def states(self) -> int:
        return len({s for check in self.checks.values() for s in check.states})


def load_statement(path: Path = STATEMENT_FILE) -> Statement:
    return Statement.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_record(path: Path = RECORD_FILE) -> AuditRecord:
    return AuditRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))


@cache
def published() -> tuple[Statement, AuditRecord]:
    """The committed statement and audit record, read once per process (the page does no SQL)."""
    return load_statement(), load_record()


def _criterion_number(text: str) -> str:
    return text.split()[0]


def contradictions(
    statement: Statement, audit: AuditRecord | dict[str, Any], *, dated: bool = True
) -> list[str]:
    """Everything the statement says that the audit does not bear out (empty: it may stand).

    `dated`: the statement must name this audit's date (the run published); a fresh run in
    `make e2e` is held on what it found only, or every run on a later day would fail."""
    if isinstance(audit, dict):
        audit = AuditRecord.model_validate(audit)
    found: list[str] = []
    if not dated:
        pass
    elif statement.last_audit_on < audit.audited_on:
        found.append(
            f"the statement names its last audit as {statement.last_audit_on}, but the latest "
            f"audit ran on {audit.audited_on}: update last_audit_on and what it found"
        )
    elif statement.last_audit_on > audit.audited_on:
        found.append(
            f"the statement names an audit on {statement.last_audit_on}, but the latest audit "
            f"recorded ran on {audit.audited_on}"
        )
    for tested in statement.tested:
        result = audit.checks.get(tested.check)
        if result is None:
            found.append(
                f"the statement says {tested.check!r} was tested; the audit has no such check"
            )
            continue
        if not result.states:
            found.append(f"{tested.check!r} is said to be tested, but the audit checked no page")
        missing = set(tested.criteria) - set(result.criteria)
        if missing:
            found.append(
                f"{tested.check!r} is said to cover {sorted(missing)}; the audit's check does not"
            )
    declared_criteria = {_criterion_number(n.criterion) for n in statement.non_conforming}
    failing = {name: result for name, result in audit.checks.items() if result.failures}
    for name, result in failing.items():
        if not any(c in declared_criteria for c in result.criteria):
            found.append(
                f"the audit's {name!r} check failed ({len(result.failures)} times, first: "
                f"{result.failures[0]}), but the statement lists no non-conforming content for "
                f"{', '.join(result.criteria)}"
            )
    if statement.status == "full" and (failing or statement.non_conforming):
        found.append(
            "the statement says fully compliant, but "
            + ("the audit found failures" if failing else "it lists non-conforming content")
        )
    if statement.status != "full" and not statement.non_conforming:
        found.append(
            f"the statement says {statement.status_words} but lists nothing that does not conform"
        )
    return found

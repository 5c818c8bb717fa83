"""Which frameworks an organisation can use (the built-in ones plus its own imports), and importing.

An organisation's imported frameworks (`CustomFramework`) are visible to it alone: every lookup
here takes the organisation's id, and a framework another organisation imported is reported as
unknown, exactly like one that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models import Assessment, CustomFramework, FeedbackRound, Organisation, User
from frameworks import Framework, builtin_frameworks
from frameworks.loader import parse_framework
from frameworks.workbook import load_upload
from surveys import audiences as custom_audiences

__all__ = [
    "FrameworkClash",
    "FrameworkListing",
    "UnknownFramework",
    "available_frameworks",
    "custom_frameworks",
    "describe_size",
    "find_organisation",
    "framework_listings",
    "framework_of",
    "get_framework",
    "import_framework",
    "import_upload",
    "is_builtin",
    "parse_upload",
]


class UnknownFramework(LookupError):
    pass


class FrameworkClash(ValueError):
    """An import that would overwrite something: a built-in, or (unasked) the org's own."""


@dataclass(frozen=True)
class FrameworkListing:
    framework: Framework
    builtin: bool
    imported_at: datetime | None = None  # an organisation's own: when it was first imported

    @property
    def counts(self) -> tuple[int, int, int]:
        fw = self.framework
        return len(fw.sections), len(fw.indicators), fw.item_count()

    @property
    def size(self) -> str:
        return describe_size(self.framework)


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def describe_size(fw: Framework) -> str:
    """'6 sections, 37 indicators and 147 items': the size of a framework in words."""
    return (
        f"{_counted(len(fw.sections), 'section')}, {_counted(len(fw.indicators), 'indicator')} "
        f"and {_counted(fw.item_count(), 'item')}"
    )


def is_builtin(framework_id: str) -> bool:
    return framework_id in builtin_frameworks()


def _parse_row(row: CustomFramework) -> Framework:
    return parse_framework(row.definition, f"{row.framework_id}.yaml")


def _custom_row(org_id: uuid.UUID, framework_id: str) -> CustomFramework | None:
    return db.session.execute(
        select(CustomFramework).where(
            CustomFramework.organisation_id == org_id,
            CustomFramework.framework_id == framework_id,
        )
    ).scalar_one_or_none()


def custom_frameworks(org_id: uuid.UUID) -> list[Framework]:
    rows = db.session.execute(
        select(CustomFramework)
        .where(CustomFramework.organisation_id == org_id)
        .order_by(CustomFramework.title, CustomFramework.framework_id)
    ).scalars()
    return [_parse_row(row) for row in rows]


def available_frameworks(org_id: uuid.UUID) -> list[Framework]:
    """Built-in frameworks first (in file order), then the organisation's own."""
    return list(builtin_frameworks().values()) + custom_frameworks(org_id)


def framework_listings(org_id: uuid.UUID | None) -> list[FrameworkListing]:
    """What a list of frameworks shows: built-ins, then the organisation's own (if any)."""
    listings = [FrameworkListing(fw, True) for fw in builtin_frameworks().values()]
    if org_id is not None:
        rows = db.session.execute(
            select(CustomFramework)
            .where(CustomFramework.organisation_id == org_id)
            .order_by(CustomFramework.title, CustomFramework.framework_id)
        ).scalars()
        listings += [FrameworkListing(_parse_row(row), False, row.created_at) for row in rows]
    return listings


def get_framework(org_id: uuid.UUID | None, framework_id: str) -> Framework:
    """The framework with this id that the organisation may see; UnknownFramework if none."""
    builtin = builtin_frameworks().get(framework_id)
    if builtin is not None:
        return builtin
    row = _custom_row(org_id, framework_id) if org_id is not None else None
    if row is None:
        raise UnknownFramework(framework_id)
    return _parse_row(row)


def framework_of(rnd: FeedbackRound) -> Framework | None:
    """The round's framework as the round sees it (with the audiences the round defines itself,
    surveys.audiences.extend), or None: a custom framework deleted since still leaves the round's
    questionnaires and results usable, with bare ids where its labels were."""
    try:
        base = get_framework(rnd.organisation_id, rnd.framework_id)
    except UnknownFramework:
        return None
    return custom_audiences.extend(base, custom_audiences.load(rnd.custom_audiences))


def find_organisation(name: str) -> Organisation | None:
    return db.session.execute(
        select(Organisation).where(Organisation.name == " ".join(name.split()))
    ).scalar_one_or_none()


def parse_upload(data: bytes, filename: str) -> Framework:
    """Validate a YAML file or an Excel workbook completely; FrameworkError lists every problem."""
    return load_upload(data, filename)


def _in_use_problems(org_id: uuid.UUID, old: Framework, new: Framework) -> list[str]:
    """What replacing `old` by `new` would break in the organisation's rounds and assessments."""
    kept = {i.id for i in new.indicators}
    problems = []
    users: list[tuple[str, InstrumentedAttribute[str], type[FeedbackRound | Assessment]]] = [
        ("Feedback round", FeedbackRound.name, FeedbackRound),
        ("Self-assessment", Assessment.title, Assessment),
    ]
    for kind, name_column, model in users:
        rows = db.session.execute(
            select(name_column, model.indicator_ids).where(
                model.organisation_id == org_id, model.framework_id == old.id
            )
        ).all()
        for name, indicator_ids in rows:
            lost = [i for i in indicator_ids or [] if i not in kept]
            if lost:
                problems.append(
                    f"{kind} {name!r} uses indicators this version leaves out: {', '.join(lost)}"
                )
    return problems


def import_framework(
    org_id: uuid.UUID, framework: Framework, *, replace: bool = False
) -> tuple[CustomFramework, bool]:
    """Store a validated framework for the organisation; returns (row, whether it replaced one).

    Refuses (FrameworkClash, nothing changed) an id that a built-in framework uses, an id the
    organisation already has unless `replace` is asked for, and a replacement that would drop
    indicators a round or self-assessment of the organisation uses. Flushes; the caller commits.
    """
    if is_builtin(framework.id):
        raise FrameworkClash(
            f"{framework.id!r} is the id of a built-in framework; give yours another id "
            "(the id row of the Framework sheet, or `id:` in YAML)."
        )
    row = _custom_row(org_id, framework.id)
    if row is not None and not replace:
        raise FrameworkClash(
            f"Your organisation already has a framework with the id {framework.id!r} "
            f"({row.title}). Choose to replace it, or give the new one another id."
        )
    definition = framework.model_dump(mode="json", exclude_defaults=True)
    if row is None:
        row = CustomFramework(
            organisation_id=org_id,
            framework_id=framework.id,
            title=framework.title[:300],
            definition=definition,
        )
        db.session.add(row)
        db.session.flush()
        return row, False
    problems = _in_use_problems(org_id, _parse_row(row), framework)
    if problems:
        raise FrameworkClash(
            "This version cannot replace the one in use. " + " ".join(f"{p}." for p in problems)
        )
    row.title = framework.title[:300]
    row.definition = definition
    db.session.flush()
    return row, True


def import_upload(
    org_id: uuid.UUID,
    data: bytes,
    filename: str,
    *,
    replace: bool = False,
    actor: User | None = None,
) -> tuple[CustomFramework, bool]:
    """Validate fully, then store; FrameworkError or FrameworkClash leave nothing stored.
    Recorded in the audit trail (`actor` None: from the command line)."""
    from app.services import audit

    row, replaced = import_framework(org_id, parse_upload(data, filename), replace=replace)
    audit.record(
        "framework.replaced" if replaced else "framework.imported",
        f"{'Replaced' if replaced else 'Imported'} the framework {row.title} ({row.framework_id})",
        organisation_id=org_id,
        actor=actor,
        object_type="framework",
        object_id=row.framework_id,
        details={"file": filename[:200]},
    )
    return row, replaced

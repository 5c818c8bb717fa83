"""Which frameworks an organisation can use: the built-in ones plus its own imports."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import CustomFramework
from frameworks import Framework, builtin_frameworks
from frameworks.loader import parse_framework


class UnknownFramework(LookupError):
    pass


def custom_frameworks(org_id: uuid.UUID) -> list[Framework]:
    rows = db.session.execute(
        select(CustomFramework)
        .where(CustomFramework.organisation_id == org_id)
        .order_by(CustomFramework.title)
    ).scalars()
    return [parse_framework(row.definition, f"{row.framework_id}.yaml") for row in rows]


def available_frameworks(org_id: uuid.UUID) -> list[Framework]:
    """Built-in frameworks first (in file order), then the organisation's own."""
    return list(builtin_frameworks().values()) + custom_frameworks(org_id)


def get_framework(org_id: uuid.UUID, framework_id: str) -> Framework:
    """The framework with this id that the organisation may see; UnknownFramework if none."""
    builtin = builtin_frameworks().get(framework_id)
    if builtin is not None:
        return builtin
    row = db.session.execute(
        select(CustomFramework).where(
            CustomFramework.organisation_id == org_id,
            CustomFramework.framework_id == framework_id,
        )
    ).scalar_one_or_none()
    if row is None:
        raise UnknownFramework(framework_id)
    return parse_framework(row.definition, f"{row.framework_id}.yaml")

"""Tenancy factories for existing feedback as evidence (issue 22): another organisation's
pending external import, and the template's format."""

from __future__ import annotations

import secrets

from flask import Flask

from app.extensions import db
from app.models import ExternalImport
from tests.app.factories_assessment import _assessment_of


def import_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        assessment = _assessment_of(org_name)
        record = ExternalImport(
            assessment_id=assessment.id,
            file_name="theirs.csv",
            sha256=secrets.token_hex(32),
            confirmed=False,
            data={"survey": "Their survey", "statements": [], "options": []},
        )
        db.session.add(record)
        db.session.commit()
        return str(record.id)


FACTORIES = {
    "import_id": import_id,
    "fmt": lambda app, org_name: "csv",
}

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
            data={
                "format": 1,
                "survey": "Their survey",
                "start_date": None,
                "end_date": None,
                "method": "Paper",
                "form": "options",
                "options": ["Agree", "Disagree"],
                "suggested_places": {"Agree": "favourable", "Disagree": "unfavourable"},
                "threshold": 5,
                "statements": [
                    {
                        "text": "We are listened to.",
                        "rows": [2],
                        "suggested": "2.1",
                        "from_file": False,
                        "total_group": None,
                        "groups": [
                            {
                                "group": "Staff",
                                "status": "shown",
                                "answered": 9,
                                "favourable": None,
                                "valid": None,
                                "dont_know": 0,
                                "options": [["Agree", 6], ["Disagree", 3]],
                            }
                        ],
                    }
                ],
            },
        )
        db.session.add(record)
        db.session.commit()
        return str(record.id)


FACTORIES = {
    "import_id": import_id,
    "fmt": lambda app, org_name: "csv",
}

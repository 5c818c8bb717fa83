"""Tenancy factories for the frameworks journey: an imported framework of another organisation."""

from __future__ import annotations

from typing import Any

from flask import Flask

PRIVATE_ID = "private-standards"
PRIVATE_INDICATOR = "p-1"


def private_definition(framework_id: str = PRIVATE_ID) -> dict[str, Any]:
    """A small valid framework that no built-in shares an id with."""
    return {
        "id": framework_id,
        "title": "Private standards",
        "source": {"document": "ours.docx", "title": "Our own standards"},
        "rating_scale": {
            "id": "met3",
            "title": "Met or not",
            "levels": [{"code": "met", "label": "Met"}, {"code": "not-met", "label": "Not met"}],
            "good_from": "met",
        },
        "sections": [{"id": "s", "title": "Section"}],
        "indicators": [
            {
                "id": PRIVATE_INDICATOR,
                "title": "Private indicator",
                "section": "s",
                "items": {"staff": ["I know our own standards."]},
            }
        ],
    }


def private_framework(app: Flask, org_name: str) -> str:
    """Import (once) a framework for `org_name`; returns its framework id."""
    from app.extensions import db
    from app.services.accounts import get_or_create_organisation
    from app.services.frameworks import UnknownFramework, get_framework, import_framework
    from frameworks.loader import parse_framework

    with app.app_context():
        org = get_or_create_organisation(org_name)
        try:
            get_framework(org.id, PRIVATE_ID)
        except UnknownFramework:
            import_framework(org.id, parse_framework(private_definition(), "private.yaml"))
            db.session.commit()
    return PRIVATE_ID


def private_indicator(app: Flask, org_name: str) -> str:
    private_framework(app, org_name)
    return PRIVATE_INDICATOR


FACTORIES = {"framework_id": private_framework, "indicator_id": private_indicator}

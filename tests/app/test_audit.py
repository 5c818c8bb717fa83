"""The audit trail's own rules: entries are kept as written, and hold nothing per respondent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from app.extensions import db
from app.models import AuditEntry, Organisation, User
from app.models.audit import AuditIsAppendOnly
from app.services import audit


def test_record_and_read_back_newest_first(
    app: Flask, make_user: Callable[..., User], make_org: Callable[[str], Organisation]
) -> None:
    user_id = make_user("coord@example.org").id
    org_id, other_id = make_org("Org A").id, make_org("Org B").id
    with app.app_context():
        user = db.session.get(User, user_id)
        audit.record("round.created", "Created", organisation_id=org_id, actor=user)
        db.session.commit()
        audit.record("round.launched", "Launched", organisation_id=org_id, actor=None)
        audit.record("round.created", "Elsewhere", organisation_id=other_id, actor=user)
        db.session.commit()
        found = audit.entries(org_id)
        assert [e.summary for e in found] == ["Launched", "Created"]
        assert [e.actor_name for e in found] == [audit.SYSTEM_ACTOR, user.name or user.email]
        only = audit.entries(org_id, audit.AuditFilter(action="round.created"))
        assert [e.summary for e in only] == ["Created"]


def test_entries_cannot_be_changed_or_deleted(
    app: Flask, make_org: Callable[[str], Organisation]
) -> None:
    org_id = make_org("Org A").id
    with app.app_context():
        entry_id = audit.record("round.created", "Created", organisation_id=org_id, actor=None).id
        db.session.commit()
        db.session.get(AuditEntry, entry_id).summary = "Rewritten"
        with pytest.raises(AuditIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEntry, entry_id))
        with pytest.raises(AuditIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(AuditEntry, entry_id).summary == "Created"


@pytest.mark.parametrize("key", ["invitation_id", "token", "response_id", "email"])
def test_details_that_would_identify_a_respondent_are_refused(
    app: Flask, make_org: Callable[[str], Organisation], key: str
) -> None:
    org_id = make_org("Org A").id
    with app.app_context():
        with pytest.raises(audit.UnsafeAuditDetails):
            audit.record("x", "x", organisation_id=org_id, actor=None, details={key: "1"})
        assert audit.entries(org_id) == []

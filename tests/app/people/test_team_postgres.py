"""Two coordinators demoting each other at the same moment leave one coordinator (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Membership, Organisation, Role, User
from app.services.accounts import AccountError
from app.services.accounts import colleagues as service
from tests.app.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="row locks need PostgreSQL")


def test_two_coordinators_demoting_each_other_at_once_keep_one(
    app: Flask, make_user: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user("ann@a.example", "Org A", Role.COORDINATOR)  # type: ignore[operator]
    make_user("bob@a.example", "Org A", Role.COORDINATOR)  # type: ignore[operator]
    # Widen the window between the check and the write, so both would pass an unlocked check.
    real = service._other_active_coordinators

    def slow(org: Organisation, membership: Membership) -> int:
        n = real(org, membership)
        time.sleep(0.3)
        return n

    monkeypatch.setattr(service, "_other_active_coordinators", slow)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor_email: str, target_email: str) -> None:
        with app.app_context():
            actor = db.session.execute(select(User).where(User.email == actor_email)).scalar_one()
            target = db.session.execute(
                select(Membership).join(User).where(User.email == target_email)
            ).scalar_one()
            org = db.session.get(Organisation, target.organisation_id)
            assert org is not None
            start.wait()
            try:
                service.change_role(org, target, Role.VIEWER, actor)
                db.session.commit()
                outcomes.append("changed")
            except AccountError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=demote, args=("ann@a.example", "bob@a.example")),
        threading.Thread(target=demote, args=("bob@a.example", "ann@a.example")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["changed", "refused"]
    with app.app_context():
        roles = db.session.execute(select(Membership.role)).scalars().all()
        assert sorted(roles) == [Role.COORDINATOR, Role.VIEWER]

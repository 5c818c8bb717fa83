"""An organisation's settings: its time zone (issue 16).

The zone decides the organisation's calendar: rounds open and close at its local midnight,
"today", reminder gaps and retention days are its days, and dates and times are shown in it
(app/dates.py). Changing it moves no stored date: a round closing on 31 March still closes at
the end of 31 March, now in the new zone.
"""

from __future__ import annotations

from app.dates import check_zone
from app.extensions import db
from app.models import Organisation, User
from app.services import audit


class SettingsError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def set_time_zone(org: Organisation, value: str, actor: User) -> bool:
    """Set the organisation's zone (an IANA name from `app.dates.zone_names`); audited.
    Returns whether it changed; raises SettingsError and changes nothing on a bad name."""
    name = value.strip()
    problem = check_zone(name)
    if problem:
        raise SettingsError({"time_zone": problem})
    if name == org.time_zone:
        return False
    before = org.time_zone
    org.time_zone = name
    db.session.flush()
    audit.record(
        "organisation.time_zone_changed",
        f"Time zone changed to {name} (was {before})",
        organisation_id=org.id,
        actor=actor,
        object_type="organisation",
        object_id=org.id,
        details={"from": before, "to": name},
    )
    return True

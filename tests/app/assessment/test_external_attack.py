"""Attack: work out a small group of a survey run elsewhere from what Chorus keeps (issue 22).

The file has a total row ("All staff") beside three groups, one under k. An attacker reading
everything stored (the pending upload, the evidence payloads and descriptions, the audit trail)
and every page tries the two ways in: reading the small group's counts directly, and
subtracting the shown groups from the total. Both must fail."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, EvidenceItem, ExternalImport
from tests.app.assessment.conftest import FAY
from tests.app.assessment.helpers import text
from tests.app.assessment.test_external import (
    HEADER,
    META,
    as_csv,
    confirm_form,
    url,
)
from tests.app.assessment.test_external import upload as send
from tests.support import csrf_token

STATEMENT = "Staff share information with partner organisations in good time."
GROUPS = {  # sa, a, d, sd, dk
    "Teaching staff": (11, 17, 5, 2, 1),
    "Health visitors": (5, 2, 1, 1, 0),
    "Cooks": (0, 1, 2, 0, 0),  # 3 people: under k
}
TOTAL = tuple(sum(v[i] for v in GROUPS.values()) for i in range(5))


def _rows() -> list[list[Any]]:
    body: list[list[Any]] = [HEADER]
    for group, counts in {**GROUPS, "All staff": TOTAL}.items():
        body.append([STATEMENT, group, *counts, sum(counts), *META])
    return body


def _everything_stored(app: Flask, assessment_id: uuid.UUID) -> str:
    with app.app_context():
        parts: list[Any] = []
        for record in db.session.execute(select(ExternalImport)).scalars():
            parts.append(record.data)
        for item in db.session.execute(
            select(EvidenceItem).where(EvidenceItem.assessment_id == assessment_id)
        ).scalars():
            parts += [item.payload, item.description]
        for entry in db.session.execute(select(AuditEntry)).scalars():
            parts += [entry.summary, entry.details]
        return json.dumps(parts, ensure_ascii=False)


def _cells(app: Flask, assessment_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    with app.app_context():
        item = db.session.execute(
            select(EvidenceItem).where(EvidenceItem.assessment_id == assessment_id)
        ).scalar_one()
        return {c["group"]: c for c in (item.payload or {})["statements"][0]["cells"]}


def test_a_small_external_group_cannot_be_read_or_subtracted(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    k = int(app.config["ANONYMITY_THRESHOLD"])
    assert 0 < sum(GROUPS["Cooks"]) < k
    client = as_user(FAY)
    response = send(client, assessment_id, as_csv(_rows()), "staff.csv")
    where = response.headers["Location"]
    page = text(client.get(where))
    form = confirm_form(page)
    form["indicator-0"] = "5.1"
    stored_pending = _everything_stored(app, assessment_id)
    assert (
        client.post(where, data={**form, "csrf_token": csrf_token(client, "/")}).status_code == 303
    )
    cells = _cells(app, assessment_id)
    assert cells["Cooks"]["status"] == "suppressed"
    # Subtraction: with the total shown, one more group must be hidden with the small one.
    shown = [g for g, c in cells.items() if c["status"] == "shown"]
    assert "All staff" in shown  # the total is shown, so subtraction is the attack to beat
    hidden = [g for g in GROUPS if g not in shown]
    assert len(hidden) >= 2 and cells["Health visitors"]["status"] == "withheld"
    assert sum(sum(GROUPS[g]) for g in hidden) >= k
    for group in GROUPS:
        if group not in shown:
            assert not {"favourable", "base", "answered", "options"} & set(cells[group])
    # Reading: no stored text or page holds the hidden groups' counts beside their names.
    pages = "".join(
        text(client.get(url(assessment_id, tail)))
        for tail in (
            "/evidence",
            "/indicators/5.1",
            "/external",
            where.split(str(assessment_id))[1],
        )
    )
    for blob in (stored_pending, _everything_stored(app, assessment_id), pages):
        for group in GROUPS:
            if group in shown:
                continue
            answered = sum(GROUPS[group])
            assert f"{group} ({answered} answered)" not in blob
            assert f'"group": "{group}", "status": "suppressed", "answered"' not in blob
            assert f'"group": "{group}", "status": "withheld", "answered"' not in blob


def test_a_flag_never_speaks_for_a_hidden_external_group(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    """The blind-spot rule as a side channel: four cooks all unfavourable would be a blind
    spot beside a rating of good (Wilson's upper bound for 0 of 4 is 49%), and the health
    visitors, withheld so the total cannot be subtracted, are negative too. Neither may raise a
    flag, and nothing flagged may name them; the shown groups are compared as usual."""
    from statsmodels.stats.proportion import proportion_confint

    k = int(app.config["ANONYMITY_THRESHOLD"])
    groups = {
        "Teaching staff": (1, 3, 20, 10, 1),
        "Health visitors": (0, 1, 4, 4, 0),
        "Cooks": (0, 0, 2, 2, 0),
    }
    assert sum(groups["Cooks"]) < k and proportion_confint(0, 4, method="wilson")[1] < 0.5
    total = tuple(sum(v[i] for v in groups.values()) for i in range(5))
    body: list[list[Any]] = [HEADER]
    for group, counts in {**groups, "All staff": total}.items():
        body.append([STATEMENT, group, *counts, sum(counts), *META])
    client = as_user(FAY)
    where = send(client, assessment_id, as_csv(body), "staff.csv").headers["Location"]
    form = {**confirm_form(text(client.get(where))), "indicator-0": "5.1"}
    assert (
        client.post(where, data={**form, "csrf_token": csrf_token(client, "/")}).status_code == 303
    )
    assert (
        client.post(
            url(assessment_id, "/discussion"), data={"csrf_token": csrf_token(client, "/")}
        ).status_code
        == 303
    )
    agreed = {"agreed_rating": "4", "csrf_token": csrf_token(client, "/")}
    assert client.post(url(assessment_id, "/indicators/5.1"), data=agreed).status_code == 303
    cells = _cells(app, assessment_id)
    shown = {g for g, c in cells.items() if c["status"] == "shown"}
    assert "Cooks" not in shown and "Health visitors" not in shown
    expected = set()
    for group in shown:
        sa, a, d, sd, _ = {**groups, "All staff": total}[group]
        if proportion_confint(sa + a, sa + a + d + sd, method="wilson")[1] < 0.5:
            expected.add(group)
    assert expected  # the shown groups do raise flags: the page is not simply empty
    page = text(client.get(url(assessment_id, "/stakeholders")))
    flags = re.findall(r'class="flag flag-blind_spot">(.*?)</li>', page, re.S)
    named = {
        g for g in {**groups, "All staff": total} if any(g.lower() in f.lower() for f in flags)
    }
    assert named == expected
    assert len(flags) == len(expected)

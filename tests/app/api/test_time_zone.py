"""The API's days are the token's organisation's (its time zone), as on its pages."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.app.api.conftest import Api
from tests.app.api.test_auth import ROUND
from tests.app.invitations.test_time_zone import AHEAD, BEHIND, _day, _set_zone


def test_the_api_judges_the_opening_date_by_the_organisations_day(
    app: Flask, client: FlaskClient, make_token
) -> None:  # type: ignore[no-untyped-def]
    api = Api(client, make_token())
    opens = _day(BEHIND)  # before Kiritimati's today, after (or on) Pago Pago's
    made = api.post(
        "/rounds",
        {
            **ROUND,
            "opens_on": opens.isoformat(),
            "closes_on": (opens + timedelta(days=30)).isoformat(),
        },
    )
    rid = made.get_json()["id"]

    def codes() -> list[str]:
        return [w["code"] for w in api.get(f"/rounds/{rid}/launch-check").get_json()["warnings"]]

    _set_zone(app, AHEAD)
    assert "opens_in_past" in codes()
    _set_zone(app, BEHIND)
    assert "opens_in_past" not in codes()

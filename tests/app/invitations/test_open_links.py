"""Open links and QR codes per audience: list, poster, downloads, switch off, replace."""

from __future__ import annotations

import re

import segno
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import OpenLink, Role
from tests.app.invitations.builders import do_launch, launched_round, make_round
from tests.support import csrf_token, login


def _links(app: Flask, round_id) -> dict[str, OpenLink]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.execute(select(OpenLink).where(OpenLink.round_id == round_id)).scalars()
        out = {}
        for row in rows:
            db.session.expunge(row)
            out[row.audience] = row
        return out


def _qr_path_data(svg: str) -> str:
    match = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert match, svg[:200]
    return match.group(1)


def test_each_audience_has_a_link_and_qr_code(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 1, "staff": 1})
    links = _links(app, round_id)
    page = client.get(f"/rounds/{round_id}/open-links").get_data(as_text=True)
    for link in links.values():
        assert f"http://localhost/o/{link.code}" in page
    assert page.count("<svg") == 2
    assert "no IP address is stored" in page
    # The inline QR code encodes exactly that audience's link.
    expected = segno.make(f"http://localhost/o/{links['parents'].code}", error="m")
    assert _qr_path_data(expected.svg_inline(scale=10, border=4)) in page


def test_the_poster_is_printable_with_the_short_link_close_date_and_subject(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 1})
    code = _links(app, round_id)["parents"].code
    response = client.get(f"/rounds/{round_id}/open-links/parents/poster")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"localhost/o/{code}" in html and "http://localhost/o/" not in html.split("<svg")[0]
    assert "Open until" in html and "parents and carers" in html and "Org A" in html
    assert 'class="poster-qr"><svg' in html and "<title>" in html
    assert re.search(r"invitations\.[0-9a-f]{12}\.css", html)
    with client.get("/static/css/invitations.css", follow_redirects=True) as static:
        css = static.get_data(as_text=True)
    assert "@page { size: A4" in css
    assert "style=" not in html.split("<svg")[0]  # no inline styles (CSP)


def test_qr_downloads(app: Flask, client: FlaskClient, coordinator) -> None:  # type: ignore[no-untyped-def]
    round_id = launched_round(app, {"parents": 1})
    code = _links(app, round_id)["parents"].code
    svg = client.get(f"/rounds/{round_id}/open-links/parents/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.get_data().startswith(b"<?xml") and b"<svg" in svg.get_data()
    expected = segno.make(f"http://localhost/o/{code}", error="m")
    assert _qr_path_data(expected.svg_inline(scale=10, border=4)) in svg.get_data(as_text=True)
    png = client.get(f"/rounds/{round_id}/open-links/parents/qr.png")
    assert png.mimetype == "image/png" and png.get_data().startswith(b"\x89PNG")
    assert client.get(f"/rounds/{round_id}/open-links/community/qr.png").status_code == 404


def test_switch_off_on_and_replace(app: Flask, client: FlaskClient, coordinator) -> None:  # type: ignore[no-untyped-def]
    round_id = launched_round(app, {"parents": 1})
    old = _links(app, round_id)["parents"].code
    token = csrf_token(client, "/")
    url = f"/rounds/{round_id}/open-links/parents"
    assert client.post(url, data={"csrf_token": token, "action": "deactivate"}).status_code == 303
    assert _links(app, round_id)["parents"].active is False
    poster = client.get(f"{url}/poster").get_data(as_text=True)
    assert "This link is switched off" in poster
    assert client.post(url, data={"csrf_token": token, "action": "activate"}).status_code == 303
    assert _links(app, round_id)["parents"].active is True

    client.post(url, data={"csrf_token": token, "action": "replace"})  # not confirmed
    assert _links(app, round_id)["parents"].code == old
    client.post(url, data={"csrf_token": token, "action": "replace", "confirm": "yes"})
    new = _links(app, round_id)["parents"].code
    assert new != old and len(new) == 10
    assert client.post(url, data={"csrf_token": token, "action": "explode"}).status_code == 400


def test_viewers_see_posters_but_cannot_change_links(
    app: Flask,
    client: FlaskClient,
    make_user,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 1})
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    login(client, "viewer@a.example")
    assert client.get(f"/rounds/{round_id}/open-links/parents/poster").status_code == 200
    response = client.post(
        f"/rounds/{round_id}/open-links/parents",
        data={"csrf_token": csrf_token(client, "/"), "action": "deactivate"},
    )
    assert response.status_code == 403
    assert _links(app, round_id)["parents"].active is True


def test_a_draft_has_no_open_links_yet(app: Flask, client: FlaskClient, coordinator) -> None:  # type: ignore[no-untyped-def]
    round_id = make_round(app)
    page = client.get(f"/rounds/{round_id}/open-links").get_data(as_text=True)
    assert "created when the round is launched" in page
    assert client.get(f"/rounds/{round_id}/open-links/parents/poster").status_code == 404


def test_a_round_with_age_bands_has_a_link_per_band_and_a_shared_one(
    app: Flask,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(
        app, audiences=("children", "parents"), children_bands=("under_8", "8_to_12", "13_plus")
    )
    do_launch(app, round_id)
    links = _links(app, round_id)
    assert set(links) == {
        "parents",
        "children",
        "children_under_8",
        "children_8_to_12",
        "children_13_plus",
    }
    page = client.get(f"/rounds/{round_id}/open-links").get_data(as_text=True)
    assert page.count("<svg") == 5
    assert "Children and young people: every age band" in page
    assert "children choose their age band on the first page" in page
    assert "Such a kiosk works while it has a signal only" in page
    # Youngest first, after the shared link.
    shared = page.index('id="link-children"')
    bands = [page.index(f'id="link-children_{b}"') for b in ("under_8", "8_to_12", "13_plus")]
    assert shared < bands[0] < bands[1] < bands[2]
    for audience in ("children", "children_under_8"):
        poster = client.get(f"/rounds/{round_id}/open-links/{audience}/poster")
        assert poster.status_code == 200
        assert f"localhost/o/{links[audience].code}" in poster.get_data(as_text=True)
    token = csrf_token(client, f"/rounds/{round_id}/open-links")
    off = client.post(
        f"/rounds/{round_id}/open-links/children",
        data={"csrf_token": token, "action": "deactivate"},
    )
    assert off.status_code == 303
    assert not _links(app, round_id)["children"].active


def test_one_band_needs_no_shared_link(
    app: Flask,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(app, audiences=("children",), children_bands=("13_plus",))
    do_launch(app, round_id)
    assert set(_links(app, round_id)) == {"children_13_plus"}

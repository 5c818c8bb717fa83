"""Static files: fingerprinted names, precompressed, immutable; pages compressed on request."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
from flask import Flask, url_for
from flask.testing import FlaskClient

from app.assets import build_manifest, fingerprinted

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
CSS = "css/chorus.css"


def _current(app: Flask, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_url_for_names_the_file_by_its_contents(app: Flask) -> None:
    url = _current(app, CSS)
    data = (STATIC / CSS).read_bytes()
    assert url == "/static/" + fingerprinted(CSS, data)
    assert re.fullmatch(r"/static/css/chorus\.[0-9a-f]{12}\.css", url)


def test_a_changed_file_gets_a_new_name(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body{}")
    before, _ = build_manifest(tmp_path)
    (tmp_path / "a.css").write_text("body{color:red}")
    after, _ = build_manifest(tmp_path)
    assert before["a.css"] != after["a.css"]


def test_fingerprinted_files_are_immutable_and_compressed_as_accepted(
    app: Flask, client: FlaskClient
) -> None:
    url = _current(app, CSS)
    data = (STATIC / CSS).read_bytes()

    plain = client.get(url, headers={"Accept-Encoding": ""})
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert "Content-Encoding" not in plain.headers
    assert plain.data == data
    assert plain.mimetype == "text/css"

    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.data) == data
    assert len(br.data) < len(data)

    gz = client.get(url, headers={"Accept-Encoding": "gzip, br;q=0"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.data) == data


def test_plain_and_earlier_names_still_resolve_after_a_deploy(
    app: Flask, client: FlaskClient
) -> None:
    current = _current(app, CSS)
    for old in ("/static/css/chorus.css", "/static/css/chorus.0123456789ab.css"):
        response = client.get(old)
        assert response.status_code == 308, old
        assert response.headers["Location"].endswith(current)
        assert response.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/nothing-here.css").status_code == 404
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404


def test_pages_link_only_fingerprinted_assets(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert linked, "the sign-in page links its stylesheet and scripts"
    for url in linked:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url


def test_pages_are_compressed_only_when_asked(client: FlaskClient) -> None:
    asked = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert asked.headers["Content-Encoding"] == "br"
    assert b"<html" in brotli.decompress(asked.data)
    assert "Accept-Encoding" in asked.headers["Vary"]

    gz = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(gz.data)

    plain = client.get("/login", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert b"<html" in plain.data

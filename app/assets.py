"""Static files under fingerprinted names, compressed once at start-up and cached for a year.

`url_for('static', filename='css/chorus.css')` gives `/static/css/chorus.<hash>.css`, where the
hash is of the file's bytes, so a returning phone never revalidates and a new build changes the
name. A plain name, or a fingerprint of an earlier build (a page cached before a deploy), is
redirected to the current name instead of failing. Each file is held in memory as it is, as gzip
and as Brotli (the whole folder is about 100 KB), and served in the best encoding the browser
accepts, so no proxy is needed for compression.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, Response, abort, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

IMMUTABLE = "public, max-age=31536000, immutable"
# Only worth compressing text; a fingerprint is 12 hex digits before the last suffix.
_COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".html", ".map")
_FINGERPRINT = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.[^./]+)$")


@dataclass(frozen=True)
class Asset:
    name: str  # the fingerprinted path under static/
    mimetype: str
    identity: bytes
    gzip: bytes | None
    br: bytes | None

    def body(self, accept_encoding: str) -> tuple[bytes, str | None]:
        """The smallest encoding the client accepts (q=0 refusals honoured)."""
        accepted = _accepted(accept_encoding)
        if self.br is not None and "br" in accepted:
            return self.br, "br"
        if self.gzip is not None and "gzip" in accepted:
            return self.gzip, "gzip"
        return self.identity, None


def _accepted(header: str) -> set[str]:
    """Codings named in Accept-Encoding with a weight above zero."""
    accepted = set()
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        weight = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        if coding and weight > 0:
            accepted.add(coding.strip().lower())
    return accepted


def fingerprinted(relative: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:12]
    path = Path(relative)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def build_manifest(folder: Path) -> tuple[dict[str, str], dict[str, Asset]]:
    """Plain name -> fingerprinted name, and fingerprinted name -> the asset's bodies."""
    names: dict[str, str] = {}
    assets: dict[str, Asset] = {}
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = file.relative_to(folder).as_posix()
        data = file.read_bytes()
        name = fingerprinted(relative, data)
        compress = file.suffix in _COMPRESSIBLE
        mimetype = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype.endswith("javascript"):
            mimetype += "; charset=utf-8"
        names[relative] = name
        assets[name] = Asset(
            name=name,
            mimetype=mimetype,
            identity=data,
            gzip=gzip.compress(data, compresslevel=9, mtime=0) if compress else None,
            br=brotli.compress(data, quality=11) if compress else None,
        )
    return names, assets


def init_assets(app: Flask) -> None:
    """Replace Flask's static route with the fingerprinted one (created with static_folder=None)."""
    folder = Path(__file__).resolve().parent / "static"
    names, assets = build_manifest(folder)
    app.extensions["chorus_assets"] = names

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = names.get(values["filename"], values["filename"])

    def static(filename: str) -> BaseResponse:
        asset = assets.get(filename)
        if asset is None:
            return _redirect_to_current(filename, names)
        body, encoding = asset.body(request.headers.get("Accept-Encoding", ""))
        response = Response(body, mimetype=asset.mimetype)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["Vary"] = "Accept-Encoding"
        if encoding:
            response.headers["Content-Encoding"] = encoding
        return response

    from app.tenancy import public

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=public(static))


def _redirect_to_current(filename: str, names: dict[str, str]) -> BaseResponse:
    """A plain name or an earlier build's fingerprint: send the browser to today's file."""
    plain = filename
    match = _FINGERPRINT.match(Path(filename).name)
    if match:
        plain = str(Path(filename).with_name(match["stem"] + match["suffix"]))
    if plain not in names:
        abort(404)
    response = redirect(url_for("static", filename=plain), code=308)
    response.headers["Cache-Control"] = "no-cache"
    return response

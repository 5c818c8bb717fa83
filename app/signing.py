"""Signed cookies without the per-request set-up: serializers built once per key set, and each
signing key derived once per process (issue 15).

itsdangerous, as Flask and Flask-WTF use it, builds a serializer on every request and derives
the signing key (an HMAC of the secret and the salt) on every sign and every check, for every
key tried. On a respondent's request that was a noticeable share of the server's CPU. The
tokens, cookies and their checks are byte for byte what the stock classes make: only the work
that gives the same answer every time is kept. The one difference is how a payload is
compressed (`deflate`): the same zlib format, which every reader (these classes, the stock ones,
`zlib.decompress`) opens as before.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Sequence
from typing import Any

import itsdangerous
from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, Serializer, Signer, TimestampSigner
from itsdangerous.encoding import base64_encode

_DERIVED: dict[tuple[bytes, bytes, str, Any], bytes] = {}


class _KeyOnce:
    """Mixin: `derive_key` remembered per (secret, salt, method); it depends on nothing else."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        signer: Signer = self  # type: ignore[assignment]
        secret = signer.secret_keys[-1] if secret_key is None else _bytes(secret_key)
        key = (secret, signer.salt, signer.key_derivation, signer.digest_method)
        found = _DERIVED.get(key)
        if found is None:
            found = Signer.derive_key(signer, secret)
            if len(_DERIVED) < 256:  # a handful of keys and salts; never grows with traffic
                _DERIVED[key] = found
        return found


class KeyOnceSigner(_KeyOnce, Signer):
    pass


class KeyOnceTimestampSigner(_KeyOnce, TimestampSigner):
    pass


def _bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def deflate(data: bytes) -> bytes:
    """`zlib.compress(data)` for the few hundred bytes of a cookie, at a tenth of its cost.

    zlib's defaults size the window and the match table for 32 KB and more, and setting those
    up (clearing a 64 KB table) is most of the work on a cookie. Here both are sized to the data:
    a window that still spans all of it, so the output is as short (the same size on every
    payload measured up to 6 KB; tests/app/test_signing.py), in the same zlib format."""
    wbits = min(15, max(9, len(data).bit_length()))
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits, min(8, max(1, wbits - 6)))
    return compressor.compress(data) + compressor.flush()


class _SmallDeflate:
    """itsdangerous's URL-safe `dump_payload`, compressing with `deflate`: compressed (marked
    by a leading ".") only when that is shorter, exactly as the stock mixin decides."""

    def dump_payload(self, obj: Any) -> bytes:
        json = Serializer.dump_payload(self, obj)  # type: ignore[arg-type]
        compressed = deflate(json)
        if len(compressed) < len(json) - 1:
            return b"." + base64_encode(compressed)
        return base64_encode(json)


class URLSafeSerializer(_SmallDeflate, itsdangerous.URLSafeSerializer):
    pass


class URLSafeTimedSerializer(_SmallDeflate, itsdangerous.URLSafeTimedSerializer):
    pass


_SERIALIZERS: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()


def _once(key: tuple[Any, ...], build: Any) -> Any:
    found = _SERIALIZERS.get(key)
    if found is None:
        with _LOCK:
            found = _SERIALIZERS.get(key)
            if found is None:
                found = _SERIALIZERS[key] = build()
    return found


def url_safe(secrets_oldest_first: Sequence[str], salt: str) -> URLSafeSerializer:
    """URLSafeSerializer(secrets, salt=salt), built once per key set."""
    keys = tuple(secrets_oldest_first)
    return _once(
        ("url_safe", keys, salt),
        lambda: URLSafeSerializer(list(keys), salt=salt, signer=KeyOnceSigner),
    )


def timestamp_signer(secrets_oldest_first: Sequence[str], salt: str) -> TimestampSigner:
    """TimestampSigner(secrets, salt=salt), built once per key set."""
    keys = tuple(secrets_oldest_first)
    return _once(
        ("timestamp_signer", keys, salt),
        lambda: KeyOnceTimestampSigner(list(keys), salt=salt),
    )


def url_safe_timed(secret: str, salt: str) -> URLSafeTimedSerializer:
    """URLSafeTimedSerializer(secret, salt=salt), built once per key."""
    return _once(
        ("url_safe_timed", secret, salt),
        lambda: URLSafeTimedSerializer(secret, salt=salt, signer=KeyOnceTimestampSigner),
    )


# Session cookies already checked: (serializer, cookie) -> (contents, signed at). A browser sends
# the same session cookie with every request until it changes; checking and decoding it once
# is enough. Only a cookie that passed the check is kept, and its age is checked on every use.
_OPENED: dict[tuple[int, str], tuple[Any, int]] = {}
_OPENED_MAX = 5_000  # the browsers active at once; a few MB at most


def _copied(value: Any) -> Any:
    """A copy a request may change: dicts, lists and tuples copied all the way down; everything
    else a session can hold (strings, numbers, bytes, UUIDs, dates, Markup) cannot change. As
    copy.deepcopy would give, at a fraction of its cost on every request."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    return value


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its serializer built once per key set and each cookie
    value checked and decoded once (the same cookie, the same checks, the same contents)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (id(s), val)
        found = _OPENED.get(key)
        if found is None:
            try:
                data, signed_at = s.loads(val, max_age=max_age, return_timestamp=True)
            except BadSignature:  # as Flask's own: a bad or expired cookie is an empty session
                return self.session_class()
            if len(_OPENED) >= _OPENED_MAX:
                _OPENED.clear()
            found = _OPENED[key] = (data, int(signed_at.timestamp()))
        elif not 0 <= int(time.time()) - found[1] <= max_age:  # itsdangerous's own age rule
            return self.session_class()
        return self.session_class(_copied(found[0]))  # a request may change its copy

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        return _once(
            ("session", keys, self.salt, self.key_derivation, self.digest_method),
            lambda: URLSafeTimedSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer=KeyOnceTimestampSigner,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            ),
        )

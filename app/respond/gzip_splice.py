"""A gzip body for a kept page, made without compressing the page again (issue 15).

A kept page (app/respond/fragments.py) is the same markup for everyone apart from a few short
values of the request's own (its CSRF token, a grant). Compressing the whole page on every
request was about a fifth of a page's server CPU. Deflate allows better: the fixed stretches
are compressed once, each ending on a byte boundary (a sync flush), and the values go between
them as stored blocks, so a request only joins bytes and takes a CRC-32 (RFC 1951 3.2.4 and
RFC 1952).

A stretch may refer back to the stretches before it, across the values between, when the
values' lengths are known: it is compressed with the page so far as its dictionary, each value
standing in as that many NUL bytes. A page holds no NUL, so nothing is ever matched against a
stand-in, and every distance back is the one the browser will find once the real values are in.
Such stretches are kept per set of value lengths (they rarely vary: tokens have fixed lengths).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, no time; best, unknown OS
_LAST = b"\x01\x00\x00\xff\xff"  # an empty stored block marked final
_STORED_MAX = 0xFFFF  # a stored block's length is 16 bits


_WINDOW = 1 << zlib.MAX_WBITS  # how far back deflate may refer


def fixed_stretches(stretches: Sequence[bytes], lengths: Sequence[int] | None) -> list[bytes]:
    """Each stretch as raw deflate blocks, none final, ending on a byte boundary; with `lengths`
    (of the values between them, in order) each may refer back across the values before it."""
    if lengths is not None and any(b"\x00" in stretch for stretch in stretches):
        lengths = None  # a stand-in could be matched: compress each stretch on its own
    out = []
    so_far = b""
    for i, stretch in enumerate(stretches):
        if lengths is not None and i:
            so_far = (so_far + b"\x00" * lengths[i - 1])[-_WINDOW:]
        if not stretch:
            out.append(b"")
            continue
        if so_far:
            compressor = zlib.compressobj(
                9, zlib.DEFLATED, -zlib.MAX_WBITS, 9, zlib.Z_DEFAULT_STRATEGY, so_far
            )
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
        out.append(compressor.compress(stretch) + compressor.flush(zlib.Z_SYNC_FLUSH))
        if lengths is not None:
            so_far = (so_far + stretch)[-_WINDOW:]
    return out


def stored(value: bytes) -> bytes:
    """`value` as non-final stored blocks (a byte-aligned 0 header, LEN, NLEN, the bytes)."""
    out = []
    for start in range(0, len(value), _STORED_MAX):
        chunk = value[start : start + _STORED_MAX]
        out.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(out)


def gzip_body(
    stretches: Sequence[bytes], compressed: Sequence[bytes], values: Sequence[bytes]
) -> bytes:
    """One gzip member: stretches[0], values[0], stretches[1], ... with `compressed` from
    `fixed_stretches` (for these values' lengths, if it was given them)."""
    if len(stretches) != len(values) + 1 or len(compressed) != len(stretches):
        raise ValueError("a stretch on each side of every value")
    crc = 0
    size = 0
    out = [_HEADER]
    for i, stretch in enumerate(stretches):
        if i:
            value = values[i - 1]
            out.append(stored(value))
            crc = zlib.crc32(value, crc)
            size += len(value)
        out.append(compressed[i])
        crc = zlib.crc32(stretch, crc)
        size += len(stretch)
    out.append(_LAST)
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)

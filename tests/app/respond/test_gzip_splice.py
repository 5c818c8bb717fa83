"""A kept page's gzip body, spliced from stretches compressed once and this request's values,
is exactly the page (app/respond/gzip_splice.py)."""

from __future__ import annotations

import gzip
import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.respond.gzip_splice import fixed_stretches, gzip_body

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


def _page(stretches: list[bytes], values: list[bytes]) -> bytes:
    out = stretches[0]
    for value, stretch in zip(values, stretches[1:], strict=True):
        out += value + stretch
    return out


def _spliced(stretches: list[bytes], values: list[bytes], across: bool) -> bytes:
    lengths = [len(v) for v in values] if across else None
    return gzip_body(stretches, fixed_stretches(stretches, lengths), values)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(_TEXT.map(str.encode), min_size=1, max_size=6),
    values=st.lists(_TEXT.map(str.encode), min_size=5, max_size=5),
    across=st.booleans(),
)
def test_any_stretches_and_values_decompress_to_the_page(
    pieces: list[bytes], values: list[bytes], across: bool
) -> None:
    values = values[: len(pieces) - 1]
    assert gzip.decompress(_spliced(pieces, values, across)) == _page(pieces, values)


def test_a_stretch_refers_back_across_the_values_to_the_stretches_before() -> None:
    # Markup each stretch repeats from an earlier one (in a page: the statements' scales).
    words = random.Random(1).choices(["agree", "disagree", "strongly", "not", "sure"], k=600)
    text = " ".join(words).encode()
    stretches = [b"<head>" + text, b'" name="t">' + text, text + b"</html>"]
    values = [b"IjQ1ZjM4Yi5hYmMi.Z1x2Yw.token-of-this-request", b"grant-" + b"x" * 90]
    across = _spliced(stretches, values, across=True)
    alone = _spliced(stretches, values, across=False)
    assert gzip.decompress(across) == gzip.decompress(alone) == _page(stretches, values)
    # Each later stretch finds its text in the earlier ones: far smaller than alone.
    assert len(across) < len(alone) * 0.5
    # The browser checks the CRC and the length (a wrong one is refused, not shown).
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(across[:-8] + b"\0" * 8)


def test_a_stretch_holding_a_nul_is_compressed_alone_and_still_exact() -> None:
    stretches = [b"before\x00" * 50, b"after\x00" * 50]
    values = [b"value"]
    assert gzip.decompress(_spliced(stretches, values, True)) == _page(stretches, values)


def test_a_value_longer_than_a_stored_block_is_split_across_blocks() -> None:
    value = bytes(range(256)) * 300  # 76,800 bytes: two stored blocks
    body = _spliced([b"<p>", b"</p>"], [value], across=True)
    assert gzip.decompress(body) == b"<p>" + value + b"</p>"
    # One member, read by a streaming inflater too (as a browser reads it).
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflater.decompress(body) + inflater.flush() == b"<p>" + value + b"</p>"
    assert inflater.eof and not inflater.unused_data


def test_a_stretch_for_each_side_of_every_value() -> None:
    with pytest.raises(ValueError, match="each side"):
        gzip_body([b"a"], [b""], [b"x"])

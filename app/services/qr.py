"""QR codes of public addresses, for posters and documents (open links, "you said, we did").

Error correction M survives a crease or a bit of tape on a printed poster.
"""

from __future__ import annotations

import io

import segno


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_svg_inline(url: str, title: str) -> str:
    """An inline <svg> (no XML declaration) that scales with its container."""
    return qr_code(url).svg_inline(
        scale=10, border=4, title=title, svgclass="qr", omitsize=True, dark="#000", light="#fff"
    )


def qr_file(url: str, kind: str) -> bytes:
    """The QR code as a standalone SVG or PNG file for newsletters and documents."""
    out = io.BytesIO()
    if kind == "svg":
        qr_code(url).save(out, kind="svg", scale=10, border=4, dark="#000", light="#fff")
    else:
        qr_code(url).save(out, kind="png", scale=12, border=4)
    return out.getvalue()

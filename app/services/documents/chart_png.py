"""A report `Chart` drawn as a PNG (Pillow), for Word documents, which have no native charts.

The same picture as the PDF's SVG (templates/reports/report.html): one row per group, a bar of
percent favourable on a 0-100% track with the 95% interval as a whisker and the figure at its
end. A hidden group gets no bar and no number, only the words "not shown", never a zero-length
bar that would read as 0%. The figures are the `Bar`s' own, so the PNG, the SVG and the
sentences beside both cannot disagree. No Flask here.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from app.services.documents.report_model import Chart

SCALE = 3  # pixels per drawing unit: sharp when printed at the width Word shows it
ROW = 16  # drawing units, as the SVG
LEFT = 150
TRACK = 260
RIGHT = 50
AXIS = 22
WIDTH_UNITS = LEFT + TRACK + RIGHT
LABEL_CHARS = 30

INK = (11, 12, 12)
MUTED = (80, 90, 95)
TRACK_FILL = (243, 242, 241)
BAR_FILL = (29, 112, 184)


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(name, size * SCALE)
        except OSError:
            continue
    return ImageFont.load_default(size * SCALE)  # Pillow's own font: always there


def chart_size(chart: Chart) -> tuple[int, int]:
    """(width, height) in drawing units; 1 unit prints as 0.75 pt like the SVG."""
    return WIDTH_UNITS, len(chart.bars) * ROW + AXIS


def chart_png(chart: Chart) -> bytes:
    width, height = chart_size(chart)
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)

    def px(*units: float) -> tuple[float, ...]:
        return tuple(u * SCALE for u in units)

    def at(x: float, y: float) -> tuple[float, float]:
        return x * SCALE, y * SCALE

    label_font, small_font = _font(9), _font(8)
    for row, bar in enumerate(chart.bars):
        y = row * ROW
        draw.text(
            at(LEFT - 6, y + 8), bar.label[:LABEL_CHARS], fill=INK, font=label_font, anchor="rm"
        )
        draw.rectangle(px(LEFT, y + 2, LEFT + TRACK, y + ROW - 3), fill=TRACK_FILL)
        if bar.percent is None:
            draw.text(at(LEFT + 4, y + 8), "not shown", fill=MUTED, font=small_font, anchor="lm")
            continue
        end = LEFT + TRACK * min(max(bar.percent, 0.0), 100.0) / 100
        if end > LEFT:
            draw.rectangle(px(LEFT, y + 2, end, y + ROW - 3), fill=BAR_FILL)
        if bar.low is not None and bar.high is not None:
            low, high = (LEFT + TRACK * v / 100 for v in (bar.low, bar.high))
            middle = y + 7.5
            draw.line(px(low, middle, high, middle), fill=INK, width=int(1.5 * SCALE))
            for x in (low, high):
                draw.line(px(x, y + 4, x, y + 11), fill=INK, width=SCALE)
        draw.text(at(LEFT + TRACK + 4, y + 8), bar.short, fill=INK, font=label_font, anchor="lm")

    base = len(chart.bars) * ROW + 4
    draw.line(px(LEFT, base, LEFT + TRACK, base), fill=MUTED, width=max(1, SCALE // 2))
    for tick in (0, 50, 100):
        draw.text(
            at(LEFT + TRACK * tick / 100, base + 8),
            f"{tick}%",
            fill=INK,
            font=small_font,
            anchor="mm",
        )
    out = io.BytesIO()
    # Not optimize=True: it tries every filter and made the file 3% smaller for 3x the time.
    image.save(out, format="PNG")
    return out.getvalue()

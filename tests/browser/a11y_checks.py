"""Accessibility checks axe cannot make, run on whatever page a browser tab shows.

- focus indicator contrast (WCAG 1.4.11, 2.4.7): each element the Tab key reaches is photographed
  focused and not focused (and, for buttons, with the pointer over it); the pixels that changed
  must differ from what was there by at least 3:1 over an area at least that of a 1 CSS pixel
  line around the element (stricter than 1.4.11 asks: the ring must be seen against whatever is
  next to it, not only against the control);
- text spacing (1.4.12): the bookmarklet's values forced on every element; no text may be cut off
  by a box that hides its overflow, and the page may not scroll sideways;
- forced colours: focus still outlined, the chosen answer marked, the faces and chart text drawn
  in the text colour.

Each returns what it found as plain strings, so one audit can record every failure of a run.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page

from tests.browser.support import horizontal_overflow, too_wide

MAX_ELEMENTS = 60  # a page with more tab stops is measured on its first 60
MARGIN = 10  # CSS pixels photographed around an element: the ring lies within this
NEED = 3.0

TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


@dataclass
class Findings:
    elements: int = 0
    failures: list[str] = field(default_factory=list)


def _luminance(pixels: np.ndarray) -> np.ndarray:
    c = pixels[..., :3].astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.asarray(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """WCAG contrast ratio, pixel by pixel, of two images of the same size."""
    la, lb = _luminance(a), _luminance(b)
    return np.asarray((np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05))


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def indicator_area(focused: bytes, unfocused: bytes) -> tuple[int, float]:
    """Pixels whose focused colour contrasts at least 3:1 with their unfocused colour, and the
    best ratio seen (1.0: nothing changed)."""
    a, b = _pixels(focused), _pixels(unfocused)
    if a.shape != b.shape:
        return 0, 1.0
    ratios = contrast(a, b)
    return int((ratios >= NEED).sum()), float(ratios.max())


_FOCUSED = r"""() => {
    const seen = window.__a11ySeen || (window.__a11ySeen = new WeakMap());
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return {kind: 'none'};
    if (seen.has(el)) return {kind: 'seen'};
    seen.set(el, seen.size);
    let target = el;
    if (el.matches('input[type=radio], input[type=checkbox]') && el.labels && el.labels.length
        && el.closest('.opt')) target = el.labels[0];
    // In the middle of the screen where it can be, so no edge cuts the ring off.
    target.scrollIntoView({block: 'center', inline: 'nearest'});
    const r = target.getBoundingClientRect();
    // A link that wraps is several boxes: its outline is theirs, not its bounding box's.
    const vw = document.documentElement.clientWidth, vh = window.innerHeight;
    let outline = 0;
    for (const b of target.getClientRects()) {
        const w = Math.min(b.right, vw) - Math.max(b.left, 0);
        const h = Math.min(b.bottom, vh) - Math.max(b.top, 0);
        outline += 2 * Math.max(w, 0) + 2 * Math.max(h, 0);
    }
    const text = (el.innerText || (el.labels && el.labels.length && el.labels[0].innerText)
        || el.value || el.getAttribute('aria-label') || el.id || '')
        .trim().replace(/\s+/g, ' ').slice(0, 40);
    const desc = el.tagName.toLowerCase() + (el.type ? '[' + el.type + ']' : '')
        + (el.className && typeof el.className === 'string'
           ? '.' + el.className.trim().split(/\s+/).join('.') : '')
        + (text ? ' "' + text + '"' : '');
    const button = el.matches('button, .button, .btn, input[type=submit]');
    return {kind: 'element', desc, button, x: r.left, y: r.top, w: r.width, h: r.height,
            vw, vh, outline};
}"""


FAILED_SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "focus-failures"


def _keep(state: str, desc: str, focused: bytes, unfocused: bytes) -> None:
    """A failing element's two photographs, to look at."""
    FAILED_SHOTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^a-z0-9]+", "-", f"{state} {desc}".lower())[:80]
    (FAILED_SHOTS / f"{stem}-focused.png").write_bytes(focused)
    (FAILED_SHOTS / f"{stem}-unfocused.png").write_bytes(unfocused)


def _clip(info: dict[str, float]) -> dict[str, float] | None:
    x0, y0 = max(0.0, info["x"] - MARGIN), max(0.0, info["y"] - MARGIN)
    x1 = min(info["vw"], info["x"] + info["w"] + MARGIN)
    y1 = min(info["vh"], info["y"] + info["h"] + MARGIN)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}


def _shot(page: Page, clip: dict[str, float]) -> bytes:
    return page.screenshot(clip=clip, animations="disabled", caret="hide", scale="css")  # type: ignore[arg-type]  # clip is a FloatRect


def focus_contrast(page: Page, state: str, *, hover: bool = True) -> Findings:
    """Tab through the page; every element reached must show a focus indicator at 3:1."""
    found = Findings()
    page.evaluate("delete window.__a11ySeen")
    page.mouse.move(0, 0)
    nothing = 0
    for _ in range(MAX_ELEMENTS + 5):
        page.keyboard.press("Tab")
        info = page.evaluate(_FOCUSED)
        if info["kind"] == "seen":
            break  # round the page and back to the start
        if info["kind"] == "none":
            nothing += 1
            if nothing > 1:
                break
            continue
        if found.elements == MAX_ELEMENTS:
            break
        found.elements += 1
        clip = _clip(info)
        if clip is None:
            found.failures.append(f"{state}: {info['desc']} is focused but not on screen")
            continue
        pairs = [(_shot(page, clip), None)]
        if hover and info["button"]:
            page.mouse.move(info["x"] + info["w"] / 2, info["y"] + info["h"] / 2)
            pairs.append((_shot(page, clip), "hovered"))
        page.evaluate("document.activeElement && document.activeElement.blur()")
        references = []
        if len(pairs) == 2:
            references.append(_shot(page, clip))
            page.mouse.move(0, 0)
        references.insert(0, _shot(page, clip))
        need = info["outline"]
        for (focused, how), unfocused in zip(pairs, references, strict=True):
            area, best = indicator_area(focused, unfocused)
            if area < need:
                _keep(state, info["desc"], focused, unfocused)
                found.failures.append(
                    f"{state}: {info['desc']}{' (' + how + ')' if how else ''}: focus indicator "
                    f"at 3:1 over {area}px, needs {need:.0f}px (best contrast {best:.2f}:1)"
                )
        # blur() leaves the sequential focus starting point on the element: Tab goes on from it.
    return found


_CLIPPED = r"""() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        const cs = getComputedStyle(el);
        if (cs.display === 'none' || cs.visibility === 'hidden') continue;
        const x = cs.overflowX === 'hidden' || cs.overflowX === 'clip';
        const y = cs.overflowY === 'hidden' || cs.overflowY === 'clip';
        if (!(x || y) || el.clientWidth <= 1 || el.clientHeight <= 1) continue;  // visually hidden
        if (!(el.innerText || '').trim()) continue;
        if ((x && el.scrollWidth > el.clientWidth + 1)
            || (y && el.scrollHeight > el.clientHeight + 1))
            out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
                ? '.' + el.className.trim().split(/\s+/).join('.') : '')
                + ' "' + el.innerText.trim().slice(0, 30) + '"');
    }
    return out.slice(0, 5);
}"""


def text_spacing(page: Page, state: str) -> list[str]:
    """WCAG 1.4.12 with the bookmarklet's values: nothing cut off, nothing wider than the page."""
    style = page.add_style_tag(content=TEXT_SPACING_CSS)
    try:
        clipped = list(page.evaluate(_CLIPPED))
        wider = horizontal_overflow(page)
        culprits = too_wide(page) if wider > 0 else []
    finally:
        style.evaluate("s => s.remove()")
    failures = [f"{state}: text cut off with spacing increased: {c}" for c in clipped]
    if wider > 0:
        failures.append(
            f"{state}: scrolls sideways by {wider}px with text spacing increased: {culprits}"
        )
    return failures


_FORCED = r"""() => {
    const out = [];
    const text = getComputedStyle(document.body).color;
    for (const face of document.querySelectorAll('svg.face')) {
        const s = getComputedStyle(face).stroke;
        if (s !== text) out.push('a face is drawn in ' + s + ', not the text colour ' + text);
    }
    for (const label of document.querySelectorAll('.opt input:checked + label')) {
        const other = label.closest('fieldset').querySelector('.opt input:not(:checked) + label');
        const a = getComputedStyle(label), b = other && getComputedStyle(other);
        if (b && a.borderTopWidth === b.borderTopWidth && a.borderTopColor === b.borderTopColor
            && a.outlineStyle === b.outlineStyle)
            out.push('the chosen answer "' + label.innerText.trim() + '" looks like the others');
    }
    for (const t of document.querySelectorAll('svg text')) {
        const f = getComputedStyle(t).fill;
        if (f !== text) out.push('chart text "' + t.textContent.trim().slice(0, 20) + '" is ' + f);
    }
    const boxed = '.button, .btn:not(.lnk), input[type=text], textarea, select';
    for (const b of document.querySelectorAll(boxed)) {
        const cs = getComputedStyle(b);
        if (b.offsetParent && (cs.borderTopStyle === 'none' || parseFloat(cs.borderTopWidth) < 1))
            out.push((b.innerText || b.name || b.tagName).trim().slice(0, 30) + ' has no border');
    }
    return out.slice(0, 8);
}"""

_FOCUS_OUTLINE = r"""() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    let t = el;
    if (el.matches('input[type=radio], input[type=checkbox]') && el.labels && el.labels.length
        && el.closest('.opt')) t = el.labels[0];
    const cs = getComputedStyle(t);
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) return '';
    return el.tagName.toLowerCase() + ' "' + (el.innerText || el.value || '').trim().slice(0, 30)
        + '"';
}"""


def forced_colours(page: Page, state: str, *, tabs: int = 25) -> list[str]:
    """In forced colours (box-shadows and backgrounds gone) focus, borders, chosen answers,
    faces and chart text must still show. The caller turns emulation on and off."""
    failures = [f"{state} (forced colours): {p}" for p in page.evaluate(_FORCED)]
    unringed: list[str] = []
    for _ in range(tabs):
        page.keyboard.press("Tab")
        missing = page.evaluate(_FOCUS_OUTLINE)
        if missing:
            unringed.append(missing)
    failures += [f"{state} (forced colours): focus not outlined on {u}" for u in unringed[:5]]
    return failures

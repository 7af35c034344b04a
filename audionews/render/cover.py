"""The default podcast cover, drawn with Pillow when AUDIONEWS_PODCAST_IMAGE is not set."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app
from PIL import Image, ImageDraw, ImageFont

from .storage import Storage, out_of_space

log = logging.getLogger(__name__)

# Apple wants a square JPEG or PNG of 1400-3000 px in RGB; 3000 px looks sharp everywhere.
SIZE = 3000
SUBTITLE = "Nachrichten zum Hören"
BACKGROUND = (16, 42, 67)
ACCENT = (255, 196, 0)
TEXT = (255, 255, 255)
_EXTENSION = "audionews.cover"
_lock = threading.Lock()
_drawn: dict[str, bytes] = {}  # title -> PNG: drawing takes most of a second
# The cover inside every MP3 (ID3 APIC): small, since each file carries a copy (~17 kB).
EMBEDDED_SIZE = 600
_embedded: dict[str, bytes] = {}
# Covers the media folder had no room for (a full disk): name -> PNG, served from memory.
_unwritten: dict[str, bytes] = {}


# Fonts with German letters; Pillow's bundled font (the fallback) has no umlauts.
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)
_ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def _font_path() -> str | None:
    return next((path for path in FONTS if Path(path).is_file()), None)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_path()
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, start: int, width: int) -> ImageFont.ImageFont:
    size = start
    while True:
        font = _font(size)
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= width or size <= 40:
            return font  # type: ignore[return-value]
        size = int(size * 0.9)


def render_cover(title: str, subtitle: str = SUBTITLE, size: int = SIZE) -> bytes:
    """Return a square RGB PNG: the podcast title, a subtitle and a sound-wave mark."""
    if _font_path() is None:
        title, subtitle = title.translate(_ASCII), subtitle.translate(_ASCII)
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    unit = size / 30
    # Sound waves: a dot and three arcs, the universal "audio" sign.
    cx, cy = size / 2 + unit * 2, size * 0.36
    dot = unit * 1.6
    draw.ellipse((cx - dot - unit * 5, cy - dot, cx + dot - unit * 5, cy + dot), fill=ACCENT)
    for number in range(1, 4):
        radius = unit * (2.2 + 2.4 * number)
        box = (cx - unit * 5 - radius, cy - radius, cx - unit * 5 + radius, cy + radius)
        draw.arc(box, start=-45, end=45, fill=ACCENT, width=round(unit * 1.1))
    margin = round(size * 0.1)
    title_font = _fit(draw, title, round(size * 0.12), size - 2 * margin)
    draw.text((size / 2, size * 0.66), title, font=title_font, fill=TEXT, anchor="mm")
    sub_font = _fit(draw, subtitle, round(size * 0.055), size - 2 * margin)
    draw.text((size / 2, size * 0.80), subtitle, font=sub_font, fill=ACCENT, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def default_cover_name() -> str:
    """Return the media name of the generated cover, drawing it once per process and title."""
    settings = current_app.config["AUDIONEWS"]
    storage: Storage = current_app.extensions["storage"]
    title = settings["PODCAST_TITLE"] or "audionews"
    with _lock:
        cache: dict[str, str] = current_app.extensions.setdefault(_EXTENSION, {})
        name = cache.get(title)
        if name is None or not storage.path(name).is_file():
            if title not in _drawn:
                _drawn[title] = render_cover(title)
            try:
                name = storage.write_bytes(_drawn[title], "cover", "png")
            except OSError as exc:
                if not out_of_space(exc):
                    raise
                # The feed still names it; the media view serves it from memory meanwhile,
                # and the next feed request tries to write it again.
                name = storage.content_name(_drawn[title], "cover", "png")
                _unwritten[name] = _drawn[title]
                log.warning("no space left for the podcast cover %s: %s", name, exc)
                return name
            _unwritten.pop(name, None)
            cache[title] = name
    return name


def unwritten_cover(name: str, storage: Storage) -> bytes | None:
    """Return the PNG of a generated cover the media folder had no room for (None: none).

    Each call tries to write it again, so it lands in the media folder (for a web server that
    serves media/ itself) as soon as there is room.
    """
    with _lock:
        data = _unwritten.get(name)
        if data is None and name.startswith("cover-"):
            # Another process may have drawn it for a feed: draw it here too and compare.
            title = current_app.config["AUDIONEWS"]["PODCAST_TITLE"] or "audionews"
            if title not in _drawn:
                _drawn[title] = render_cover(title)
            if storage.content_name(_drawn[title], "cover", "png") == name:
                data = _drawn[title]
        if data is None:
            return None
        try:
            storage.write_bytes(data, "cover", "png")
        except OSError as exc:
            if not out_of_space(exc):
                raise
        else:
            _unwritten.pop(name, None)
        return data


def embedded_cover(settings: Mapping[str, Any]) -> bytes | None:
    """Return the PNG every MP3 carries as its front cover (ID3 APIC), drawn once per process.

    None when AUDIONEWS_PODCAST_IMAGE names a picture elsewhere: renders never fetch URLs, and a
    generated cover beside another one in the feed would confuse listeners.
    """
    if settings["PODCAST_IMAGE"]:
        return None
    title = settings["PODCAST_TITLE"] or "audionews"
    with _lock:
        if title not in _embedded:
            _embedded[title] = render_cover(title, size=EMBEDDED_SIZE)
        return _embedded[title]

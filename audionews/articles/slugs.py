"""Slugs: German transliteration of titles into unique, readable URL names."""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterator

from .model import MAX_SLUG_LENGTH

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Letters that NFKD does not decompose into ASCII but that turn up in names in the news.
_SLUG_TRANSLIT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)


def is_valid_slug(slug: str) -> bool:
    """Return whether `slug` is usable as given: [a-z0-9] words joined by single hyphens."""
    return 1 <= len(slug) <= MAX_SLUG_LENGTH and _SLUG_RE.fullmatch(slug) is not None


def slugify(title: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Turn a German title into a URL slug of at most `max_length` characters."""
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    text = unicodedata.normalize("NFC", title).translate(_SLUG_TRANSLIT)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        # Keep whole words when a hyphen exists to cut at; a single long word is cut hard.
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:max_length]
        slug = slug[:max_length].strip("-")
    if not slug:
        # Nothing sluggable (say a title of emoji): a hash keeps different titles apart.
        digest = hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"artikel-{digest}"[:max_length].strip("-")
    return slug


def slug_candidates(title: str, max_length: int = MAX_SLUG_LENGTH) -> Iterator[str]:
    """Yield slugs for a new article titled `title`, best first, without end.

    First the title's slug; then that slug with a suffix from a hash of the title, so two
    different titles that slugify alike get different slugs, and two requests with the same
    new title pick the same one (the unique index on slugs then decides between them); then
    numbered ones, for the rare name that is taken all the same.
    """
    base = slugify(title, max_length)
    yield base
    digest = hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()
    suffixes = itertools.chain([digest[:6]], (str(n) for n in itertools.count(2)))
    for suffix in suffixes:
        stem = base[: max_length - len(suffix) - 1].rstrip("-")
        yield f"{stem}-{suffix}" if stem else suffix

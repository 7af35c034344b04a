"""Parse articles from the text format or JSON into validated fields (no Flask, no database).

The text format: the first non-empty line is the title, then the sections ``**In Kürze:**``
(summary), ``**Hauptartikel:**`` (body) and ``**Mehr Wissen:**`` (links). Summary and body keep
their inline Markdown for display; each non-empty line is one paragraph.
"""

from __future__ import annotations

from .json_format import parse_json, parse_json_bytes
from .model import (
    MAX_BYTES,
    MAX_SLUG_LENGTH,
    MAX_TITLE_LENGTH,
    ArticleError,
    ArticleInput,
    Link,
    check_source_id,
)
from .slugs import is_valid_slug, slug_candidates, slugify
from .text_format import parse_text

__all__ = [
    "MAX_BYTES",
    "MAX_SLUG_LENGTH",
    "MAX_TITLE_LENGTH",
    "ArticleError",
    "ArticleInput",
    "Link",
    "check_source_id",
    "is_valid_slug",
    "parse_file",
    "parse_json",
    "parse_json_bytes",
    "parse_text",
    "slug_candidates",
    "slugify",
]


def parse_file(data: bytes, filename: str = "", *, max_bytes: int = MAX_BYTES) -> ArticleInput:
    """Parse an uploaded file: JSON by its name or by content starting with "{", else text."""
    suffix = filename.lower().rpartition(".")[2] if "." in filename else ""
    if suffix == "json":
        return parse_json_bytes(data, max_bytes=max_bytes)
    if suffix in {"txt", "text", "md", "markdown"}:
        return parse_text(data, max_bytes=max_bytes)
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        return parse_json_bytes(data, max_bytes=max_bytes)
    return parse_text(data, max_bytes=max_bytes)

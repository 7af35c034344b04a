"""Article fields, their errors, and the cleaning every input format shares."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_BYTES = 200_000
MAX_TITLE_LENGTH = 300
MAX_SLUG_LENGTH = 80
MAX_URL_LENGTH = 2048
MAX_SOURCE_ID_LENGTH = 200

_NEWLINES_RE = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# C0/C1 controls except tab and newline, plus stray byte-order marks.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff]")
_WHITESPACE_RE = re.compile(r"\s+")
# Heading marks need a space after them, so a title like "#MeToo-Debatte" keeps its hashtag.
_HEADING_RE = re.compile(r"^#{1,6}(?:\s+|$)")
_BOLD_TITLE_RE = re.compile(r"\*\*(.*)\*\*")


class ArticleError(ValueError):
    """Input that cannot become an article.

    `message` is a German sentence for users; `field` names the culprit: "title", "summary",
    "body", "links", "links[2].url", "slug", "published", an unknown JSON key, "text" (text
    outside any section), "file" (empty, not UTF-8, not JSON) or "size" (over the byte limit).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Link:
    """A "Mehr Wissen" link."""

    title: str
    url: str


@dataclass(frozen=True)
class ArticleInput:
    """A parsed, validated article as an editor or the API submitted it."""

    title: str
    summary: str
    body: str
    links: tuple[Link, ...]
    slug: str | None = None
    # None: not said. A new article is then published once its audio is ready; an update
    # leaves the article's state alone.
    published: bool | None = None
    # The integrator's own id of the article (unique per API token name), if it sent one.
    source_id: str | None = None

    def content_hash(self) -> str:
        """Return the SHA-256 hex digest of the content (title, summary, body, links)."""
        canonical = json.dumps(
            {
                "title": self.title,
                "summary": self.summary,
                "body": self.body,
                "links": [[link.title, link.url] for link in self.links],
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict that `parse_json` accepts again."""
        return (
            {
                "title": self.title,
                "summary": self.summary,
                "body": self.body,
                "links": [{"title": link.title, "url": link.url} for link in self.links],
                "slug": self.slug,
            }
            | ({} if self.published is None else {"published": self.published})
            | ({} if self.source_id is None else {"source_id": self.source_id})
        )


def _decode(data: bytes | str, max_bytes: int) -> str:
    """Check size and encoding of raw input and return it as text without a BOM."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ArticleError(f"Der Text ist größer als {_format_size(max_bytes)}.", "size")
    if isinstance(data, bytes):
        if b"\x00" in data:
            raise ArticleError("Die Datei ist kein UTF-8-Text.", "file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleError("Die Datei ist kein UTF-8-Text.", "file") from exc
    else:
        text = data
        if "\x00" in text:
            raise ArticleError("Die Datei ist kein UTF-8-Text.", "file")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # lone surrogates from a broken decoder upstream
            raise ArticleError("Die Datei ist kein UTF-8-Text.", "file") from exc
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ArticleError("Der Text ist leer.", "file")
    return text


def _format_size(max_bytes: int) -> str:
    if max_bytes >= 1000 and max_bytes % 1000 == 0:
        return f"{max_bytes // 1000} kB"
    if max_bytes >= 1000:
        return f"{max_bytes / 1000:.1f} kB".replace(".", ",")
    return f"{max_bytes} Bytes"


def _clean_text(text: str) -> str:
    """Normalize to NFC with "\\n" line ends and no control characters besides tab."""
    text = unicodedata.normalize("NFC", text)
    text = _NEWLINES_RE.sub("\n", text)
    return _CONTROL_RE.sub("", text)


def _clean_title(raw: str) -> str:
    """Collapse whitespace and strip heading or bold decoration from a title."""
    title = _WHITESPACE_RE.sub(" ", _clean_text(raw)).strip()
    title = _HEADING_RE.sub("", title)
    bold = _BOLD_TITLE_RE.fullmatch(title)
    if bold and "**" not in bold[1]:
        title = bold[1].strip()
    return title


def _check_title(title: str) -> str:
    if not title:
        raise ArticleError("Der Titel fehlt.", "title")
    if len(title) > MAX_TITLE_LENGTH:
        raise ArticleError(
            f"Der Titel ist länger als {MAX_TITLE_LENGTH} Zeichen ({len(title)}).", "title"
        )
    return title


def _paragraphs(lines: list[str]) -> str:
    """Join non-empty lines as paragraphs separated by a blank line."""
    return "\n\n".join(stripped for line in lines if (stripped := line.strip()))


def _build(
    *,
    title: str,
    summary: str,
    body: str,
    links: tuple[Link, ...],
    slug: str | None = None,
    published: bool | None = None,
) -> ArticleInput:
    if not summary and not body:
        raise ArticleError(
            "Der Artikel hat keinen Text: Es fehlen „In Kürze“ und „Hauptartikel“.", "body"
        )
    return ArticleInput(
        title=title, summary=summary, body=body, links=links, slug=slug, published=published
    )


def check_source_id(value: object) -> str:
    """Return a valid `source_id` or raise: printable text of 1 to 200 characters."""
    if not isinstance(value, str):
        raise ArticleError("Das Feld „source_id“ muss ein Text sein.", "source_id")
    if not value or len(value) > MAX_SOURCE_ID_LENGTH or not value.isprintable():
        raise ArticleError(
            f"Die „source_id“ muss 1 bis {MAX_SOURCE_ID_LENGTH} druckbare Zeichen lang sein "
            "(keine Steuerzeichen, keine Zeilenumbrüche).",
            "source_id",
        )
    return value


def _link_title(raw: str, url: str) -> str:
    title = _WHITESPACE_RE.sub(" ", raw).strip()
    return title or url


def _valid_url(url: str) -> bool:
    """Accept only absolute http(s) URLs with a host: anything else could run script."""
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        return False
    if _CONTROL_RE.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(host)

"""Parse articles from the text format or JSON into validated fields (no Flask, no database).

The text format: the first non-empty line is the title, then the sections ``**In Kürze:**``
(summary), ``**Hauptartikel:**`` (body) and ``**Mehr Wissen:**`` (links). Summary and body keep
their inline Markdown for display; each non-empty line is one paragraph.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "MAX_BYTES",
    "MAX_TITLE_LENGTH",
    "ArticleError",
    "ArticleInput",
    "Link",
    "is_valid_slug",
    "parse_file",
    "parse_json",
    "parse_json_bytes",
    "parse_text",
    "slugify",
]

MAX_BYTES = 200_000
MAX_TITLE_LENGTH = 300
MAX_SLUG_LENGTH = 80
MAX_URL_LENGTH = 2048

_JSON_FIELDS = ("title", "summary", "body", "links", "slug", "published")
_LINK_FIELDS = ("title", "url")

_SECTION_NAMES = {"summary": "In Kürze", "body": "Hauptartikel", "links": "Mehr Wissen"}
_SECTION_ORDER = ("summary", "body", "links")

# A marker line: bold (colon inside or outside, or none), a Markdown heading, or a plain line
# with a colon. Text after a bold marker on the same line is the section's first line.
_MARKER_WORDS = r"(?P<name>in\s+k(?:ü|ue)rze|hauptartikel|mehr\s+wissen)"
_MARKER_RES = (
    re.compile(
        rf"^(?P<em>\*{{1,2}}|_{{1,2}})\s*{_MARKER_WORDS}\s*:?\s*(?P=em)\s*:?\s*(?P<rest>.*)$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(rf"^#{{1,6}}\s*{_MARKER_WORDS}\s*:?\s*(?P<rest>)$", re.IGNORECASE),
    re.compile(rf"^{_MARKER_WORDS}\s*:\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL),
)

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LINK_START_RE = re.compile(r"!?\[([^\[\]\n]*)\]\(")
_BARE_URL_RE = re.compile(r"^(?:[-*+]|\d+[.)])?\s*<?(https?://[^\s<>]+)>?$", re.IGNORECASE)
_LIST_MARKER_RE = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_NEWLINES_RE = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# C0/C1 controls except tab and newline, plus stray byte-order marks.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff]")
_WHITESPACE_RE = re.compile(r"\s+")
# Heading marks need a space after them, so a title like "#MeToo-Debatte" keeps its hashtag.
_HEADING_RE = re.compile(r"^#{1,6}(?:\s+|$)")
_BOLD_TITLE_RE = re.compile(r"\*\*(.*)\*\*")

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
        return {
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "links": [{"title": link.title, "url": link.url} for link in self.links],
            "slug": self.slug,
        } | ({} if self.published is None else {"published": self.published})


# --- public entry points ---------------------------------------------------------------------


def parse_text(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> ArticleInput:
    """Parse the text format (bytes must be UTF-8) into an article."""
    text = _decode(data, max_bytes)
    lines = _clean_text(text).split("\n")
    title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title_index is None:
        raise ArticleError("Der Text ist leer.", "file")
    first = lines[title_index].strip()
    if _match_marker(first) is not None:
        raise ArticleError(
            "Der Titel fehlt: Die erste Zeile muss der Titel sein, nicht ein Abschnitt.", "title"
        )
    title = _check_title(_clean_title(first))
    sections = _split_sections(lines[title_index + 1 :])
    return _build(
        title=title,
        summary=_paragraphs(sections["summary"]),
        body=_paragraphs(sections["body"]),
        links=tuple(_links_from_text(sections["links"])),
    )


def parse_json(obj: object) -> ArticleInput:
    """Validate already-decoded JSON (an object) into an article."""
    if not isinstance(obj, dict):
        raise ArticleError(
            "Erwartet wird ein JSON-Objekt mit den Feldern title, summary, body und links.", None
        )
    for key in obj:
        if key not in _JSON_FIELDS:
            raise ArticleError(
                f"Das Feld „{key}“ ist unbekannt. Erlaubt sind: {', '.join(_JSON_FIELDS)}.",
                str(key),
            )
    if "title" not in obj or obj["title"] is None:
        raise ArticleError("Der Titel fehlt.", "title")
    title = _check_title(_clean_title(_json_str(obj, "title")))
    summary = _paragraphs(_clean_text(_json_str(obj, "summary")).split("\n"))
    body = _paragraphs(_clean_text(_json_str(obj, "body")).split("\n"))
    links = _links_from_json(obj.get("links", []))

    slug = obj.get("slug")
    if slug is not None:
        if not isinstance(slug, str):
            raise ArticleError("Der Slug muss ein Text sein.", "slug")
        if not is_valid_slug(slug):
            raise ArticleError(
                "Der Slug darf nur Kleinbuchstaben a–z, Ziffern und einzelne Bindestriche "
                f"enthalten, nicht mit einem Bindestrich beginnen oder enden und höchstens "
                f"{MAX_SLUG_LENGTH} Zeichen lang sein.",
                "slug",
            )
    published = obj.get("published")
    if "published" in obj and not isinstance(published, bool):
        raise ArticleError("Das Feld „published“ muss true oder false sein.", "published")
    return _build(
        title=title, summary=summary, body=body, links=links, slug=slug, published=published
    )


def parse_json_bytes(data: bytes, *, max_bytes: int = MAX_BYTES) -> ArticleInput:
    """Decode UTF-8 JSON and validate it into an article."""
    text = _decode(data, max_bytes)
    try:
        obj = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ArticleError(
            f"Die Datei ist kein gültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno}).", "file"
        ) from exc
    except _DuplicateKeyError as exc:
        raise ArticleError(f"Das Feld „{exc.key}“ kommt doppelt vor.", exc.key) from exc
    except (RecursionError, ValueError) as exc:
        # Deep nesting or huge numbers: not JSON an article could be made of.
        raise ArticleError("Die Datei ist kein gültiges JSON.", "file") from exc
    return parse_json(obj)


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


# --- decoding and cleaning -------------------------------------------------------------------


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


# --- text format -----------------------------------------------------------------------------


def _match_marker(line: str) -> tuple[str, str] | None:
    """Return (section, rest of line) if `line` opens a section."""
    stripped = line.strip()
    for pattern in _MARKER_RES:
        match = pattern.match(stripped)
        if match:
            name = _WHITESPACE_RE.sub(" ", match["name"].lower())
            section = {"hauptartikel": "body", "mehr wissen": "links"}.get(name, "summary")
            return section, match["rest"]
    return None


def _split_sections(lines: list[str]) -> dict[str, list[str]]:
    """Split the lines after the title by section markers."""
    sections: dict[str, list[str]] = {name: [] for name in _SECTION_ORDER}
    leading: list[str] = []
    seen: list[str] = []
    current: list[str] = leading
    for line in lines:
        marker = _match_marker(line)
        if marker is None:
            current.append(line)
            continue
        section, rest = marker
        if section in seen:
            raise ArticleError(
                f"Der Abschnitt „{_SECTION_NAMES[section]}“ kommt zweimal vor.", section
            )
        seen.append(section)
        current = sections[section]
        current.append(rest)

    if any(line.strip() for line in leading):
        # Text between the title and the first marker belongs to the section the editor left
        # unmarked and that comes before the first marker: usually a body without a marker.
        first_rank = _SECTION_ORDER.index(seen[0]) if seen else len(_SECTION_ORDER)
        candidates = [s for s in ("body", "summary") if s not in seen]
        candidates = [s for s in candidates if _SECTION_ORDER.index(s) < first_rank]
        if not candidates:
            raise ArticleError(
                f"Zwischen Titel und „{_SECTION_NAMES[seen[0]]}“ steht Text, der zu keinem "
                "Abschnitt gehört.",
                "text",
            )
        sections[candidates[0]] = leading
    return sections


def _links_from_text(lines: list[str]) -> Iterator[Link]:
    """Yield the http(s) links of a "Mehr Wissen" section; drop anything else."""
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        found = False
        for raw_title, url in _markdown_links(stripped):
            found = True
            if _valid_url(url):
                yield Link(title=_link_title(raw_title, url), url=url)
        if not found:
            bare = _BARE_URL_RE.match(stripped)
            if bare and _valid_url(bare[1]):
                yield Link(title=bare[1], url=bare[1])


def _markdown_links(text: str) -> Iterator[tuple[str, str]]:
    """Yield (title, url) of `[title](url "tooltip")` and `![title](url)` in `text`."""
    pos = 0
    while match := _LINK_START_RE.search(text, pos):
        parsed = _link_destination(text, match.end())
        if parsed is None:
            pos = match.end()
            continue
        url, pos = parsed
        yield match[1], url


def _link_destination(text: str, start: int) -> tuple[str, int] | None:
    """Parse `url "tooltip")` from `start`; return (url, end) or None if malformed."""
    i = start
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    if i < n and text[i] == "<":
        close = text.find(">", i + 1)
        if close == -1:
            return None
        url, i = text[i + 1 : close], close + 1
    else:
        # Balanced parentheses belong to the URL, as in Wikipedia's "Name_(Begriff)".
        depth = 0
        begin = i
        while i < n and not text[i].isspace():
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        url = text[begin:i]
    while i < n and text[i] in " \t":
        i += 1
    if i < n and text[i] in "\"'(":
        closing = ")" if text[i] == "(" else text[i]
        end = text.find(closing, i + 1)
        if end == -1:
            return None
        i = end + 1
        while i < n and text[i] in " \t":
            i += 1
    if i >= n or text[i] != ")":
        return None
    return url.strip(), i + 1


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


# --- JSON ------------------------------------------------------------------------------------


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


_JSON_LABELS = {"title": "Der Titel", "summary": "Die Kurzfassung", "body": "Der Haupttext"}


def _json_str(obj: dict[Any, Any], key: str) -> str:
    """Return the optional string field `key` ("" when missing or null)."""
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ArticleError(f"{_JSON_LABELS[key]} („{key}“) muss ein Text sein.", key)
    _check_encodable(value, key)
    return value


def _check_encodable(value: str, field: str) -> None:
    """Refuse lone UTF-16 surrogates (JSON "\\ud800"): no UTF-8 text can hold them."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleError(
            "Der Text enthält ungültige Zeichen (UTF-16-Ersatzzeichen).", field
        ) from None


def _links_from_json(value: object) -> tuple[Link, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ArticleError(
            "Das Feld „links“ muss eine Liste von Objekten mit title und url sein.", "links"
        )
    links = []
    for index, item in enumerate(value):
        field = f"links[{index}]"
        label = f"Link Nr. {index + 1}"
        if not isinstance(item, dict):
            raise ArticleError(f"{label} muss ein Objekt mit title und url sein.", field)
        for key in item:
            if key not in _LINK_FIELDS:
                raise ArticleError(
                    f"{label}: Das Feld „{key}“ ist unbekannt. Erlaubt sind: title, url.",
                    f"{field}.{key}",
                )
        for key in _LINK_FIELDS:
            if not isinstance(item.get(key), str):
                raise ArticleError(f"{label}: „{key}“ fehlt oder ist kein Text.", f"{field}.{key}")
            _check_encodable(item[key], f"{field}.{key}")
        url = _clean_text(item["url"]).strip()
        if not _valid_url(url):
            raise ArticleError(
                f"{label}: Nur vollständige Adressen mit http:// oder https:// sind erlaubt.",
                f"{field}.url",
            )
        links.append(Link(title=_link_title(_clean_text(item["title"]), url), url=url))
    return tuple(links)

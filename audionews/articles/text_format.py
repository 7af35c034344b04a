"""The text format: title line, then In Kürze, Hauptartikel and Mehr Wissen sections."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .model import (
    _WHITESPACE_RE,
    MAX_BYTES,
    ArticleError,
    ArticleInput,
    Link,
    _build,
    _check_title,
    _clean_text,
    _clean_title,
    _decode,
    _link_title,
    _paragraphs,
    _valid_url,
)

_SECTION_NAMES = {"summary": "In Kürze", "body": "Hauptartikel", "links": "Mehr Wissen"}
_SECTION_ORDER = ("summary", "body", "links")
MISSING_SECTIONS = (
    "Dem Text fehlen die Abschnitte „In Kürze“ und „Hauptartikel“: Nach der Titelzeile muss "
    "mindestens eine Zeile „**In Kürze:**“ oder „**Hauptartikel:**“ stehen."
)

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
_LINK_START_RE = re.compile(r"!?\[([^\[\]\n]*)\]\(")
_BARE_URL_RE = re.compile(r"^(?:[-*+]|\d+[.)])?\s*<?(https?://[^\s<>]+)>?$", re.IGNORECASE)


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

    if "summary" not in seen and "body" not in seen:
        # Without either header this is not the article format (a CSV, a stray note): going
        # live as an article made of its first line would be worse than a clear refusal.
        raise ArticleError(MISSING_SECTIONS, "text")

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

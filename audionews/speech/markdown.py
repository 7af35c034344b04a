"""Strip inline Markdown from article text, keeping what a reader sees.

Articles keep a small Markdown subset inline (emphasis, code, links, images). The speech script
shows and speaks the visible text only. This is deliberately not a full CommonMark parser: it
handles what editors write in news text, and errs on the side of keeping characters
(a stray `*` is harmless in speech, a lost word is not).
"""

from __future__ import annotations

import re

# Placeholders use private-use characters: they never occur in news text, are not word
# characters (so emphasis rules see a boundary) and survive all the rewrites below.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
# A link target may hold one level of parentheses (Wikipedia URLs do) and an optional title.
_TARGET = r"\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
_IMAGE = re.compile(r"!\[([^\]]*)\]" + _TARGET)
_LINK = re.compile(r"\[([^\]]+)\]" + _TARGET)
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:|www\.)[^>\s]+)>")
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”„»«]+")
# Only inline HTML that editors paste, with name=value attributes; "<" in running text
# ("a <b und c> d") stays.
_ATTRS = r"""(?:\s+[\w:-]+=(?:"[^"]*"|'[^']*'|[^\s"'>]+))*\s*/?>"""
_BREAK = re.compile(r"<br" + _ATTRS, re.IGNORECASE)
_TAG = re.compile(
    r"</?(?:a|abbr|b|cite|del|em|i|ins|mark|p|q|s|small|span|strong|sub|sup|u)" + _ATTRS,
    re.IGNORECASE,
)

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
_RULE = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE)
# Bullets become "•" (display text, not Markdown) so the sentence splitter still sees list
# items; "1. Punkt" stays as it is.
_BULLET = re.compile(r"^[ \t]*[-*+•][ \t]+", re.MULTILINE)


_MAX_EMPHASIS = 1000  # characters; longer than any emphasised passage in news text


def _emphasis(marker: str) -> re.Pattern[str]:
    """Build the pattern for one emphasis marker run (`**`, `_`, `~~` ...)."""
    m = re.escape(marker)
    first = re.escape(marker[0])
    # Markers must touch their text ("5 * 3" is arithmetic) and sit at word edges
    # ("snake_case", "2*3" stay), which is CommonMark's rule for "_" applied to all markers.
    # The span stays inside one paragraph and is bounded: unbounded, every stray "*" would scan
    # to the paragraph's end, which is quadratic on long text.
    span = rf"((?:(?!\n\s*\n).){{1,{_MAX_EMPHASIS}}}?)"
    return re.compile(
        rf"(?<![\w\\{first}]){m}(?![\s{first}]){span}(?<![\s{first}]){m}(?![\w{first}])",
        re.DOTALL,
    )


_EMPHASIS = [_emphasis(marker) for marker in ("***", "___", "**", "__", "~~", "*", "_")]


class _Vault:
    """Hold text that later rules must not touch, behind placeholders."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def put(self, text: str) -> str:
        self.items.append(text)
        return f"{_OPEN}{len(self.items) - 1}{_CLOSE}"

    def restore(self, text: str) -> str:
        # Items may nest (a link text holding code), so restore until nothing is left.
        while _PLACEHOLDER.search(text):
            text = _PLACEHOLDER.sub(lambda m: self.items[int(m.group(1))], text)
        return text


def strip_markdown(text: str) -> str:
    """Return `text` as displayed: Markdown syntax removed, line structure kept."""
    vault = _Vault()
    text = _ESCAPE.sub(lambda m: vault.put(m.group(1)), text)
    text = _CODE.sub(lambda m: vault.put(m.group(2).strip()), text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _REF_LINK.sub(lambda m: m.group(1), text)
    text = _AUTOLINK.sub(lambda m: vault.put(m.group(1).removeprefix("mailto:")), text)
    # URLs often hold "_" and "*"; keep them away from the emphasis rules.
    text = _BARE_URL.sub(lambda m: vault.put(m.group(0)), text)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)

    text = _RULE.sub("", text)
    # A heading is a sentence of its own even when text follows on the next line.
    text = _HEADING.sub(lambda m: m.group(1) + "\n", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("• ", text)

    for pattern in _EMPHASIS:
        # Repeat so nested emphasis ("**fett _und_ kursiv**") unwraps fully.
        previous = None
        while previous != text:
            previous = text
            text = pattern.sub(lambda m: m.group(1), text)

    text = vault.restore(text)
    return _tidy(text)


def _tidy(text: str) -> str:
    """Collapse spaces inside lines and blank-line runs, keeping paragraph breaks."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()

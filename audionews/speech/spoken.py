"""Turn a displayed sentence into the text the speech engine reads.

Two stages:
- `to_spoken` drops what cannot be read aloud sensibly: URLs become their bare domain,
  e-mail addresses, emoji, pictographs and typographic quotes go.
- `normalize` is the hook for saying German text the German way (numbers, units, abbreviations,
  the pronunciation lexicon). Today it only makes safe character-level changes; a later issue
  extends `NORMALIZERS`. Every step must be a pure function of its input: the audio cache is keyed
  by the spoken text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”„»«]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_HOST = re.compile(r"(?:https?://)?(?:[^/?#@\s]*@)?([^/?#:@\s\[\]]+)", re.IGNORECASE)
# Punctuation that ends a sentence or clause is not part of a URL written in running text.
_URL_TAIL = ".,;:!?)]'\"’"

# Emoji and pictographs; ranges rather than Unicode categories because "°" and "©" share
# the category "So" with emoji and must stay.
_PICTOGRAPHS = re.compile(
    "["
    "\U0001f000-\U0001faff"  # emoji, flags, symbols and pictographs, playing cards
    "\u2600-\u27bf"  # miscellaneous symbols, dingbats (☀ ✂ ✅ ❤)
    "\u2b00-\u2bff"  # stars and squares (⭐ ⬛)
    "\u231a\u231b\u2328\u23cf\u23e9-\u23fa"  # watch, hourglass, media buttons
    "\u3030\u303d\u3297\u3299"
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, joiner, keycap
    "\U000e0020-\U000e007f"  # tag characters (subdivision flags)
    "•▪‣◦"  # list bullets
    "]+"
)
_QUOTES = re.compile('[„“”‚‘»«›‹"]')
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u2060\ufeff]")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?)\]])")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_SPEAKABLE = re.compile(r"[^\W_]")


def to_spoken(display_sentence: str) -> str:
    """Return what the engine should say for `display_sentence`; "" when nothing is speakable."""
    text = _EMAIL.sub("", display_sentence)
    text = _URL.sub(_domain, text)
    text = _PICTOGRAPHS.sub(" ", text)
    text = _QUOTES.sub("", text)
    text = text.replace("’", "'")  # the apostrophe in "geht’s" stays, as a plain one
    text = normalize(text)
    text = _EMPTY_BRACKETS.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()
    # A leftover like "." or "–" after removing an emoji or address says nothing.
    return text if _SPEAKABLE.search(text) else ""


def _domain(match: re.Match[str]) -> str:
    """Return the bare domain of a URL match, keeping punctuation that followed it."""
    url = match.group()
    stripped = url
    while stripped and stripped[-1] in _URL_TAIL:
        # A ")" closes the URL's own "(" ("…/Merkur_(Planet)"), else the bracket around it.
        if stripped[-1] == ")" and stripped.count("(") >= stripped.count(")"):
            break
        stripped = stripped[:-1]
    tail = url[len(stripped) :]
    # Not urlsplit: it raises on malformed hosts ("http://[t"), and text is never an error.
    host = _HOST.match(stripped)
    return (host.group(1).removeprefix("www.") if host else "") + tail


def _collapse_spaces(text: str) -> str:
    """Turn every run of whitespace (also no-break and thin spaces) into one space."""
    return _SPACES.sub(" ", text).strip()


def _drop_invisible(text: str) -> str:
    """Remove soft hyphens and zero-width characters, which engines may spell out."""
    return _INVISIBLE.sub("", text)


# Applied in order by `normalize`. Later issues append German rules (numbers, units,
# abbreviations, lexicon) here; each must be pure and deterministic.
NORMALIZERS: tuple[Callable[[str], str], ...] = (_drop_invisible, _collapse_spaces)


def normalize(text: str) -> str:
    """Rewrite `text` the way it should be pronounced by applying `NORMALIZERS` in order."""
    for step in NORMALIZERS:
        text = step(text)
    return text

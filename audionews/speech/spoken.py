"""Turn a displayed sentence into the text the speech engine reads.

Stages:
- `to_spoken` drops what cannot be read aloud sensibly: URLs become their bare domain,
  e-mail addresses, emoji, pictographs and typographic quotes go.
- `normalize` says German text the German way: abbreviations, dates and times, amounts with
  units, numbers, acronyms and pauses, by the steps in `NORMALIZERS` (see each module). Every
  step must be a pure function of its input: the audio cache is keyed by the spoken text.
  `normalize_with_flags` also returns the tokens a rule was unsure of, for the editors.
- `speak` does both and applies the editors' pronunciation lexicon first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from audionews.speech.abbreviations import expand_abbreviations, flag_abbreviations
from audionews.speech.acronyms import respell_acronyms, split_glued
from audionews.speech.dates import say_dates
from audionews.speech.lexicon import Lexicon
from audionews.speech.numbers import say_numbers
from audionews.speech.pauses import make_pauses
from audionews.speech.routes import say_routes
from audionews.speech.slashes import say_slashes
from audionews.speech.units import say_ordinal_units, say_quantities
from audionews.speech.weekdays import say_weekdays

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”„»«]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# A domain written without "www." or a scheme ("auf tagesschau.de"): kept as written.
_BARE_DOMAIN = re.compile(
    r"(?<![\w@.])(?:[^\W_][\w-]*\.)+(?:de|com|org|net|eu|at|ch|info|io|fr|uk|tv|gov|edu)(?![\w-])",
    re.IGNORECASE,
)
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
# Private-use characters hold text that normalization must not touch (domains, lexicon output).
# They are not word characters, so the rules treat a placeholder like punctuation-free space.
_FIRST_HELD = 0xF0000
_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
_HELD = re.compile("[\U000f0000-\U000ffffd]")


class Normalized(NamedTuple):
    """Spoken text and the tokens the normalizer was unsure of (in order, no repeats)."""

    text: str
    flags: tuple[str, ...] = ()


def to_spoken(display_sentence: str) -> str:
    """Return what the engine should say for `display_sentence`; "" when nothing is speakable."""
    return speak(display_sentence).text


def speak(display_sentence: str, lexicon: Lexicon | None = None) -> Normalized:
    """Return the spoken text for `display_sentence` and the normalizer's unsure tokens.

    The editors' `lexicon` applies first; its output and bare domains are kept out of the
    automatic normalization (held as placeholders), so neither is rewritten again.
    """
    text = _PRIVATE.sub("", display_sentence)
    kept: list[str] = []
    text = _EMAIL.sub("", text)
    text = _URL.sub(lambda m: _domain(m, kept), text)
    text = _BARE_DOMAIN.sub(lambda m: _hold(m.group(), kept), text)
    text = _PICTOGRAPHS.sub(" ", text)
    text = _QUOTES.sub("", text)
    text = text.replace("’", "'")  # the apostrophe in "geht’s" stays, as a plain one
    text = _EMPTY_BRACKETS.sub("", text)
    if lexicon is not None:
        text = lexicon.replace(text, lambda entry: _hold(entry.spoken, kept))
    text, flags = normalize_with_flags(text)
    text = _HELD.sub(lambda m: kept[ord(m.group()) - _FIRST_HELD], text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()
    # A leftover like "." or "–" after removing an emoji or address says nothing.
    return Normalized(text if _SPEAKABLE.search(text) else "", flags)


def _hold(text: str, kept: list[str]) -> str:
    """Keep `text` aside and return the placeholder character that stands for it."""
    kept.append(text)
    return chr(_FIRST_HELD + len(kept) - 1)


def _domain(match: re.Match[str], kept: list[str]) -> str:
    """Return the held bare domain of a URL match, then the punctuation that followed it."""
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
    domain = host.group(1).removeprefix("www.") if host else ""
    return (_hold(domain, kept) if domain else "") + tail


def _collapse_spaces(text: str) -> str:
    """Turn every run of whitespace (also no-break and thin spaces) into one space."""
    return _SPACES.sub(" ", text).strip()


def _drop_invisible(text: str) -> str:
    """Remove soft hyphens and zero-width characters, which engines may spell out."""
    return _INVISIBLE.sub("", text)


def _collapse(text: str, flags: list[str]) -> str:
    """Turn every run of whitespace (also no-break and thin spaces) into one space."""
    return _collapse_spaces(text)


def _invisible(text: str, flags: list[str]) -> str:
    """Remove soft hyphens and zero-width characters, which engines may spell out."""
    return _drop_invisible(text)


Step = Callable[[str, list[str]], str]

# Applied in order by `normalize`: each takes the text and a list to append unsure tokens to,
# and must be pure and deterministic. The order matters: weekdays first, while "Fr." and "So."
# are still as written and the date after them still has its digits; abbreviations before
# numbers ("Nr. 1", "Mio."); routes before acronyms ("ICE Köln–Berlin"); slashes, then
# ordinals before a unit ("3. km") before the dates; dates and ranges before plain numbers,
# numbers and units before acronyms ("20 MW"), and pauses last, when the en dash of ranges is gone.
NORMALIZERS: tuple[Step, ...] = (
    _invisible,
    _collapse,
    say_weekdays,
    expand_abbreviations,
    say_routes,
    split_glued,
    say_slashes,
    say_ordinal_units,
    say_dates,
    say_quantities,
    say_numbers,
    respell_acronyms,
    flag_abbreviations,
    make_pauses,
    _collapse,
)


def normalize(text: str) -> str:
    """Rewrite `text` the way it should be pronounced by applying `NORMALIZERS` in order."""
    return normalize_with_flags(text).text


def normalize_with_flags(text: str) -> Normalized:
    """Return the pronounceable text and the tokens the rules were unsure of."""
    flags: list[str] = []
    for step in NORMALIZERS:
        text = step(text, flags)
    return Normalized(text, tuple(dict.fromkeys(flags)))

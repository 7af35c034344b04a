"""Turn dashes, brackets and slashes into what a reader does with them: a pause or a word.

A dash between spaces and a bracket become commas, so the engine pauses as a reader would
("Lokführer (GDL) ruft" -> "Lokführer, G D L, ruft"). Commas never stack or stand next to other
punctuation, and no clause is left empty. A hyphen inside a word stays ("Nato-Gipfel"), an
unspaced dash between words becomes a hyphen ("Berlin–Hamburg"). "Ein-/Ausgang" is said
"Ein- und Ausgang"; a slash between capitals ("CDU/CSU", already spelled) is a short gap.
Quotation marks are dropped earlier without a pause: they mostly mark a term inside a clause,
and direct speech is already set off by a colon or a comma.
"""

from __future__ import annotations

import re

_SPACED_DASH = re.compile(r"(?:^|\s)[–—‒-]+(?=\s|$)")
_WORD_DASH = re.compile(r"(?<=[^\W\d_])[–—](?=[^\W\d_])")
_OPEN = re.compile(r"\s*[(\[{]\s*")
_CLOSE = re.compile(r"\s*[)\]}]")
_HYPHEN_SLASH = re.compile(r"-/\s?(?=[^\W\d_])")
_CAPITAL_SLASH = re.compile(r"(?<=[A-ZÄÖÜ])/(?=[A-ZÄÖÜ])")
_COMMA_RUN = re.compile(r"\s*,(?:\s*,)*\s*")
_COMMA_BEFORE_MARK = re.compile(r",\s*(?=[.;:!?…])")
_COMMA_AFTER_MARK = re.compile(r"(?<=[.;:!?…])\s*,")
_EDGE_COMMA = re.compile(r"^\s*,\s*|\s*,\s*$")


def make_pauses(text: str, flags: list[str]) -> str:
    """Replace dashes and brackets by commas, and join slashed word pairs."""
    text = _HYPHEN_SLASH.sub("- und ", text)
    text = _CAPITAL_SLASH.sub(" ", text)
    text = _SPACED_DASH.sub(", ", text)
    text = _WORD_DASH.sub("-", text)
    text = _OPEN.sub(", ", text)
    text = _CLOSE.sub(", ", text)
    text = _COMMA_RUN.sub(", ", text)
    text = _COMMA_BEFORE_MARK.sub("", text)
    text = _COMMA_AFTER_MARK.sub("", text)
    return _EDGE_COMMA.sub("", text)

"""Search text: German words folded and stemmed, queries cleaned, the sentence that matched.

One folding step serves the index and the query on both databases: lower case, ß as ss,
ä/ö/ü and their transliterations ae/oe/ue as a/o/u (as Snowball's German stemmer treats
them), so „Strasse“ finds „Straße“ and „Muenchen“ finds „München“. SQLite's FTS5 table
holds the Snowball stems of the folded words (PyStemmer); PostgreSQL stems the folded text
itself with `to_tsvector('german', …)`. Nothing here touches a database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from markupsafe import Markup, escape

from ..speech import split_sentences, strip_markdown

# A query longer than this is cut (a search box, not a document upload); so is its word count.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TRANSLITERATED = re.compile(r"ae|oe|(?<!q)ue")
# Format characters (soft hyphen, zero-width space and joiners, direction marks, BOM) go.
_FORMAT = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_FOLD = str.maketrans(
    {"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"} | dict.fromkeys(_FORMAT, None)
)
_BASE = {"ae": "a", "oe": "o", "ue": "u"}


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("german")


def fold(text: str) -> str:
    """Return `text` in lower case with umlauts, ß and their transliterations folded.

    Format characters (a soft hyphen inside a word) are dropped.
    """
    lowered = text.lower().translate(_FOLD)
    return _TRANSLITERATED.sub(lambda m: _BASE[m.group(0)], lowered)


def words(text: str) -> list[str]:
    """Return the folded words of `text` (letters and digits; every other sign separates).

    Soft hyphens and other format characters inside a word are dropped (`fold`), not
    separators.
    """
    return _WORD.findall(fold(text))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Return the Snowball stem of one folded word."""
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=256)
def terms(text: str) -> str:
    """Return the stems of `text`, space-separated: what the SQLite index holds.

    Cached: a benchmark or a migration indexes many articles that share their texts.
    """
    return " ".join(stem(word) for word in words(text))


def parts(title: str, summary: str, body: str) -> list[str]:
    """Return the texts of an article that search looks in (Markdown signs removed)."""
    return [strip_markdown(part or "") for part in (title, summary, body)]


@dataclass(frozen=True)
class Query:
    """A cleaned search request: what was asked, its stems, and whether it was cut."""

    text: str
    stems: tuple[str, ...]
    cut: bool = False

    @property
    def empty(self) -> bool:
        return not self.stems

    def fts5(self) -> str:
        """Return an FTS5 MATCH expression: every stem, each as a quoted string (AND)."""
        return " ".join('"' + s.replace('"', '""') + '"' for s in self.stems)

    def folded(self) -> str:
        """Return the folded query words for PostgreSQL's `plainto_tsquery('german', …)`."""
        return " ".join(words(self.text))


def parse(raw: str | None) -> Query:
    """Return the query of a search box's text: cut to size, control characters dropped."""
    # Format characters (soft hyphens, zero-width joiners) join; other controls separate.
    text = "".join(
        ch if ch.isprintable() else "" if unicodedata.category(ch) == "Cf" else " "
        for ch in (raw or "")
    )
    cut = len(text) > MAX_QUERY_CHARS
    text = " ".join(text[:MAX_QUERY_CHARS].split())
    found = words(text)
    cut = cut or len(found) > MAX_QUERY_WORDS
    stems = tuple(dict.fromkeys(stem(word) for word in found[:MAX_QUERY_WORDS]))
    return Query(text, stems, cut)


def _sentences(title: str, summary: str, body: str) -> list[str]:
    found = [strip_markdown(title)]
    for part in (summary, body):
        found.extend(split_sentences(strip_markdown(part or "")))
    return [sentence for sentence in found if sentence.strip()]


def matched_sentence(query: Query, title: str, summary: str, body: str) -> Markup:
    """Return the sentence of the article with the most query words, the words marked.

    The title counts as a sentence. Without any sentence that has a query word (PostgreSQL's
    stemmer disagreed with ours on a word), the first sentence of the summary stands.
    """
    wanted = set(query.stems)
    best, best_hits = "", 0
    sentences = _sentences(title, summary, body)
    for sentence in sentences:
        hits = len(wanted & {stem(word) for word in words(sentence)})
        if hits > best_hits:
            best, best_hits = sentence, hits
            if hits == len(wanted):
                break
    if not best_hits:
        return Markup(escape(sentences[1] if len(sentences) > 1 else title))
    return _mark(best, wanted)


def _mark(sentence: str, wanted: set[str]) -> Markup:
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(sentence):
        word = match.group(0)
        if stem(fold(word)) in wanted:
            parts.append(str(escape(sentence[last : match.start()])))
            parts.append(f"<mark>{escape(word)}</mark>")
            last = match.end()
    parts.append(str(escape(sentence[last:])))
    return Markup("".join(parts))

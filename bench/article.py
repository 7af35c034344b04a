"""Benchmark inputs: the seed article and a long article built from the three samples."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources

from audionews.articles import parse_text
from audionews.render.renderer import RenderInput
from audionews.speech import build_script, split_sentences, spoken_text

SEED = "bahnstreik.txt"
SAMPLES = ("bahnstreik.txt", "energiepreise.txt", "000_a20df5a97d7413b8.txt")
DATE = dt.date(2026, 11, 25)
# Copies of the three sample bodies in the long article: 6 give about 33 minutes of espeak.
LONG_COPIES = 6
# The sentence that the incremental benchmark edits, and how.
EDIT_FROM = "Die Deutsche Bahn kritisierte den Schritt scharf."
EDIT_TO = "Die Deutsche Bahn kritisierte den Schritt überaus scharf."
EDIT_COPY = 5

_ORDINALS = (
    "ersten",
    "zweiten",
    "dritten",
    "vierten",
    "fünften",
    "sechsten",
    "siebten",
    "achten",
    "neunten",
    "zehnten",
    "elften",
    "zwölften",
)


@dataclass(frozen=True)
class Article:
    title: str
    summary: str
    body: str

    def render_input(self, slug: str) -> RenderInput:
        return RenderInput(
            slug=slug, title=self.title, summary=self.summary, body=self.body, date=DATE
        )

    def spoken(self) -> str:
        """Return the whole spoken text, as the renderer's script has it."""
        return spoken_text(build_script(self.title, self.summary, self.body))


def sample(name: str = SEED) -> Article:
    """Return a bundled sample article."""
    raw = (resources.files("audionews") / "samples" / name).read_bytes()
    parsed = parse_text(raw)
    return Article(parsed.title, parsed.summary, parsed.body)


# Two hours of espeak at its default rate: the memory benchmark's article.
TWO_HOUR_COPIES = 18


def _marker(copy: int) -> str:
    """Return the words that make a copy's sentences its own ("zweiten Durchgang", ...)."""
    ordinal = _ORDINALS[copy % len(_ORDINALS)]
    rounds = copy // len(_ORDINALS)
    # Past the twelfth copy the ordinals repeat: name the round too, so no sentence recurs.
    phrase = f"{ordinal} Durchgang"
    return phrase if rounds == 0 else f"{phrase} der {_ORDINALS[rounds]} Runde"


def _vary(sentence: str, copy: int) -> str:
    """Make `sentence` unique to `copy`, at its start and, for long ones, at every comma."""
    phrase = _marker(copy)
    # Every packed piece of a long sentence must differ too, or the segment cache would
    # serve the repeats: mark each clause, which is where the packer prefers to cut.
    marked = re.sub(r"([,;:])\s", rf"\1 im {phrase} ", sentence)
    stem, end = (marked[:-1], marked[-1]) if marked[-1:] in ".!?" else (marked, ".")
    return f"Im {phrase} {stem} im {phrase}{end}"


def long_article(copies: int = LONG_COPIES, *, edited: bool = False) -> Article:
    """Build an article of over 30 minutes of speech from the three samples.

    Each copy repeats every body paragraph of the samples with every sentence varied by the
    copy's number, so no two sentences are alike. With `edited`, one sentence of copy
    EDIT_COPY reads differently: the incremental benchmark's change.
    """
    samples = [sample(name) for name in SAMPLES]
    paragraphs: list[str] = []
    for copy in range(copies):
        for art in samples:
            for paragraph in art.body.split("\n"):
                if not paragraph.strip():
                    continue
                sentences = split_sentences(paragraph)
                if edited and copy == EDIT_COPY:
                    sentences = [EDIT_TO if s == EDIT_FROM else s for s in sentences]
                paragraphs.append(" ".join(_vary(s, copy) for s in sentences))
    summary = " ".join(art.summary.replace("\n", " ") for art in samples)
    return Article(
        title="Langer Artikel: Bahnstreik, Energiepreise und die Ukraine-Krise",
        summary=summary,
        body="\n\n".join(paragraphs),
    )

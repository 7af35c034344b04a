"""Build the speech script of an article: the ordered segments the renderer synthesizes.

Each sentence is cleaned and packed on its own, so the script is a pure function of the text and
editing one sentence changes only that sentence's segments (the audio cache is keyed by the
spoken text of each segment).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from audionews.speech.lexicon import Lexicon
from audionews.speech.markdown import strip_markdown
from audionews.speech.pack import pack
from audionews.speech.sentences import split_sentences
from audionews.speech.spoken import speak

SECTIONS = ("title", "summary", "body")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Pauses:
    """Silence after a segment, by the kind of boundary that follows it."""

    piece_ms: int = 150  # between pieces of one sentence
    sentence_ms: int = 450
    paragraph_ms: int = 800
    section_ms: int = 1200  # after the title and after the last segment of summary/body


DEFAULT_PAUSES = Pauses()


@dataclass(frozen=True)
class Segment:
    """One unit of synthesis: a sentence, or a piece of one."""

    index: int  # 0..n-1 in order
    section: str  # "title" | "summary" | "body"
    paragraph: int  # paragraph number within its section (title: 0)
    sentence: int  # number within the whole script, shared by all pieces of one sentence
    display: str  # the whole sentence as shown (Markdown stripped), same for all its pieces
    spoken: str  # this piece's text for the engine, <= max_chars
    pause_ms: int  # silence after this segment
    flags: tuple[str, ...] = ()  # tokens the normalizer was unsure of, in the whole sentence

    def to_dict(self) -> dict[str, Any]:
        """Return the segment as a JSON-ready dict."""
        data = asdict(self)
        data["flags"] = list(self.flags)
        return data


@dataclass(frozen=True)
class _Piece:
    section: str
    paragraph: int
    sentence: int
    display: str
    spoken: str
    flags: tuple[str, ...]


def build_script(
    title: str,
    summary: str,
    body: str,
    *,
    max_chars: int = 100,
    pauses: Pauses = DEFAULT_PAUSES,
    lexicon: Lexicon | None = None,
) -> list[Segment]:
    """Return the segments for an article, title first, then summary and body.

    The title is one sentence as it stands. Summary and body paragraphs are separated by blank
    lines. Sentences with nothing speakable are left out, and paragraph and sentence numbers
    count only what is kept, so they stay contiguous. Each sentence is said as the editors'
    `lexicon` says first, then by the German normalization; the display text stays as written.
    """
    pieces: list[_Piece] = []
    sentence = 0
    for section, paragraphs in (
        ("title", [[" ".join(strip_markdown(title).split())]]),
        ("summary", _sentences_by_paragraph(summary)),
        ("body", _sentences_by_paragraph(body)),
    ):
        paragraph = 0
        for sentences in paragraphs:
            kept = False
            for display in sentences:
                said = speak(display, lexicon)
                spoken = pack(said.text, max_chars)
                if not spoken:
                    continue  # only an emoji or an e-mail address: nothing to say
                pieces.extend(
                    _Piece(section, paragraph, sentence, display, s, said.flags) for s in spoken
                )
                sentence += 1
                kept = True
            paragraph += kept
    return _with_pauses(pieces, pauses)


def spoken_text(segments: list[Segment]) -> str:
    """Return all spoken pieces joined with spaces."""
    return " ".join(segment.spoken for segment in segments)


def _sentences_by_paragraph(text: str) -> list[list[str]]:
    """Split section text into paragraphs of display sentences."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [split_sentences(strip_markdown(p)) for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def _with_pauses(pieces: list[_Piece], pauses: Pauses) -> list[Segment]:
    """Number the pieces and give each the pause for the boundary that follows it."""
    segments: list[Segment] = []
    for index, piece in enumerate(pieces):
        following = pieces[index + 1] if index + 1 < len(pieces) else None
        if following is None:
            pause = 0
        elif following.section != piece.section:
            pause = pauses.section_ms
        elif following.paragraph != piece.paragraph:
            pause = pauses.paragraph_ms
        elif following.sentence != piece.sentence:
            pause = pauses.sentence_ms
        else:
            pause = pauses.piece_ms
        segments.append(
            Segment(
                index=index,
                section=piece.section,
                paragraph=piece.paragraph,
                sentence=piece.sentence,
                display=piece.display,
                spoken=piece.spoken,
                pause_ms=pause,
                flags=piece.flags,
            )
        )
    return segments

"""The speech script: article text in, ordered segments (display and spoken text, pauses) out.

Pure functions only: no Flask, database or audio here.
"""

from audionews.speech.lexicon import Lexicon, LexiconEntry
from audionews.speech.markdown import strip_markdown
from audionews.speech.pack import pack
from audionews.speech.script import (
    DEFAULT_PAUSES,
    SECTIONS,
    Pauses,
    Segment,
    build_script,
    spoken_text,
)
from audionews.speech.sentences import split_sentences
from audionews.speech.spoken import (
    NORMALIZERS,
    Normalized,
    normalize,
    normalize_with_flags,
    speak,
    to_spoken,
)

__all__ = [
    "DEFAULT_PAUSES",
    "NORMALIZERS",
    "SECTIONS",
    "Lexicon",
    "LexiconEntry",
    "Normalized",
    "Pauses",
    "Segment",
    "build_script",
    "normalize",
    "normalize_with_flags",
    "pack",
    "speak",
    "split_sentences",
    "spoken_text",
    "strip_markdown",
    "to_spoken",
]

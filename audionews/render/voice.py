"""Voice settings shared by the renderer and the spoken-version preview."""

from __future__ import annotations

from typing import Any

from ..speech import Lexicon, Pauses, Segment, build_script


def pauses_from(settings: dict[str, Any]) -> Pauses:
    return Pauses(
        piece_ms=settings["PAUSE_PIECE_MS"],
        sentence_ms=settings["PAUSE_SENTENCE_MS"],
        paragraph_ms=settings["PAUSE_PARAGRAPH_MS"],
        section_ms=settings["PAUSE_SECTION_MS"],
    )


def script_for(
    title: str,
    summary: str,
    body: str,
    settings: dict[str, Any],
    lexicon: Lexicon | None = None,
) -> list[Segment]:
    """Return the speech script exactly as a render with these settings and lexicon speaks it."""
    return build_script(title, summary, body, pauses=pauses_from(settings), lexicon=lexicon)

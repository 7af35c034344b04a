"""The spoken title of a day's edition: the first navigation point of its book.

DAISY 2.02 wants the book's title as the first heading of the NCC, with its audio; an
edition's title („Die Nachrichten vom Dienstag, 1. Dezember 2026“) is nobody's article, so it
is spoken like the briefing's opening: through the segment cache and the encoder's cached
chunks (`render.assemble`), so building the day again speaks and encodes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from ..audio.tags import mp3_duration, write_tags
from ..render.assemble import Assembler, MissingSegment
from ..render.leveling import level
from ..render.renderer import Renderer, RenderError
from ..speech import build_script
from .model import Part, sentences_from_cues

STEM = "titel"


class OpeningError(RuntimeError):
    """The title could not be spoken; the message is a German sentence for editors."""


def speak_title(
    renderer: Renderer,
    title: str,
    target: Path,
    *,
    bitrate_kbps: int,
    publisher: str,
    date: dt.date,
) -> tuple[Part, str, int]:
    """Speak `title` into the MP3 `target`; return its part, the engine and what was new."""
    script = [
        replace(segment, section="title")
        for segment in build_script("", title, "", pauses=renderer.pauses)
    ]
    if not script:
        raise OpeningError("Der Titel der DAISY-Ausgabe ist leer.")
    for attempt in (1, 2):
        # A segment found damaged as its PCM is read is synthesized again, once.
        try:
            engine, keys, synthesized = renderer.speak(
                script, "hat den Titel der DAISY-Ausgabe gesprochen", verify=attempt == 2
            )
        except RenderError as exc:
            raise OpeningError(str(exc)) from None
        rate = engine.sample_rate
        assembler = Assembler(renderer.storage, rate, bitrate_kbps, lead_in_ms=renderer.lead_in_ms)
        try:
            plans = assembler.plan(script, keys)
            plans = level(assembler, {"title": plans}, renderer.target_lufs)["title"]
            assembler.encode_missing(plans)
            break
        except MissingSegment:
            if attempt == 2:
                raise OpeningError(
                    "Ein Audio-Baustein des Titels fehlt im Zwischenspeicher."
                ) from None
    layout = assembler.place(plans)
    assembler.write(layout, target)
    write_tags(
        target,
        title=title,
        artist=publisher,
        album=publisher,
        date=date,
        language="deu",
        publisher=publisher,
    )
    cues = [
        {
            "section": "title",
            "sentence": segment.sentence,
            "display": segment.display,
            "start": start / rate,
            "end": end / rate,
        }
        for segment, start, end in zip(script, layout.starts, layout.ends, strict=True)
    ]
    part = Part(
        stem=STEM,
        heading=title,
        audio=target,
        duration=mp3_duration(target),
        sentences=sentences_from_cues(cues),
    )
    return part, engine.name, synthesized

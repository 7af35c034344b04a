"""ID3v2.4 tags and durations of MP3 files, via mutagen."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TPUB,
    CTOCFlags,
    Encoding,
    ID3NoHeaderError,
    PictureType,
)
from mutagen.mp3 import MP3

from .mp3frames import read_info

_UTF8 = Encoding.UTF8
# The longest layer III frame (MPEG-1 at 320 kbit/s and 32 kHz, padded).
_MAX_FRAME = 1441


def write_tags(
    path: Path,
    *,
    title: str,
    artist: str,
    album: str,
    date: datetime.date,
    language: str = "deu",
    publisher: str | None = None,
    comment: str | None = None,
    cover: bytes | None = None,
    cover_mime: str = "image/png",
) -> None:
    """Set title, artist, album, date, language, publisher and comment on an MP3 file.

    `cover` (image bytes) becomes the front cover (APIC) that podcast apps and players show;
    without it, cover art already in the file stays, as do the other frames (chapters).
    `language` is an ISO 639-2 code. Tag files before `Storage.publish`: published files are
    immutable.
    """
    if len(language) != 3:
        raise ValueError(f"language must be an ISO 639-2 code like 'deu': {language!r}")
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        tags = ID3()
    tags.setall("TIT2", [TIT2(encoding=_UTF8, text=title)])
    tags.setall("TPE1", [TPE1(encoding=_UTF8, text=artist)])
    tags.setall("TALB", [TALB(encoding=_UTF8, text=album)])
    tags.setall("TDRC", [TDRC(encoding=_UTF8, text=date.isoformat())])
    tags.setall("TLAN", [TLAN(encoding=_UTF8, text=language)])
    tags.delall("TPUB")
    if publisher:
        tags.add(TPUB(encoding=_UTF8, text=publisher))
    tags.delall("COMM")
    if comment:
        tags.add(COMM(encoding=_UTF8, lang=language, desc="", text=comment))
    if cover:
        tags.delall("APIC")
        tags.add(
            APIC(
                encoding=_UTF8,
                mime=cover_mime,
                type=PictureType.COVER_FRONT,
                desc="Cover",
                data=cover,
            )
        )
    # v1=0: ID3v1 is Latin-1 only and would mangle German text; v2.4 stores UTF-8.
    tags.save(path, v2_version=4, v1=0)


@dataclass(frozen=True)
class Chapter:
    """One chapter of an MP3 file: a title and its span in seconds."""

    title: str
    start: float
    end: float


# "No byte offset" in CHAP frames: players seek by time.
_NO_OFFSET = 0xFFFFFFFF


def write_chapters(path: Path, chapters: Sequence[Chapter], toc_title: str = "Kapitel") -> None:
    """Replace the ID3 chapters (CHAP frames and one top-level, ordered CTOC) of an MP3 file.

    Other frames are kept. Times are stored in whole milliseconds, as ID3v2 Chapters 1.0 says.
    Call before `Storage.publish`: published files are immutable.
    """
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        tags = ID3()
    tags.delall("CHAP")
    tags.delall("CTOC")
    ids = []
    for number, chapter in enumerate(chapters):
        element_id = f"chp{number}"
        ids.append(element_id)
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=round(chapter.start * 1000),
                end_time=round(chapter.end * 1000),
                start_offset=_NO_OFFSET,
                end_offset=_NO_OFFSET,
                sub_frames=[TIT2(encoding=_UTF8, text=chapter.title)],
            )
        )
    if ids:
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=_UTF8, text=toc_title)],
            )
        )
    tags.save(path, v2_version=4, v1=0)


def read_chapters(path: Path) -> list[Chapter]:
    """Return the chapters of an MP3 file in the order of its top-level CTOC (or by time)."""
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        return []
    frames = {frame.element_id: frame for frame in tags.getall("CHAP")}
    tocs = [toc for toc in tags.getall("CTOC") if toc.flags & CTOCFlags.TOP_LEVEL]
    if tocs:
        order = [frames[i] for i in tocs[0].child_element_ids if i in frames]
    else:
        order = sorted(frames.values(), key=lambda frame: frame.start_time)
    chapters = []
    for frame in order:
        titles = [sub for sub in frame.sub_frames.values() if sub.FrameID == "TIT2"]
        title = str(titles[0].text[0]) if titles else ""
        chapters.append(Chapter(title, frame.start_time / 1000, frame.end_time / 1000))
    return chapters


def mp3_duration(path: Path) -> float:
    """Return the playing time of an MP3 file in seconds, without encoder delay and padding."""
    try:
        mp3 = MP3(path)
    except MutagenError as exc:
        raise ValueError(f"not a readable MP3 file: {path}: {exc}") from None
    # mutagen declares `info` as None and sets MPEGInfo's fields dynamically: untyped for mypy.
    info: Any = mp3.info
    if info.encoder_info.startswith("LAME"):
        return float(info.length)  # mutagen already subtracted delay and padding
    # ffmpeg fills the LAME tag's gapless fields but signs it with its own name, which mutagen
    # does not trust, so mutagen's length is 48-72 ms too long for our files without this.
    offset = mp3.tags.size if mp3.tags is not None else 0
    with open(path, "rb") as handle:
        handle.seek(offset)
        tag = read_info(handle.read(_MAX_FRAME))
    if tag is None:
        return float(info.length)
    return tag.samples / info.sample_rate

"""Zip a DAISY book and publish it content-named, like the audio.

The NCC comes first, then each part's SMIL file, text document and MP3. The MP3s are stored
as they are (compressing MP3 saves nothing and costs time; a player can read them straight
from the archive), the XML is deflated. Every entry carries the book's date as its time, so
the same book gives the same bytes, and so the same file name: an unchanged book is not
stored twice. The archive is written to a temporary file and renamed into place: nobody ever
downloads half of it.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass

from ..render.storage import Storage
from . import documents
from .model import Book

SUFFIX = "daisy.zip"
_COPY_BLOCK = 1 << 20
_MODE = 0o644 << 16  # rw-r--r-- for whoever unpacks it


@dataclass(frozen=True)
class Published:
    """A book as stored: its media file name and what the NCC says of it."""

    name: str
    size: int
    files: int
    toc_items: int
    depth: int
    duration: float  # seconds of audio


def _entry(book: Book, name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(
        name, date_time=(book.date.year, book.date.month, book.date.day, 0, 0, 0)
    )
    info.compress_type = compress
    info.external_attr = _MODE
    return info


def write_zip(book: Book, handle: zipfile.ZipFile) -> None:
    """Write every file of `book` into the open archive `handle`."""
    elapsed = 0
    texts = {documents.NCC: documents.ncc(book)}
    for part in book.all_parts:
        texts[documents.smil_name(part)] = documents.smil(book, part, elapsed)
        texts[documents.text_name(part)] = documents.content(book, part)
        elapsed += part.duration_ms
    audio = {documents.audio_name(part): part.audio for part in book.all_parts}
    for name in documents.file_names(book):
        if name in texts:
            handle.writestr(_entry(book, name, zipfile.ZIP_DEFLATED), texts[name])
            continue
        entry = _entry(book, name, zipfile.ZIP_STORED)
        entry.file_size = os.path.getsize(audio[name])  # ZIP64 fields only where needed
        # Streamed: a day's MP3s may be large, memory stays flat.
        with open(audio[name], "rb") as source, handle.open(entry, "w") as target:
            shutil.copyfileobj(source, target, _COPY_BLOCK)


def publish(book: Book, storage: Storage, stem: str) -> Published:
    """Zip `book` and store it as <stem>-<hash>-daisy.zip; return what was stored."""
    temp = storage.temp_path(".zip")
    try:
        with zipfile.ZipFile(temp, "w") as handle:
            write_zip(book, handle)
        size = temp.stat().st_size
        name = storage.publish(temp, stem, SUFFIX)
    finally:
        temp.unlink(missing_ok=True)
    # A name that existed already keeps its old time: renew it, so that a sweep which keeps
    # recent files (jobs.daisy_retention.prune) never takes it while a new row comes to name it.
    os.utime(storage.path(name))
    points = documents.headings(book)
    return Published(
        name=name,
        size=size,
        files=len(documents.file_names(book)),
        toc_items=len(points),
        depth=max(point.level for point in points),
        duration=book.duration_ms / 1000,
    )

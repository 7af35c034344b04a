"""How big the media folder is: cached segments, cached MP3 chunks, published files.

Walking a large cache costs a directory listing per fan-out folder, so a measurement is reused
for a minute (the dashboard and /metrics ask often; the size changes slowly).
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..render.storage import TEMP_PREFIX, Storage

MAX_AGE = 60.0
# A cache entry is "<key>.<kind>": kind "pcm" a segment, "mp3" an MP3 chunk. Other files of a key
# are records kept beside an entry (its loudness ".lvl", a checksum "<key>.pcm.…"): their bytes
# count with the entry of that kind, or with the chunks when the suffix names none.
KINDS = {"pcm": "segments", "mp3": "chunks"}
KEY = re.compile(r"[0-9a-f]{8,128}")


@dataclass(frozen=True)
class Usage:
    files: dict[str, int] = field(default_factory=dict)  # kind -> entries
    bytes: dict[str, int] = field(default_factory=dict)  # kind -> bytes (records included)
    measured_at: float = 0.0

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """Return kind -> (files, bytes) for segments, chunks and published files."""
        kinds = ("segments", "chunks", "published")
        return {k: (self.files.get(k, 0), self.bytes.get(k, 0)) for k in kinds}


def entry_kind(name: str) -> tuple[str, str, bool] | None:
    """Return (key, kind, is the entry itself) of a file in the cache; None for other files."""
    key, dot, rest = name.partition(".")
    if not dot or not KEY.fullmatch(key):
        return None  # temporary files start with a dot
    parts = rest.split(".")
    if parts[0] in KINDS:
        return key, KINDS[parts[0]], len(parts) == 1
    return key, "chunks", False


def measure(storage: Storage) -> Usage:
    """Walk the media folder once and return its usage."""
    files = {"segments": 0, "chunks": 0, "published": 0}
    sizes = dict.fromkeys(files, 0)
    for folder in _fan_out(storage.segments_dir):
        for entry in _scan(folder):
            found = entry_kind(entry.name)
            if found is None:
                continue
            _key, kind, main = found
            size = _size(entry)
            sizes[kind] += size
            files[kind] += 1 if main else 0
    for entry in _scan(storage.root):
        if entry.name.startswith((TEMP_PREFIX, ".")):
            continue
        if entry.is_file(follow_symlinks=False):
            sizes["published"] += _size(entry)
            files["published"] += 1
    return Usage(files, sizes, time.time())


def _fan_out(segments: Path) -> list[Path]:
    return [Path(e.path) for e in _scan(segments) if e.is_dir(follow_symlinks=False)]


def _scan(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _size(entry: os.DirEntry[str]) -> int:
    try:
        return entry.stat(follow_symlinks=False).st_size
    except FileNotFoundError:  # removed meanwhile (a prune, a replaced entry)
        return 0


_measured: dict[str, Usage] = {}
_lock = threading.Lock()


def usage(storage: Storage, max_age: float = MAX_AGE) -> Usage:
    """Return the media folder's usage, measured at most `max_age` seconds ago."""
    key = str(storage.root.resolve())
    with _lock:
        found = _measured.get(key)
    if found is not None and time.time() - found.measured_at < max_age:
        return found
    fresh = measure(storage)
    with _lock:
        _measured[key] = fresh
    return fresh


def forget(storage: Storage) -> None:
    """Drop the remembered measurement (after a prune), so the next one is fresh."""
    with _lock:
        _measured.pop(str(storage.root.resolve()), None)

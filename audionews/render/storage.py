"""Media files on disk: a content-addressed segment cache and immutable, content-named outputs.

Every write goes to a ".tmp-" file in the target directory and is renamed into place,
so readers (the web server, other workers) never see half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

from ..audio import SAMPLE_WIDTH

TEMP_PREFIX = ".tmp-"
SEGMENTS = "segments"
# Published files are served by the web app or a static server running as another user.
FILE_MODE = 0o644
# 12 hex digits (48 bits) keep URLs short; a collision needs ~16 million files of one stem.
HASH_CHARS = 12

_KEY = re.compile(r"[0-9a-f]{8,128}")
_HASH_BLOCK = 1 << 20


def _fsync_dir(directory: Path) -> None:
    """Persist a rename: the directory entry lives in the directory, not the file."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the rename is still atomic
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, durable: bool = True, replace: bool = True) -> bool:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix.

    `durable` also makes the rename itself survive a crash; a cache entry can do without.
    With `replace=False` an existing file wins and is kept. Return whether `data` was written.
    """
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, FILE_MODE)
        if replace:
            os.replace(temp, path)
        elif not _link_new(temp, path):
            return False
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if durable:
        _fsync_dir(path.parent)
    return True


def _link_new(temp: str, path: Path) -> bool:
    """Give `temp` the name `path` unless that exists; return whether it did. `temp` goes."""
    try:
        os.link(temp, path)  # atomic, and fails when the name exists
    except FileExistsError:
        return False
    except OSError:
        # A filesystem without hard links: check, then rename (a race leaves a whole file).
        if path.exists():
            return False
        os.replace(temp, path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return True


def _check_name(name: str) -> None:
    """Raise ValueError unless `name` is a plain, visible file name."""
    if not isinstance(name, str) or not name:
        raise ValueError("empty file name")
    if "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    if name.startswith("."):
        # Covers ".", "..", temporary files and other hidden names.
        raise ValueError(f"hidden file name: {name!r}")
    if name == SEGMENTS:
        raise ValueError(f"reserved name: {name!r}")
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise ValueError(f"control character in file name: {name!r}")
    if len(name.encode("utf-8", "surrogatepass")) > 255:
        raise ValueError("file name too long")


def _suffix(suffix: str) -> str:
    """Return `suffix` without its leading dot, checked to be a plain name part."""
    bare = suffix.removeprefix(".")
    if not bare:
        raise ValueError("empty suffix")
    _check_name(bare)
    return bare


class Storage:
    """Media directory: root/ holds published files, root/segments/ the PCM cache."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def segments_dir(self) -> Path:
        """Return the segment cache directory."""
        return self.root / SEGMENTS

    def _ensure_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    # Segment cache ----------------------------------------------------------------------

    def segment_path(self, key: str, suffix: str = ".pcm") -> Path:
        """Return where the PCM of segment `key` (a lowercase hex hash) lives.

        Other cache entries (`suffix` ".mp3": encoded chunks) share the directories.
        """
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError(f"segment key must be a lowercase hex hash: {key!r}")
        # Fan out by the first two digits so no directory grows past a few thousand entries.
        return self.segments_dir / key[:2] / f"{key}{suffix}"

    def read_segment(self, key: str) -> bytes | None:
        """Return the cached PCM of `key`, or None when it is not cached."""
        try:
            return self.segment_path(key).read_bytes()
        except FileNotFoundError:
            return None

    def write_segment(self, key: str, pcm: bytes) -> bool:
        """Store the PCM of `key` atomically, unless it is stored already; return whether it was.

        A segment never changes once stored: two renders that synthesize the same text at once
        may get audio a few samples apart, and the MP3 chunks made from the first must keep
        matching it. So the first one written stays.
        """
        return self._write_cached(self.segment_path(key), pcm, replace=False)

    def has_segment(self, key: str) -> bool:
        """Return whether `key` is cached."""
        return self.segment_path(key).is_file()

    def segment_samples(self, key: str) -> int:
        """Return the length of cached segment `key` in samples (FileNotFoundError: missing)."""
        return self.segment_path(key).stat().st_size // SAMPLE_WIDTH

    def chunk_path(self, key: str) -> Path:
        """Return where the encoded MP3 chunk `key` lives (see `audio.join`)."""
        return self.segment_path(key, ".mp3")

    def write_chunk(self, key: str, chunk: bytes) -> None:
        """Store MP3 chunk `key` atomically."""
        self._write_cached(self.chunk_path(key), chunk)

    def _write_cached(self, path: Path, data: bytes, *, replace: bool = True) -> bool:
        path.parent.mkdir(parents=True, exist_ok=True)
        # An entry whose rename a crash undoes is merely missing and gets made again.
        return atomic_write(path, data, durable=False, replace=replace)

    # Published files --------------------------------------------------------------------

    def temp_path(self, suffix: str) -> Path:
        """Create an empty, uniquely named temporary file in root/ and return its path."""
        self._ensure_root()
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=f".{_suffix(suffix)}", dir=self.root)
        os.close(fd)
        os.chmod(name, FILE_MODE)
        return Path(name)

    def publish(self, temp: Path, stem: str, suffix: str) -> str:
        """Move `temp` to root/<stem>-<hash>.<suffix> and return that file name.

        A suffix with a kind, such as "summary.mp3", gives root/<stem>-<hash>-summary.mp3.

        The hash is the first 12 hex digits of the content's sha256. When a file of that
        name exists already it has the same content, so `temp` is simply removed.
        """
        temp = Path(temp)
        if temp.resolve().parent != self.root.resolve():
            # os.replace is only atomic within one filesystem; root/ is the safe bet.
            raise ValueError(f"temporary file must be in {self.root}: {temp}")
        digest = hashlib.sha256()
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
            while block := handle.read(_HASH_BLOCK):
                digest.update(block)
        name = self._content_name(stem, suffix, digest.hexdigest())
        target = self.root / name
        if target.exists():
            temp.unlink(missing_ok=True)
            return name
        os.chmod(temp, FILE_MODE)
        os.replace(temp, target)
        _fsync_dir(self.root)
        return name

    def write_bytes(self, data: bytes, stem: str, suffix: str) -> str:
        """Store small `data` (transcripts, chapters) under a content name and return it."""
        name = self._content_name(stem, suffix, hashlib.sha256(data).hexdigest())
        target = self.root / name
        if not target.exists():
            self._ensure_root()
            atomic_write(target, data)
        return name

    def _content_name(self, stem: str, suffix: str, hexdigest: str) -> str:
        # "summary.mp3" names the kind of file: <stem>-<hash>-summary.mp3
        kind, dot, ext = _suffix(suffix).rpartition(".")
        tail = f"-{kind}.{ext}" if dot else f".{ext}"
        name = f"{stem}-{hexdigest[:HASH_CHARS]}{tail}"
        _check_name(name)
        return name

    def path(self, name: str) -> Path:
        """Return the path of published file `name`; raise ValueError for unsafe names."""
        _check_name(name)
        return self.root / name

    def delete(self, name: str) -> None:
        """Remove published file `name`; a missing file is fine."""
        self.path(name).unlink(missing_ok=True)

    def cleanup_temp(self, older_than_seconds: float = 3600) -> int:
        """Remove temporary files older than `older_than_seconds`; return how many."""
        cutoff = time.time() - older_than_seconds
        directories = [self.root]
        if self.segments_dir.is_dir():
            directories += [p for p in self.segments_dir.iterdir() if p.is_dir()]
        removed = 0
        for directory in directories:
            try:
                entries = list(os.scandir(directory))
            except FileNotFoundError:
                continue
            for entry in entries:
                if not entry.name.startswith(TEMP_PREFIX) or not entry.is_file(
                    follow_symlinks=False
                ):
                    continue
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed += 1
                except FileNotFoundError:
                    continue  # another process cleaned or renamed it meanwhile
        return removed

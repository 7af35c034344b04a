"""Media files on disk: a content-addressed segment cache and immutable, content-named outputs.

Every write goes to a ".tmp-" file in the target directory and is renamed into place,
so readers (the web server, other workers) never see half a file.

Every cache entry carries what it was when written: a segment file is a small header (its
PCM's length and BLAKE2b digest) and the PCM, an MP3 chunk has its own (`audio.join`). A read
checks them, so a damaged entry (random bytes, cut short, emptied, odd-length) is logged and
counts as missing: it is made again and never published. An entry of an older version has no
header: it is treated the same way (made again, in place), since nothing can vouch for it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import struct
import tempfile
import time
from pathlib import Path

from ..audio import SAMPLE_WIDTH
from ..audio.join import chunk_problem

log = logging.getLogger(__name__)

TEMP_PREFIX = ".tmp-"
SEGMENTS = "segments"
# Published files are served by the web app or a static server running as another user.
FILE_MODE = 0o644
# 12 hex digits (48 bits) keep URLs short; a collision needs ~16 million files of one stem.
HASH_CHARS = 12

_KEY = re.compile(r"[0-9a-f]{8,128}")
_HASH_BLOCK = 1 << 20

# A segment file: magic, bytes of PCM, BLAKE2b-128 of the PCM; then the PCM (s16le mono).
_SEGMENT_MAGIC = b"ANS1"
_SEGMENT_HEAD = struct.Struct("<4sQ16s")
SEGMENT_HEAD_SIZE = _SEGMENT_HEAD.size


def _pcm_digest(pcm: bytes | memoryview) -> bytes:
    return hashlib.blake2b(pcm, digest_size=16).digest()


def segment_record(pcm: bytes) -> bytes:
    """Return the header a segment file starts with: what a read of `pcm` checks against."""
    return _SEGMENT_HEAD.pack(_SEGMENT_MAGIC, len(pcm), _pcm_digest(pcm))


def _head_problem(head: bytes, size: int) -> str | None:
    """Return what is wrong with a segment file of `size` bytes that starts with `head`."""
    if len(head) < SEGMENT_HEAD_SIZE:
        return f"{size} bytes, no header"
    magic, length, _digest = _SEGMENT_HEAD.unpack_from(head)
    if magic != _SEGMENT_MAGIC:
        return "no checksum record (written by an older version, or overwritten)"
    if length % SAMPLE_WIDTH:
        return f"odd length recorded ({length} bytes)"
    if size != SEGMENT_HEAD_SIZE + length:
        return f"{size - SEGMENT_HEAD_SIZE} bytes of PCM, {length} recorded"
    return None


def _read_segment_file(path: Path) -> tuple[bytes | None, str | None]:
    """Return the verified PCM of a segment file, or None and what is wrong ("missing", …)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, "missing"
    except OSError as exc:  # a bad sector is damage too: the entry is made again
        return None, f"unreadable: {exc}"
    problem = _head_problem(data[:SEGMENT_HEAD_SIZE], len(data))
    pcm = memoryview(data)[SEGMENT_HEAD_SIZE:]
    if problem is None and _pcm_digest(pcm) != _SEGMENT_HEAD.unpack_from(data)[2]:
        problem = "checksum mismatch"
    return (None, problem) if problem is not None else (bytes(pcm), None)


def _damaged(path: Path, problem: str) -> None:
    log.warning("damaged cache entry %s (%s): it is made again", path, problem)


# What a full disk (or a used-up quota) looks like: as an OSError, or in ffmpeg's stderr.
_NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_NO_SPACE_TEXTS = ("No space left on device", "Disk quota exceeded")


# What editors and the API see while the media folder is full (a render, a day's build).
NO_SPACE = (
    "Kein freier Speicherplatz für Audiodateien: Der Medienordner ist voll. Es wird "
    "automatisch erneut versucht, sobald wieder Platz ist; bis dahin bleibt der bisherige "
    "Ton online."
)


def out_of_space(exc: BaseException) -> bool:
    """Return whether `exc`, or an error that caused it, says the disk is full.

    Writes fail with OSError(ENOSPC); ffmpeg writing a file says so on its stderr (an
    EncodeError quotes it); mutagen wraps the OSError in its own error.
    """
    todo: list[BaseException] = [exc]
    seen: set[int] = set()
    while todo:
        error = todo.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in _NO_SPACE_ERRNOS:
            return True
        if any(text in str(error) for text in _NO_SPACE_TEXTS):
            return True
        todo += [e for e in (error.__cause__, error.__context__) if e is not None]
        todo += [arg for arg in error.args if isinstance(arg, BaseException)]
    return False


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
        """Return the cached PCM of `key`, or None when it is not cached or damaged.

        The PCM is checked against the length and digest recorded when it was written; a
        damaged entry is logged (and replaced by the next `write_segment`).
        """
        path = self.segment_path(key)
        pcm, problem = _read_segment_file(path)
        if problem is not None and problem != "missing":
            _damaged(path, problem)
        return pcm

    def write_segment(self, key: str, pcm: bytes) -> bool:
        """Store the PCM of `key` atomically, unless it is stored already; return whether it was.

        A segment never changes once stored: two renders that synthesize the same text at once
        may get audio a few samples apart, and the MP3 chunks made from the first must keep
        matching it. So the first one written stays, unless it is damaged: then it is replaced.
        """
        if len(pcm) % SAMPLE_WIDTH:
            raise ValueError(f"PCM of {len(pcm)} bytes is not whole samples")
        path = self.segment_path(key)
        data = segment_record(pcm) + pcm
        if self._write_cached(path, data, replace=False):
            return True
        if _read_segment_file(path)[1] is None:
            return False
        return self._write_cached(path, data)

    def _segment_head(self, key: str) -> int:
        """Return the PCM bytes of segment `key` from its header (FileNotFoundError: missing).

        A damaged header or a file of another length than it records counts as missing.
        """
        path = self.segment_path(key)
        try:
            with open(path, "rb") as handle:
                head = handle.read(SEGMENT_HEAD_SIZE)
                size = os.fstat(handle.fileno()).st_size
        except FileNotFoundError:
            raise
        except OSError as exc:
            head, size = b"", -1
            problem: str | None = f"unreadable: {exc}"
        else:
            problem = _head_problem(head, size)
        if problem is not None:
            _damaged(path, problem)
            raise FileNotFoundError(f"damaged cache entry {path}: {problem}")
        return size - SEGMENT_HEAD_SIZE

    def has_segment(self, key: str) -> bool:
        """Return whether `key` is cached, with a header that matches its length.

        The digest is checked where the PCM is read (`read_segment`), not here: a render asks
        this of every segment, and most are then taken from cached MP3 chunks, unread.
        """
        try:
            self._segment_head(key)
        except FileNotFoundError:
            return False
        return True

    def segment_samples(self, key: str) -> int:
        """Return the length of cached segment `key` in samples (FileNotFoundError: missing)."""
        return self._segment_head(key) // SAMPLE_WIDTH

    def chunk_path(self, key: str) -> Path:
        """Return where the encoded MP3 chunk `key` lives (see `audio.join`)."""
        return self.segment_path(key, ".mp3")

    def write_chunk(self, key: str, chunk: bytes) -> None:
        """Store MP3 chunk `key` atomically."""
        self._write_cached(self.chunk_path(key), chunk)

    def has_chunk(self, key: str) -> bool:
        """Return whether MP3 chunk `key` is cached and whole (length and digest check out).

        A damaged one is logged and counts as missing: it is encoded again.
        """
        path = self.chunk_path(key)
        problem = chunk_problem(path)
        if problem is not None and problem != "missing":
            _damaged(path, problem)
        return problem is None

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

    def content_name(self, data: bytes, stem: str, suffix: str) -> str:
        """Return the name `write_bytes` gives `data` (without writing it)."""
        return self._content_name(stem, suffix, hashlib.sha256(data).hexdigest())

    def write_bytes(self, data: bytes, stem: str, suffix: str) -> str:
        """Store small `data` (transcripts, chapters) under a content name and return it."""
        name = self.content_name(data, stem, suffix)
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

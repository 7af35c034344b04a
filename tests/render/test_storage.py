"""Media storage on a real temporary directory."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from audionews.audio.join import encode_chunk
from audionews.render.storage import SEGMENT_HEAD_SIZE, Storage, atomic_write

KEY = hashlib.sha256(b"segment").hexdigest()


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".tmp-")]


def test_root_is_created_lazily(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "media")
    assert storage.root == tmp_path / "media"
    assert not storage.root.exists()
    storage.write_bytes(b"{}", "x", "json")
    assert storage.root.is_dir()


def test_segment_cache_round_trip(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    assert storage.segment_path(KEY) == tmp_path / "segments" / KEY[:2] / f"{KEY}.pcm"
    assert storage.read_segment(KEY) is None
    assert not storage.has_segment(KEY)
    storage.write_segment(KEY, b"\x01\x02" * 100)
    assert storage.has_segment(KEY)
    assert storage.read_segment(KEY) == b"\x01\x02" * 100
    # A stored segment never changes (MP3 chunks were made from it): the first one stays.
    assert storage.write_segment(KEY, b"\x03\x04") is False
    assert storage.read_segment(KEY) == b"\x01\x02" * 100
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize(
    "key", ["", "../etc/passwd", "ABCDEF0123", "abc", "xyz12345", "ab/cdef012"]
)
def test_segment_keys_must_be_hex(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="hex"):
        Storage(tmp_path).segment_path(key)


def test_publish_names_files_by_content(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "media")
    temp = storage.temp_path(".mp3")
    assert temp.parent == storage.root
    assert temp.name.startswith(".tmp-") and temp.name.endswith(".mp3")
    assert temp.exists()
    temp.write_bytes(b"audio one")

    name = storage.publish(temp, "bundestag-haushalt", "summary.mp3")
    digest = hashlib.sha256(b"audio one").hexdigest()[:12]
    assert name == f"bundestag-haushalt-{digest}-summary.mp3"
    assert storage.path(name).read_bytes() == b"audio one"
    assert not temp.exists()
    assert stat.S_IMODE(storage.path(name).stat().st_mode) == 0o644

    again = storage.temp_path("mp3")
    again.write_bytes(b"audio one")
    assert storage.publish(again, "bundestag-haushalt", "summary.mp3") == name
    assert not again.exists()
    assert sorted(p.name for p in storage.root.iterdir()) == [name]

    other = storage.temp_path(".mp3")
    other.write_bytes(b"audio two")
    assert storage.publish(other, "bundestag-haushalt", "summary.mp3") != name
    assert temp_files(storage.root) == []


def test_temp_paths_are_unique(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    paths = {storage.temp_path(".mp3") for _ in range(20)}
    assert len(paths) == 20


def test_publish_refuses_files_outside_root(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "media")
    elsewhere = tmp_path / "x.mp3"
    elsewhere.write_bytes(b"x")
    with pytest.raises(ValueError, match="must be in"):
        storage.publish(elsewhere, "x", "mp3")
    assert elsewhere.exists()


def test_write_bytes_is_content_named_and_atomic(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    data = b'{"cues": []}'
    name = storage.write_bytes(data, "artikel", ".json")
    assert name == f"artikel-{hashlib.sha256(data).hexdigest()[:12]}.json"
    assert storage.write_bytes(data, "artikel", "json") == name
    assert storage.path(name).read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "a/b",
        ".tmp-x",
        "",
        "x\x00",
        ".",
        "..",
        "/etc/passwd",
        "a\\b",
        ".hidden",
        "segments",
        "x\n.mp3",
        "a" * 300,
    ],
)
def test_path_refuses_anything_but_plain_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        Storage(tmp_path).path(name)
    with pytest.raises(ValueError):
        Storage(tmp_path).delete(name)


@pytest.mark.parametrize(
    ("stem", "suffix"),
    [("../up", "mp3"), ("a/b", "mp3"), (".hidden", "mp3"), ("ok", "x/y"), ("ok", ""), ("ok", "..")],
)
def test_unsafe_stems_and_suffixes_are_refused(tmp_path: Path, stem: str, suffix: str) -> None:
    with pytest.raises(ValueError):
        Storage(tmp_path).write_bytes(b"x", stem, suffix)
    assert list(tmp_path.iterdir()) == []


def test_path_and_delete(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    name = storage.write_bytes(b"data", "file", "txt")
    assert storage.path(name) == tmp_path / name
    storage.delete(name)
    assert not (tmp_path / name).exists()
    storage.delete(name)  # missing is fine


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["feed.xml"]


def test_failed_atomic_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    atomic_write(target, b"old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["feed.xml"]


def test_cleanup_temp_removes_only_stale_temporary_files(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    storage.write_segment(KEY, b"\x00\x00")
    published = storage.write_bytes(b"keep", "keep", "txt")
    stale = storage.temp_path(".mp3")
    stale_segment = storage.segment_path(KEY).parent / ".tmp-abandoned.pcm"
    stale_segment.write_bytes(b"half")
    fresh = storage.temp_path(".mp3")
    old = time.time() - 7200
    for path in (stale, stale_segment):
        os.utime(path, (old, old))

    assert storage.cleanup_temp(older_than_seconds=3600) == 2
    assert not stale.exists() and not stale_segment.exists()
    assert fresh.exists()
    assert storage.path(published).exists()
    assert storage.has_segment(KEY)
    assert storage.cleanup_temp(older_than_seconds=0) == 1
    assert not fresh.exists()


def test_cleanup_temp_on_missing_root(tmp_path: Path) -> None:
    assert Storage(tmp_path / "nothing").cleanup_temp() == 0


def test_first_segment_wins_also_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: object) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    storage = Storage(tmp_path)
    assert storage.write_segment(KEY, b"\x01\x02") is True
    assert storage.write_segment(KEY, b"\x03\x04") is False
    assert storage.read_segment(KEY) == b"\x01\x02"
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1],
        lambda data: os.urandom(len(data)),
        lambda data: data[:SEGMENT_HEAD_SIZE] + os.urandom(len(data) - SEGMENT_HEAD_SIZE),
        lambda data: data[SEGMENT_HEAD_SIZE:],  # an older version's bare PCM
    ],
    ids=["empty", "half", "odd", "random", "random-pcm", "bare-pcm"],
)
def test_a_damaged_segment_reads_as_missing_and_is_replaced(
    tmp_path: Path, damage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    storage = Storage(tmp_path)
    pcm = bytes(range(256)) * 40
    assert storage.write_segment(KEY, pcm)
    path = storage.segment_path(KEY)
    assert path.stat().st_size == SEGMENT_HEAD_SIZE + len(pcm)
    path.write_bytes(damage(path.read_bytes()))
    assert storage.read_segment(KEY) is None
    assert "damaged cache entry" in caplog.text and str(path) in caplog.text
    if path.stat().st_size != SEGMENT_HEAD_SIZE + len(pcm):  # the cheap checks see the length
        assert not storage.has_segment(KEY)
        with pytest.raises(FileNotFoundError):
            storage.segment_samples(KEY)
    # The first segment written stays, unless it is damaged: then the next write replaces it.
    assert storage.write_segment(KEY, pcm) is True
    assert storage.read_segment(KEY) == pcm
    assert storage.segment_samples(KEY) == len(pcm) // 2
    assert temp_files(tmp_path) == []


def test_a_damaged_chunk_counts_as_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    storage = Storage(tmp_path)
    key = hashlib.sha256(b"chunk").hexdigest()
    assert not storage.has_chunk(key)
    assert caplog.text == ""  # missing is not damaged
    storage.write_chunk(key, encode_chunk(bytes(8000), rate=22050, bitrate_kbps=64))
    assert storage.has_chunk(key)
    path = storage.chunk_path(key)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    assert not storage.has_chunk(key)
    assert "damaged cache entry" in caplog.text and "checksum mismatch" in caplog.text

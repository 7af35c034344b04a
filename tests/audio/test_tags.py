"""ID3v2.4 tags and durations on real encoded MP3 files."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3, TXXX
from mutagen.mp3 import MP3

from audionews.audio import RATE, SAMPLE_WIDTH
from audionews.audio.encode import encode_mp3
from audionews.audio.tags import mp3_duration, write_tags


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    path = tmp_path / "episode.mp3"
    # 1.5 s of a quiet square-ish signal is enough for a real MP3 stream.
    pcm = (b"\x00\x08" * 40 + b"\x00\xf8" * 40) * (RATE * 3 // 2 // 80)
    assert len(pcm) == RATE * 3 // 2 * SAMPLE_WIDTH
    encode_mp3(pcm, path)
    return path


def test_tags_round_trip(mp3: Path) -> None:
    write_tags(
        mp3,
        title="Bundestag beschließt Haushalt (In Kürze)",
        artist="Öffentliche Nachrichten",
        album="audionews – Nachrichten",
        date=datetime.date(2024, 10, 3),
        publisher="Verlag Süd",
        comment="Vorgelesen von einer Computerstimme.",
    )
    tags = ID3(mp3)
    assert tags.version == (2, 4, 0)
    assert str(tags["TIT2"]) == "Bundestag beschließt Haushalt (In Kürze)"
    assert str(tags["TPE1"]) == "Öffentliche Nachrichten"
    assert str(tags["TALB"]) == "audionews – Nachrichten"
    assert str(tags["TDRC"]) == "2024-10-03"
    assert str(tags["TLAN"]) == "deu"
    assert str(tags["TPUB"]) == "Verlag Süd"
    (comment,) = tags.getall("COMM")
    assert comment.lang == "deu"
    assert comment.text == ["Vorgelesen von einer Computerstimme."]
    # The audio is untouched and still reads as the same length.
    assert mp3_duration(mp3) == pytest.approx(1.5, abs=0.002)
    info: Any = MP3(mp3).info
    assert info.channels == 1


def test_rewriting_tags_replaces_them_and_keeps_other_frames(mp3: Path) -> None:
    write_tags(
        mp3,
        title="Alt",
        artist="A",
        album="B",
        date=datetime.date(2024, 1, 1),
        publisher="P",
        comment="C",
    )
    tags = ID3(mp3)
    tags.add(TXXX(encoding=3, desc="chapters", text="kept"))
    tags.save(mp3, v2_version=4)

    write_tags(mp3, title="Neu", artist="A", album="B", date=datetime.date(2024, 2, 2))
    tags = ID3(mp3)
    assert str(tags["TIT2"]) == "Neu"
    assert str(tags["TDRC"]) == "2024-02-02"
    assert "TPUB" not in tags
    assert not tags.getall("COMM")
    assert str(tags["TXXX:chapters"]) == "kept"
    assert len(tags.getall("TIT2")) == 1


def test_write_tags_refuses_bad_language(mp3: Path) -> None:
    with pytest.raises(ValueError, match="ISO 639-2"):
        write_tags(mp3, title="t", artist="a", album="b", date=datetime.date.today(), language="de")


def test_mp3_duration_refuses_non_mp3(tmp_path: Path) -> None:
    path = tmp_path / "not.mp3"
    path.write_bytes(b"hello" * 100)
    with pytest.raises(ValueError, match="not a readable MP3"):
        mp3_duration(path)

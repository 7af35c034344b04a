"""Sentences and clips from cue times, and the zip: pure functions, edge cases."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from pathlib import Path

from audionews.daisy import documents, package
from audionews.daisy.model import Book, Part, Sentence, sentences_from_cues
from audionews.render.storage import Storage


def part(sentences: list[tuple[float, float]], duration: float, audio: Path = Path("x")) -> Part:
    return Part(
        stem="a001",
        heading="Titel",
        audio=audio,
        duration=duration,
        sentences=tuple(
            Sentence("summary", 0, f"Satz {n}.", a, b) for n, (a, b) in enumerate(sentences)
        ),
    )


def test_clips_cover_the_file_from_pause_middle_to_pause_middle() -> None:
    clips = part([(0.005, 1.0), (1.45, 2.0), (2.8, 3.5)], 3.5).clips()
    assert [(c.begin_ms, c.end_ms) for c in clips] == [(0, 1225), (1225, 2400), (2400, 3500)]


def test_one_sentence_is_the_whole_file_and_times_stay_inside_it() -> None:
    assert [(c.begin_ms, c.end_ms) for c in part([(0.0, 2.0)], 2.0).clips()] == [(0, 2000)]
    # The MP3's duration rounds down to the millisecond; a cue rounded up past it is clamped.
    clips = part([(0.0, 1.0), (1.5, 2.3457)], 2.3456).clips()
    assert clips[-1].end_ms == 2345 and clips[0].end_ms == 1250


def test_clips_never_go_backwards_when_cues_overlap() -> None:
    clips = part([(0.0, 1.2), (1.0, 2.0), (0.9, 3.0)], 3.0).clips()
    bounds = [(c.begin_ms, c.end_ms) for c in clips]
    assert bounds == [(0, 1100), (1100, 1450), (1450, 3000)]
    assert all(a.end_ms == b.begin_ms for a, b in itertools.pairwise(clips))


def test_cues_merge_into_sentences() -> None:
    cues = [
        {"section": "title", "sentence": 0, "display": "Titel", "start": 0.0, "end": 0.8},
        {
            "section": "summary",
            "sentence": 1,
            "display": "Ein langer Satz.",
            "start": 2.0,
            "end": 3.0,
        },
        {
            "section": "summary",
            "sentence": 1,
            "display": "Ein langer Satz.",
            "start": 3.15,
            "end": 4.0,
        },
        {"section": "body", "sentence": 2, "display": "\x00  ", "start": 4.5, "end": 4.6},
        {"section": "opening", "sentence": 3, "display": "Fremd", "start": 5.0, "end": 6.0},
        {"section": "body", "sentence": 4, "display": "Ende.", "start": 6.5, "end": 7.0},
    ]
    sentences = sentences_from_cues(cues, {4: 1})
    assert sentences == (
        Sentence("title", 0, "Titel", 0.0, 0.8),
        Sentence("summary", 0, "Ein langer Satz.", 2.0, 4.0),
        Sentence("body", 1, "Ende.", 6.5, 7.0),
    )


def test_the_same_book_gives_the_same_bytes_and_name(tmp_path: Path) -> None:
    audio = tmp_path / "a.mp3"
    audio.write_bytes(b"\xff\xf3" + bytes(500))  # the zip does not look inside
    book = Book(
        identifier="urn:uuid:0",
        title="Titel",
        date=dt.date(2026, 12, 1),
        publisher="audionews",
        narrator="Synthetische Stimme",
        generator="audionews",
        parts=(part([(0.0, 1.0)], 1.0, audio),),
    )

    def zipped() -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as handle:
            package.write_zip(book, handle)
        return buffer.getvalue()

    assert zipped() == zipped()
    storage = Storage(tmp_path / "media")
    first = package.publish(book, storage, "titel")
    second = package.publish(book, storage, "titel")
    assert first == second and first.name.endswith("-daisy.zip")
    assert [p.name for p in storage.root.iterdir()] == [first.name]  # no temporary file left
    assert first.files == len(documents.file_names(book)) == 4
    with zipfile.ZipFile(storage.path(first.name)) as archive:
        assert archive.read("a001.mp3") == audio.read_bytes()
        assert {info.date_time for info in archive.infolist()} == {(2026, 12, 1, 0, 0, 0)}

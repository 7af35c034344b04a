"""A damaged cache is never published (issue 10, item 4): fault injection with real espeak audio.

Each test renders an article for real (espeak, ffmpeg), damages cached entries on disk the way
a bad disk, a crash or a careless hand does, renders again and decodes what was published:
it must sound like a render from a clean cache (same length, same levels, no full-scale
noise), and the damage must be logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastcrc
import numpy as np
import pytest
from flask import Flask
from sqlalchemy import select

from audionews import config
from audionews.audio import RATE
from audionews.audio.decode import decode_mp3
from audionews.audio.join import HEAD_SIZE
from audionews.audio.loudness import TARGET_LUFS
from audionews.daisy.opening import speak_title
from audionews.db import db
from audionews.jobs import render_job
from audionews.models import Article, Rendition
from audionews.render.briefing import BriefingBuilder
from audionews.render.briefing_text import BriefingInput, Story
from audionews.render.renderer import Renderer, RenderInput, RenderOutput, segment_key
from audionews.render.storage import SEGMENT_HEAD_SIZE, Storage
from audionews.speech import build_script
from audionews.tts import EngineChain, create
from audionews.tts.breaker import breaker_for
from tests.conftest import make_token

TITLE = "Kurzmeldung: Testlauf"
SUMMARY = "Das ist ein kurzer Test. Er prüft die Vertonung."
DAMAGED_SENTENCE = "Der Hauptartikel hat drei Sätze und einen langen ersten Satz über die Bahn."
BODY = f"{DAMAGED_SENTENCE} Im Herbst ist es kühl.\n\nEin zweiter Absatz folgt."
# An editor's correction in the same paragraph: its chunk is encoded again, from the cache.
EDITED = BODY.replace("kühl", "kalt")

Damage = Callable[[bytes, int], bytes]


def _crc_blind(data: bytes, head: int) -> bytes:
    """Change 64 bytes of the frames so that their CRC-16 stays the same.

    CRC-16/ARC is linear with a zero start and no final XOR, so XOR-ing in a block whose own
    CRC is 0 leaves the CRC of the whole unchanged: only a real digest sees this.
    """
    rng = random.Random(10)
    block = rng.randbytes(62)
    fix = next(
        n.to_bytes(2, "little")
        for n in range(1 << 16)
        if fastcrc.crc16.arc(block + n.to_bytes(2, "little")) == 0
    )
    flip = block + fix
    start = head + (len(data) - head) // 2
    out = bytearray(data)
    for i, byte in enumerate(flip):
        out[start + i] ^= byte
    return bytes(out)


DAMAGES: dict[str, Damage] = {
    "random bytes of the same length": lambda data, _head: random.Random(1).randbytes(len(data)),
    "cut in half": lambda data, _head: data[: len(data) // 2],
    "empty": lambda _data, _head: b"",
    "odd length": lambda data, _head: data[:-1],
    "random audio under an intact header": lambda data, head: (
        data[:head] + random.Random(2).randbytes(len(data) - head)
    ),
}


def _older_chunk(data: bytes, head: int) -> bytes:
    """Return the chunk as an older version wrote it: header "ANC2", without the digest."""
    _magic, frames, samples, size, crc, _digest = struct.unpack_from("<4sIIIH16s", data)
    return struct.pack("<4sIIIH", b"ANC2", frames, samples, size, crc) + data[head:]


# Entries written before the records existed cannot be vouched for: they are made again.
SEGMENT_DAMAGES: dict[str, Damage] = DAMAGES | {
    "an older version's entry (bare PCM)": lambda data, head: data[head:]
}
CHUNK_DAMAGES: dict[str, Damage] = DAMAGES | {
    "a change its CRC-16 cannot see": _crc_blind,
    "an older version's entry (no digest)": _older_chunk,
}


@pytest.fixture(autouse=True)
def _closed_breakers() -> None:
    for name in ("gtts", "espeak"):
        breaker_for(name).reset()


def renderer(storage: Storage) -> Renderer:
    return Renderer(storage, EngineChain(create("espeak", config.defaults()), None, 60))


def render(storage: Storage, body: str = BODY) -> RenderOutput:
    item = RenderInput(
        slug="kurz", title=TITLE, summary=SUMMARY, body=body, date=dt.date(2026, 12, 2)
    )
    return renderer(storage).render(item)


def damaged_key() -> str:
    engine = create("espeak", config.defaults())
    (seg,) = [s for s in build_script(TITLE, SUMMARY, BODY) if s.display == DAMAGED_SENTENCE]
    return segment_key(engine, seg.spoken, TARGET_LUFS)


def decoded(storage: Storage, out: RenderOutput, kind: str = "episode") -> np.ndarray:
    pcm = decode_mp3(storage.path(out.files[kind]).read_bytes(), RATE)
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def level(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
    return 20 * np.log10(max(rms, 1.0) / 32768)


def assert_sounds_like(storage: Storage, out: RenderOutput, clean: Storage, want: RenderOutput):
    """The published files match a clean render: lengths, every sentence's length and level."""
    for kind in ("summary", "body", "episode"):
        assert out.durations[kind] == pytest.approx(want.durations[kind], abs=0.05), kind
        got, ref = decoded(storage, out, kind), decoded(clean, want, kind)
        assert len(got) / RATE == pytest.approx(out.durations[kind], abs=0.01)
        # No full-scale noise: peaks stay where clean speech has them.
        assert np.abs(got).max() <= np.abs(ref).max() * 1.15, kind
        assert level(got) == pytest.approx(level(ref), abs=1.0), kind
    got, ref = decoded(storage, out), decoded(clean, want)
    assert len(out.cues) == len(want.cues)
    for cue, clean_cue in zip(out.cues, want.cues, strict=True):
        assert cue["display"] == clean_cue["display"]
        length = cue["end"] - cue["start"]
        assert length == pytest.approx(clean_cue["end"] - clean_cue["start"], abs=0.05), cue
        span = got[round(cue["start"] * RATE) : round(cue["end"] * RATE)]
        clean_span = ref[round(clean_cue["start"] * RATE) : round(clean_cue["end"] * RATE)]
        assert level(span) == pytest.approx(level(clean_span), abs=2.0), cue


@pytest.fixture(scope="module")
def clean_edit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Storage, RenderOutput]:
    """The edited article rendered from a clean cache: what every damaged render must match."""
    storage = Storage(tmp_path_factory.mktemp("clean"))
    return storage, render(storage, EDITED)


def damage_logged(caplog: pytest.LogCaptureFixture, path: Path) -> bool:
    return any(
        "damaged cache entry" in record.getMessage() and str(path) in record.getMessage()
        for record in caplog.records
        if record.name == "audionews.render.storage" and record.levelno == logging.WARNING
    )


@pytest.mark.parametrize("kind", list(SEGMENT_DAMAGES))
def test_a_damaged_segment_is_synthesized_again_and_never_published(
    tmp_path: Path,
    kind: str,
    clean_edit: tuple[Storage, RenderOutput],
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage = Storage(tmp_path)
    render(storage)
    path = storage.segment_path(damaged_key())
    path.write_bytes(SEGMENT_DAMAGES[kind](path.read_bytes(), SEGMENT_HEAD_SIZE))
    caplog.set_level(logging.WARNING)

    out = render(storage, EDITED)  # encodes the damaged sentence's chunk again

    assert_sounds_like(storage, out, *clean_edit)
    assert damage_logged(caplog, path)
    assert storage.read_segment(damaged_key()) is not None  # made again, whole


@pytest.mark.parametrize("kind", list(CHUNK_DAMAGES))
def test_a_damaged_chunk_is_encoded_again_and_never_published(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    storage = Storage(tmp_path)
    first = render(storage)
    chunks = [storage.chunk_path(key) for key in first.cache_keys["chunks"]]
    for path in chunks:
        path.write_bytes(CHUNK_DAMAGES[kind](path.read_bytes(), HEAD_SIZE))
    caplog.set_level(logging.WARNING)

    again = render(storage)

    # The segments were whole, so the chunks made of them again are the very same bytes:
    # the published files are the first render's, name for name.
    assert again.files == first.files
    assert again.encoded == len(chunks)
    assert_sounds_like(storage, again, storage, first)
    assert all(damage_logged(caplog, path) for path in chunks)


def _damage_pcm(storage: Storage, keys: set[str]) -> None:
    """Random audio under intact headers: only the digest tells."""
    for key in keys:
        path = storage.segment_path(key)
        damage = DAMAGES["random audio under an intact header"]
        path.write_bytes(damage(path.read_bytes(), SEGMENT_HEAD_SIZE))


def test_a_damaged_segment_of_the_briefing_is_spoken_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    storage = Storage(tmp_path)
    speaker = renderer(storage)
    out = render(storage)
    day = dt.date(2026, 12, 2)
    stories = (Story(1, "kurz", TITLE, out.files["episode"], out.chapters, out.cues),)
    first = BriefingBuilder(storage, speaker, bitrate_kbps=64).build(BriefingInput(day, stories))
    own = set(first.cache_keys["segments"]) - set(out.cache_keys["segments"])
    assert own  # the opening and the closing
    _damage_pcm(storage, own)
    for key in set(first.cache_keys["chunks"]) - set(out.cache_keys["chunks"]):
        storage.chunk_path(key).unlink()  # encoded again from the (damaged) segments
    caplog.set_level(logging.WARNING)

    again = BriefingBuilder(storage, speaker, bitrate_kbps=64).build(BriefingInput(day, stories))

    assert again.synthesized == len(own)
    assert again.duration == pytest.approx(first.duration, abs=0.1)
    got = np.frombuffer(decode_mp3(storage.path(again.files["audio"]).read_bytes(), RATE), "<i2")
    ref = np.frombuffer(decode_mp3(storage.path(first.files["audio"]).read_bytes(), RATE), "<i2")
    assert level(got.astype(float)) == pytest.approx(level(ref.astype(float)), abs=1.0)
    assert np.abs(got.astype(float)).max() <= np.abs(ref.astype(float)).max() * 1.15
    assert all(damage_logged(caplog, storage.segment_path(key)) for key in own)


def test_a_damaged_segment_of_the_daisy_title_is_spoken_again(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    speaker = renderer(storage)
    title = "Hörzeitung für Mittwoch, den 2. Dezember 2026"
    options: dict[str, Any] = {
        "bitrate_kbps": 64,
        "publisher": "audionews",
        "date": dt.date(2026, 12, 2),
    }
    clean = tmp_path / "clean.mp3"
    speak_title(speaker, title, clean, **options)
    _damage_pcm(storage, {p.name.split(".")[0] for p in storage.segments_dir.rglob("*.pcm")})
    for chunk in storage.segments_dir.rglob("*.mp3"):
        chunk.unlink()

    target = tmp_path / "again.mp3"
    _part, _engine, synthesized = speak_title(speaker, title, target, **options)

    assert synthesized > 0
    got = np.frombuffer(decode_mp3(target.read_bytes(), RATE), "<i2").astype(float)
    ref = np.frombuffer(decode_mp3(clean.read_bytes(), RATE), "<i2").astype(float)
    assert len(got) == pytest.approx(len(ref), abs=0.05 * RATE)
    assert level(got) == pytest.approx(level(ref), abs=1.0)


@pytest.mark.parametrize("kind", ["random bytes of the same length", "odd length"])
def test_a_job_over_a_damaged_cache_ends_ready_with_clean_audio(
    sqlite_app: Flask,
    kind: str,
    clean_edit: tuple[Storage, RenderOutput],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Through the job and the API: the editor's correction goes live, undamaged, and the job
    # is ready (an odd-length segment used to fail every render of the article).
    client = sqlite_app.test_client()
    auth = {"Authorization": f"Bearer {make_token(sqlite_app)}"}
    article = {"title": TITLE, "summary": SUMMARY, "body": BODY, "links": []}
    created = client.post("/api/v1/articles", json=article, headers=auth).get_json()
    slug = created["slug"]
    with sqlite_app.app_context():
        article_id = db.session.scalar(select(Article.id).where(Article.slug == slug))
        assert render_job.run_render(article_id, 1, created["job"]) == "ready"
    storage: Storage = sqlite_app.extensions["storage"]
    path = storage.segment_path(damaged_key())
    path.write_bytes(SEGMENT_DAMAGES[kind](path.read_bytes(), SEGMENT_HEAD_SIZE))
    caplog.set_level(logging.WARNING)
    edited = client.put(f"/api/v1/articles/{slug}", json=article | {"body": EDITED}, headers=auth)
    with sqlite_app.app_context():
        assert render_job.run_render(article_id, 2, edited.get_json()["job"]) == "ready"
        rendition = db.session.scalars(select(Rendition).where(Rendition.revision == 2)).one()
        published = RenderOutput(
            rendition.engine,
            rendition.voice,
            rendition.options,
            files=rendition.files,
            durations=rendition.durations,
            cues=rendition.cues,
        )
    body = client.get(f"/api/v1/articles/{slug}").get_json()
    assert body["status"] == "ready" and body["error"] is None and body["rendered_revision"] == 2
    assert_sounds_like(storage, published, *clean_edit)
    assert damage_logged(caplog, path)

"""verify: what checking every cache entry on read costs a render (issue 10, item 4).

The long article (over 30 minutes, `bench.article.long_article`) is rendered once with espeak
(not measured). Then it is rendered again with everything cached, three times each way:

- value: as audionews does it: the header of every segment is checked against its length, and
  every MP3 chunk is read whole and checked against its length and BLAKE2b digest;
- baseline: the same render with the checks switched off (a segment or chunk counts when its
  file exists; lengths come from the file size), as before the records existed.

Goal: ratio <= 1.25. Informational: reading every segment's PCM with its digest checked
against reading the same files bare.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from audionews.render.renderer import Renderer, RenderOutput
from audionews.render.storage import SEGMENT_HEAD_SIZE, Storage
from audionews.tts import EngineChain, create

from . import Row, median, say, settings
from .article import long_article

NAME = "verify"
RUNS = 3


@contextmanager
def unchecked() -> Iterator[None]:
    """Switch the checks off: existence and file size only, as before the records."""
    saved = (Storage.has_segment, Storage.segment_samples, Storage.has_chunk)

    def has_segment(self: Storage, key: str) -> bool:
        return self.segment_path(key).is_file()

    def segment_samples(self: Storage, key: str) -> int:
        return (self.segment_path(key).stat().st_size - SEGMENT_HEAD_SIZE) // 2

    def has_chunk(self: Storage, key: str) -> bool:
        return self.chunk_path(key).is_file()

    Storage.has_segment, Storage.segment_samples, Storage.has_chunk = (  # type: ignore[method-assign]
        has_segment,
        segment_samples,
        has_chunk,
    )
    try:
        yield
    finally:
        Storage.has_segment, Storage.segment_samples, Storage.has_chunk = saved  # type: ignore[method-assign]


def run() -> list[Row]:
    article = long_article()
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        storage = Storage(Path(tmp) / "media")
        renderer = Renderer(storage, EngineChain(create("espeak", settings()), None, 300))
        item = article.render_input("langer-artikel")
        start = time.perf_counter()
        first: RenderOutput = renderer.render(item)
        say(
            f"  first render: {time.perf_counter() - start:.1f} s, episode "
            f"{first.durations['episode'] / 60:.1f} min, {len(first.cache_keys['segments'])} "
            f"segments, {len(first.cache_keys['chunks'])} chunks (not measured)"
        )

        def again() -> float:
            start = time.perf_counter()
            output = renderer.render(item)
            seconds = time.perf_counter() - start
            assert output.synthesized == 0 and output.encoded == 0
            assert output.files == first.files
            return seconds

        checked: list[float] = []
        bare: list[float] = []
        for _ in range(RUNS):  # interleaved, so machine load hits both alike
            checked.append(again())
            with unchecked():
                bare.append(again())
        say(f"  cached re-render: checked {median(checked):.2f} s, unchecked {median(bare):.2f} s")

        keys = first.cache_keys["segments"]
        start = time.perf_counter()
        total = sum(len(storage.read_segment(key) or b"") for key in keys)
        read_checked = time.perf_counter() - start
        start = time.perf_counter()
        for key in keys:
            storage.segment_path(key).read_bytes()
        read_bare = time.perf_counter() - start
        mb = total / 1e6
        say(f"  {mb:.0f} MB of PCM: read checked {read_checked:.2f} s, bare {read_bare:.2f} s")
    return [
        Row(
            NAME,
            "cached re-render of a 30+ min article, entries checked (median of 3)",
            median(checked),
            median(bare),
            "s",
            limit=1.25,
            goal="ratio <= 1.25",
        ),
        Row(
            NAME,
            "reading every segment's PCM with its digest checked",
            read_checked,
            read_bare,
            "s",
            goal="info",
        ),
    ]

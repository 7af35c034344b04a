"""Turn an article revision into published files: script -> cached segments -> MP3s.

No Celery and no database here: `jobs.render_job` feeds this module and records the outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..audio.encode import EncodeError, Mp3Encoder, encode_frames
from ..audio.loudness import TARGET_LUFS, normalize
from ..audio.pcm import fade, resample, silence, trim_silence
from ..audio.tags import mp3_duration, write_chapters, write_tags
from ..speech import DEFAULT_PAUSES, Lexicon, Pauses, Segment, build_script
from ..tts import Engine, EngineChain, EngineError, EngineUnavailable
from .assemble import LEAD_IN_MS, Assembler, ChunkPlan, MissingSegment
from .leveling import level
from .storage import Storage, out_of_space
from .transcripts import SIDECAR_KINDS, chapter_list, publish_sidecars

log = logging.getLogger(__name__)

# Bump when the processing of cached segments changes, so old cache entries are not reused.
PIPELINE_VERSION = 3

# The job's progress: done, total and the phase (one of PHASES).
Progress = Callable[[int, int, str], None]
PHASES = ("synthesis", "planning", "encoding", "joining", "publishing")
T = TypeVar("T")
KINDS = ("summary", "body", "episode")
KIND_TITLES = {"summary": "In Kürze", "body": "Hauptartikel"}


class RenderError(RuntimeError):
    """The render failed; the message is a German sentence for editors."""


@dataclass(frozen=True)
class RenderInput:
    slug: str
    title: str
    summary: str
    body: str
    date: dt.date
    lexicon: Lexicon | None = None  # the editors' pronunciations, applied for every engine


@dataclass
class RenderOutput:
    engine: str
    voice: str
    options: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)  # kind -> MP3 name
    # Transcripts and chapters (transcripts.sidecar_key -> name); jobs.render_job stores both
    # sets in Rendition.files.
    sidecars: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    chapters: dict[str, float] = field(default_factory=dict)
    cues: list[dict[str, Any]] = field(default_factory=list)
    synthesized: int = 0
    cached: int = 0
    encoded: int = 0  # MP3 chunks encoded (the rest came from the cache)
    # What the files were made of, for the cache prune: {"segments": [...], "chunks": [...]}.
    cache_keys: dict[str, list[str]] = field(default_factory=dict)


def segment_key(engine: Engine, text: str, target_lufs: float = TARGET_LUFS) -> str:
    """Return the cache key of one segment's audio."""
    payload = {
        "engine": engine.name,
        "voice": engine.voice,
        "options": engine.cache_options(),
        "text": text,
        "rate": engine.sample_rate,
        "loudness": target_lufs,
        "pipeline": PIPELINE_VERSION,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Renderer:
    PHASES = PHASES

    def __init__(
        self,
        storage: Storage,
        chain: EngineChain,
        *,
        bitrate_kbps: int = 64,
        artist: str = "audionews",
        album: str = "audionews",
        pauses: Pauses = DEFAULT_PAUSES,
        target_lufs: float = TARGET_LUFS,
        cover: bytes | None = None,
        lead_in_ms: float = LEAD_IN_MS,
    ) -> None:
        self.storage = storage
        self.chain = chain
        self.bitrate_kbps = bitrate_kbps
        self.artist = artist
        self.album = album
        self.pauses = pauses
        self.target_lufs = target_lufs
        self.cover = cover  # PNG for every file's ID3 front cover (APIC); None: none
        self.lead_in_ms = lead_in_ms  # silence at the start of every file

    def render(self, item: RenderInput, progress: Progress | None = None) -> RenderOutput:
        """Render `item` with the first engine that works and publish its files."""
        script = build_script(
            item.title, item.summary, item.body, pauses=self.pauses, lexicon=item.lexicon
        )
        if not script:
            raise RenderError("Der Artikel enthält keinen vorlesbaren Text.")
        engine, (keys, synthesized) = self._with_first_engine(
            lambda engine: self._synthesize(engine, script, progress), "hat den Artikel gesprochen"
        )
        output = RenderOutput(
            engine=engine.name,
            voice=engine.voice,
            options=dict(engine.cache_options())
            | {
                "sample_rate": engine.sample_rate,
                "loudness_lufs": self.target_lufs,
                "pauses_ms": asdict(self.pauses),
            },
            synthesized=synthesized,
            cached=len(set(keys)) - synthesized,
        )
        self._assemble(
            item,
            script,
            keys,
            engine.sample_rate,
            output,
            progress,
            remake=lambda: self._synthesize(engine, script, None, verify=True),
        )
        return output

    def speak(
        self, script: list[Segment], what: str, *, verify: bool = False
    ) -> tuple[Engine, list[str], int]:
        """Cache the audio of every segment of `script` with the first engine that works.

        Return that engine, the segments' cache keys and how many were synthesized; `what`
        ends the German error ("Keine Sprachausgabe <what> (…)"). The daily briefing's
        opening and closing are spoken this way. `verify` reads every cached segment whole
        (after one was found damaged), so a damaged one is synthesized again.
        """
        engine, (keys, synthesized) = self._with_first_engine(
            lambda engine: self._synthesize(engine, script, None, verify=verify), what
        )
        return engine, keys, synthesized

    def _with_first_engine(self, work: Callable[[Engine], T], what: str) -> tuple[Engine, T]:
        """Run `work` with the chain's engines in turn; return the first that succeeds.

        An unreachable engine opens its circuit breaker, so later work skips it for a while.
        """
        problems: list[str] = []
        for engine in self.chain.engines():
            try:
                return engine, work(engine)
            except EngineUnavailable as exc:
                log.warning("engine %s unavailable: %s", engine.name, exc)
                self.chain.report_unavailable(engine)
                problems.append(f"{engine.name} nicht erreichbar")
            except EngineError as exc:
                log.warning("engine %s failed: %s", engine.name, exc)
                problems.append(f"{engine.name} konnte den Text nicht sprechen")
        detail = "; ".join(problems) or "keine Sprachausgabe eingerichtet"
        raise RenderError(f"Keine Sprachausgabe {what} ({detail}).")

    def _synthesize(
        self,
        engine: Engine,
        script: list[Segment],
        progress: Progress | None,
        *,
        verify: bool = False,
    ) -> tuple[list[str], int]:
        """Make sure every segment's audio is cached; return the keys and how many were new.

        A cached segment counts when its header matches its length; with `verify`, only when
        its PCM matches its digest too (reading it all).
        """
        keys = [segment_key(engine, seg.spoken, self.target_lufs) for seg in script]
        cached = self.storage.has_segment
        if verify:
            cached = lambda key: self.storage.read_segment(key) is not None  # noqa: E731
        texts: dict[str, str] = {}
        for key, seg in zip(keys, script, strict=True):
            if key not in texts and not cached(key):
                texts.setdefault(key, seg.spoken)
        total = len(script)
        done = total - sum(1 for key in keys if key in texts)
        if progress:
            progress(done, total, "synthesis")
        per_key = {key: keys.count(key) for key in texts}

        def one(key: str) -> str:
            self._store_segment(engine, key, texts[key])
            return key

        # At least two threads: the loudness work on one segment overlaps the synthesis of the
        # next even for an engine that speaks one text at a time (it guards that itself).
        with ThreadPoolExecutor(max_workers=max(2, engine.max_concurrency)) as pool:
            pending = {pool.submit(one, key) for key in texts}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in finished:
                    if future.exception() is not None:
                        for other in pending:
                            other.cancel()
                        raise future.exception()  # type: ignore[misc]
                    done += per_key[future.result()]
                if progress:
                    progress(done, total, "synthesis")
        return keys, len(texts)

    def _store_segment(
        self, engine: Engine, key: str, text: str, *, cache_optional: bool = False
    ) -> bytes:
        """Synthesize one segment, cache its processed PCM under `key` and return it.

        With `cache_optional`, a disk too full to cache it is logged and the PCM returned.
        """
        rate = engine.sample_rate
        clip = engine.synthesize(text)
        # One sample rate end to end: the engine's own, from synthesis to the MP3.
        pcm = clip.pcm if clip.rate == rate else resample(clip.pcm, clip.rate, rate)
        # Trimmed engine silence makes the pauses exactly what the script says; segments at
        # the target loudness make every joined file meet it; fades keep joins click-free.
        pcm = normalize(trim_silence(pcm, rate, keep_ms=5), rate, self.target_lufs)
        pcm = fade(pcm, rate)
        try:
            stored = self.storage.write_segment(key, pcm)
        except OSError as exc:
            if not (cache_optional and out_of_space(exc)):
                raise
            log.warning("no space left to cache segment %s: %s", key, exc)
            return pcm
        if not stored:
            # Another render stored this segment first; it stays, so use what it stored.
            return self.storage.read_segment(key) or pcm
        return pcm

    def preview(self, pieces: list[str]) -> tuple[bytes, str]:
        """Speak the spoken `pieces` of one sentence; return MP3 bytes and the engine's name.

        Uses the segment cache like a render (and fills it), so hearing a sentence before
        publishing costs nothing when the article is then rendered.
        """

        def speak(engine: Engine) -> list[bytes]:
            pcms = []
            for text in pieces:
                key = segment_key(engine, text, self.target_lufs)
                cached = self.storage.read_segment(key)
                if cached is None:
                    cached = self._store_segment(engine, key, text, cache_optional=True)
                pcms.append(cached)
            return pcms

        engine, pcms = self._with_first_engine(speak, "konnte den Satz sprechen")
        rate = engine.sample_rate
        pause = silence(self.pauses.piece_ms, rate)
        try:
            temp = self.storage.temp_path(".mp3")
            try:
                with Mp3Encoder(temp, rate=rate, bitrate_kbps=self.bitrate_kbps) as encoder:
                    for number, pcm in enumerate(pcms):
                        if number:
                            encoder.write(pause)
                        encoder.write(pcm)
                return temp.read_bytes(), engine.name
            finally:
                temp.unlink(missing_ok=True)
        except (OSError, EncodeError) as exc:
            if not out_of_space(exc):
                raise
            # A full media folder: the sentence is still heard, encoded in memory (bare
            # frames, which every player plays; a sentence needs no seek table).
            log.warning("no space left for a preview file; encoding it in memory: %s", exc)
            frames = encode_frames(pause.join(pcms), rate=rate, bitrate_kbps=self.bitrate_kbps)
            return frames, engine.name

    @staticmethod
    def _plan(
        assembler: Assembler, script: list[Segment], keys: list[str], kinds: list[str]
    ) -> dict[str, list[ChunkPlan]]:
        """Plan the chunks of every file: the episode first, then each section's own file."""
        plans = {"episode": assembler.plan(script, keys)}
        # Each section's file starts like the section in the episode, so they share chunks.
        leads = assembler.section_leads(script, plans["episode"])
        for kind in kinds[1:]:
            chosen = [i for i, seg in enumerate(script) if seg.section == kind]
            plans[kind] = assembler.plan(
                [script[i] for i in chosen], [keys[i] for i in chosen], leads
            )
        return plans

    def _assemble(
        self,
        item: RenderInput,
        script: list[Segment],
        keys: list[str],
        rate: int,
        output: RenderOutput,
        progress: Progress | None = None,
        remake: Callable[[], object] | None = None,
    ) -> None:
        """Join the cached segments with explicit pauses into the summary, body and episode.

        The files are built from MP3 chunks of a paragraph or a few (see `assemble.py`), encoded
        once and shared by all three files and by later revisions. Each file starts with the
        lead-in and is brought to the target loudness by a gain of its own. Every phase reports
        its progress, so a long article's job shows what it does all the way. `remake`
        synthesizes again what is missing from the cache (a segment found damaged when its PCM
        was read).
        """

        def reporter(phase: str) -> Callable[[int, int], None]:
            def report(done: int, total: int) -> None:
                if progress:
                    progress(done, total, phase)

            return report

        assembler = Assembler(self.storage, rate, self.bitrate_kbps, lead_in_ms=self.lead_in_ms)
        # Section files start with the lead-in too: file time = episode time - chapter + this.
        output.options["lead_in_s"] = round(assembler.lead_in / rate, 6)
        sections = {seg.section for seg in script}
        kinds = ["episode"] + [k for k in KINDS if k in sections]
        for attempt in (1, 2):
            try:
                reporter("planning")(0, 1)
                plans = self._plan(assembler, script, keys, kinds)
                plans = level(assembler, plans, self.target_lufs, reporter("planning"))
                reporter("encoding")(0, 1)
                output.encoded = assembler.encode_missing(
                    (p for plan in plans.values() for p in plan), reporter("encoding")
                )
                break
            except MissingSegment as exc:
                # A segment that another render stored at the same moment (only possible where
                # the filesystem has no hard links) is planned again, with what is stored now.
                # A segment found damaged as its PCM was read is synthesized again first.
                log.warning("render of %s, attempt %d: %s", item.slug, attempt, exc)
                if attempt == 2:
                    raise RenderError("Ein Audio-Baustein fehlt im Zwischenspeicher.") from None
                if remake is not None:
                    remake()
        chunks = {chunk.key for plan in plans.values() for chunk in plan}
        output.cache_keys = {"segments": sorted(set(keys)), "chunks": sorted(chunks)}
        layouts = {kind: assembler.place(plan) for kind, plan in plans.items()}
        episode = layouts["episode"]
        for number, seg in enumerate(script):
            # A section's chapter starts with its chunk (a few ms of silence before its speech).
            output.chapters.setdefault(seg.section, round(episode.chunk_starts[number] / rate, 3))
            start, end = episode.starts[number], episode.ends[number]
            output.cues.append(
                {
                    "index": seg.index,
                    "section": seg.section,
                    "sentence": seg.sentence,
                    "display": seg.display,
                    "start": round(start / rate, 3),
                    "end": round(end / rate, 3),
                }
            )
        temps = {kind: self.storage.temp_path(".mp3") for kind in kinds}
        try:
            # Joining: every file's chunks copied, counted over all files.
            total = sum(len(layouts[kind].chunks) for kind in kinds)
            joined = 0
            join_report = reporter("joining")
            for kind in kinds:

                def copied(done: int, _total: int, base: int = joined) -> None:
                    join_report(base + done, total)

                assembler.write(layouts[kind], temps[kind], copied)
                joined += len(layouts[kind].chunks)
            publish_report = reporter("publishing")
            steps = len(kinds) + 1  # each file, then the transcripts and chapters
            for number, kind in enumerate(kinds):
                publish_report(number, steps)
                self._publish_file(item, kind, temps[kind], output)
            publish_report(len(kinds), steps)
        finally:
            for temp in temps.values():
                temp.unlink(missing_ok=True)
        output.sidecars.update(
            publish_sidecars(
                self.storage,
                item.slug,
                title=item.title,
                podcast=self.album,
                cues=output.cues,
                chapters=output.chapters,
                durations=output.durations,
                lead_in=assembler.lead_in / rate,
            )
        )
        publish_report(steps, steps)

    def _publish_file(self, item: RenderInput, kind: str, temp: Path, output: RenderOutput) -> None:
        """Tag the joined MP3 `temp` of `kind` and publish it."""
        title = item.title if kind == "episode" else f"{item.title} ({KIND_TITLES[kind]})"
        write_tags(
            temp,
            title=title,
            artist=self.artist,
            album=self.album,
            date=item.date,
            language="deu",
            publisher=self.artist,
            cover=self.cover,
        )
        output.durations[kind] = round(mp3_duration(temp), 3)
        if kind in SIDECAR_KINDS:
            # The ID3 chapters and the JSON chapters come from one list: they agree.
            spans = chapter_list(output.chapters, output.durations[kind], kind=kind)
            write_chapters(temp, spans)
        output.sizes[kind] = temp.stat().st_size
        output.files[kind] = self.storage.publish(temp, item.slug, f"{kind}.mp3")

"""A local stand-in for Google's batchexecute TTS endpoint, answering with real speech.

Each POST is parsed the way gTTS builds it (`gTTS._package_rpc`: a form field `f.req` holding
JSON that holds JSON `[text, lang, speed, "null"]`), the text is spoken with the project's espeak
engine, resampled to 24 kHz, encoded with `encode_mp3` and sent back base64-encoded in Google's
answer format.

It counts the requests in flight (`max_in_flight`), logs every request's arrival, end and status
(`log`), and answers 429 with a Retry-After to the next `n` requests (`fail_next`) or to every
request for a while (`refuse_for`, a rate-limit burst), so tests and benchmarks can check a
global budget from outside the processes that keep it.

Timing: the synthesis counts INSIDE the delay. The timer starts when the request has been read;
the handler answers `delay` seconds after that, or as soon as the MP3 is ready if synthesis
took longer (a cache miss of a long text). Audio is cached by text, so with `prime()` run
before a measurement every request costs the delay and nothing else, like a remote service
whose latency does not depend on our CPU.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from unittest import mock

import requests
from gtts import gTTS

from audionews import config
from audionews.audio import RATE
from audionews.audio.encode import encode_mp3
from audionews.audio.pcm import resample
from audionews.tts import create

PATH = "/_/TranslateWebserverUi/data/batchexecute"
DEFAULT_DELAY = 0.150


def parse_request(body: bytes) -> str:
    """Return the text of a gTTS batchexecute request body (see gTTS._package_rpc)."""
    form = urllib.parse.parse_qs(body.decode("ascii"), keep_blank_values=True)
    rpc = json.loads(form["f.req"][0])
    parameter = json.loads(rpc[0][0][1])
    return str(parameter[0])


def answer(mp3: bytes) -> bytes:
    """Return Google's batchexecute answer carrying `mp3`, in the form gTTS parses."""
    payload = base64.b64encode(mp3).decode("ascii")
    return (
        ')]}\'\n\n1\n[["wrb.fr","jQ1olc","[\\"' + payload + '\\"]",null,null,null,"generic"]]'
    ).encode("ascii")


@dataclass(frozen=True)
class Served:
    """One request as the fake saw it (time.monotonic() of this process)."""

    arrived: float
    answered: float
    status: int


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        start = time.monotonic()
        fake = self.server.fake
        fake.arrive()
        status = 500
        try:
            if self.path.split("?", 1)[0] != PATH:
                status = 404
                self._reply(404, b"not found")
                return
            try:
                text = parse_request(body)
            except (KeyError, IndexError, ValueError) as exc:
                status = 400
                self._reply(400, f"bad request: {exc}".encode())
                return
            retry_after = fake.take_failure()
            if retry_after is not None:
                status = 429
                self._reply(429, b"Too Many Requests", {"Retry-After": str(retry_after)})
                return
            mp3 = fake.mp3_for(text)
            fake.record(text)
            remaining = fake.delay - (time.monotonic() - start)
            if remaining > 0:
                time.sleep(remaining)
            status = 200
            self._reply(200, answer(mp3))
        finally:
            fake.leave(Served(start, time.monotonic(), status))

    def _reply(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the benchmark output readable


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, fake: FakeGoogle) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class FakeGoogle:
    """The fake endpoint, serving from a daemon thread on a free port of 127.0.0.1."""

    def __init__(
        self,
        delay: float = DEFAULT_DELAY,
        settings: dict[str, Any] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """`cache_dir`, if given, keeps the MP3s across runs (keyed by text and espeak setup)."""
        self.delay = delay
        self._engine = create("espeak", settings or config.defaults())
        self._cache_dir = cache_dir
        self._setup = json.dumps(
            [self._engine.voice, self._engine.cache_options(), RATE], sort_keys=True
        )
        self._cache: dict[str, bytes] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._workdir = tempfile.TemporaryDirectory(prefix="fake-google-")
        self.requests: list[str] = []
        self.log: list[Served] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._failures: list[int] = []
        self._refusing: tuple[float, int] = (float("-inf"), 0)  # until (monotonic), retry after
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the batchexecute URL to give the gtts engine (`url=`) or gTTS."""
        if self._server is None:
            raise RuntimeError("FakeGoogle is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{PATH}"

    def start(self) -> Self:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-google", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None
        self._workdir.cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def record(self, text: str) -> None:
        with self._lock:
            self.requests.append(text)

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.log.clear()
            self.max_in_flight = self.in_flight

    def arrive(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self, served: Served) -> None:
        with self._lock:
            self.in_flight -= 1
            self.log.append(served)

    def fail_next(self, count: int, retry_after: int) -> None:
        """Answer the next `count` requests 429 with `Retry-After: retry_after` (seconds)."""
        with self._lock:
            self._failures.extend([retry_after] * count)

    def refuse_for(self, seconds: float, retry_after: int) -> None:
        """Answer every request arriving in the next `seconds` 429 with this Retry-After."""
        with self._lock:
            self._refusing = (time.monotonic() + seconds, retry_after)

    def take_failure(self) -> int | None:
        with self._lock:
            if self._failures:
                return self._failures.pop(0)
            until, retry_after = self._refusing
            return retry_after if time.monotonic() < until else None

    def mp3_for(self, text: str) -> bytes:
        """Return the MP3 of `text`, synthesizing it once per distinct text."""
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                return cached
            lock = self._locks.setdefault(text, threading.Lock())
        with lock:  # two requests for one new text synthesize it once
            cached = self._cache.get(text)
            if cached is None:
                cached = self._synthesize(text)
                with self._lock:
                    self._cache[text] = cached
        return cached

    def prime(self, texts: Iterable[str], threads: int = 2) -> int:
        """Synthesize `texts` ahead of a measurement; return how many were new."""
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(self.mp3_for, new))
        return len(new)

    def _synthesize(self, text: str) -> bytes:
        disk = None
        if self._cache_dir is not None:
            digest = hashlib.sha256(f"{self._setup}\n{text}".encode()).hexdigest()
            disk = self._cache_dir / digest[:2] / f"{digest}.mp3"
            if disk.is_file():
                return disk.read_bytes()
        mp3 = self._encode(text)
        if disk is not None:
            disk.parent.mkdir(parents=True, exist_ok=True)
            partial = disk.with_suffix(f".{threading.get_ident()}.tmp")
            partial.write_bytes(mp3)
            partial.replace(disk)
        return mp3

    def _encode(self, text: str) -> bytes:
        clip = self._engine.synthesize(text)
        pcm = resample(clip.pcm, clip.rate, RATE)
        with tempfile.NamedTemporaryFile(suffix=".mp3", dir=self._workdir.name) as handle:
            path = Path(handle.name)
            encode_mp3(pcm, path)
            return path.read_bytes()


@contextmanager
def redirect_gtts(url: str) -> Iterator[None]:
    """Send every plain `gTTS(...)` request to `url` instead of translate.google.<tld>.

    Only the URL of each prepared request changes: gTTS's own tokenizer, pre-processors,
    request bodies and one-after-another sending run as they are.
    """
    original = gTTS._prepare_requests

    def prepare(self: gTTS) -> list[requests.PreparedRequest]:
        prepared: list[requests.PreparedRequest] = original(self)
        for request in prepared:
            request.prepare_url(url, None)
        return prepared

    with mock.patch.object(gTTS, "_prepare_requests", prepare):
        yield


def gtts_pieces(text: str) -> list[str]:
    """Return the texts plain `gTTS(text, lang="de")` sends, one per request (for priming)."""
    pieces: list[str] = []
    for body in gTTS(text, lang="de").get_bodies():
        pieces.append(parse_request(body.encode() if isinstance(body, str) else body))
    return pieces

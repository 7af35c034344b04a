"""gTTS engine: gTTS's own request code, with Google's endpoint answered at the HTTP boundary."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import responses

from audionews import config
from audionews.audio import RATE
from audionews.audio.decode import decode_mp3
from audionews.tts import EngineError, EngineUnavailable, GTTSEngine, create

Speech = tuple[bytes, float]  # the `speech` fixture: MP3 and its duration in seconds
GOOGLE_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"
TEXT = "Das ist z. B. am 3. Oktober so. Im Herbst."


class Sleeps(list[float]):
    """Record backoff pauses instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def engine(sleeps: Sleeps | None = None, **options: Any) -> GTTSEngine:
    """Return a gTTS engine whose backoff pauses are recorded, not waited."""
    return GTTSEngine(sleep=sleeps if sleeps is not None else Sleeps(), **options)


def sent_rpc(request: requests.PreparedRequest | str) -> list[object]:
    """Return [text, lang, speed, "null"] from a batchexecute request (or its body)."""
    body = request if isinstance(request, str) else request.body
    assert isinstance(body, str)
    form = urllib.parse.parse_qs(body)
    rpc = json.loads(form["f.req"][0])
    assert rpc[0][0][0] == "jQ1olc"
    parameter: list[object] = json.loads(rpc[0][0][1])
    return parameter


@pytest.fixture
def google() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_success_decodes_the_served_mp3(
    google: responses.RequestsMock, google_body: str, speech: Speech
) -> None:
    google.post(GOOGLE_URL, body=google_body)
    clip = engine().synthesize(TEXT)
    assert clip.rate == RATE
    assert clip.pcm == decode_mp3(speech[0], RATE)
    assert abs(clip.duration - speech[1]) < 0.1


def test_request_is_german_whole_text_with_timeout(
    google: responses.RequestsMock, google_body: str
) -> None:
    google.post(GOOGLE_URL, body=google_body)
    engine(timeout=2.5, tld="com").synthesize(TEXT)
    assert len(google.calls) == 1
    request = google.calls[0].request
    # The text arrives untouched: gTTS's pre-processors would drop the period after "Herbst"
    # and "ist", and its tokenizer would split at "3." and "z. B.".
    assert sent_rpc(request) == [TEXT, "de", None, "null"]
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert request.req_kwargs["timeout"] == 2.5  # type: ignore[attr-defined]


def test_slow_mode_and_tld_reach_the_request(
    google: responses.RequestsMock, google_body: str
) -> None:
    url = GOOGLE_URL.replace(".com/", ".de/")
    google.post(url, body=google_body)
    gtts = engine(tld="de", slow=True)
    gtts.synthesize("Guten Morgen.")
    assert sent_rpc(google.calls[0].request) == ["Guten Morgen.", "de", True, "null"]
    assert gtts.voice == "de-de"
    assert gtts.cache_options() == {"slow": True}


def test_429_then_success_retries_once(google: responses.RequestsMock, google_body: str) -> None:
    google.post(GOOGLE_URL, status=429)
    google.post(GOOGLE_URL, body=google_body)
    sleeps = Sleeps()
    clip = engine(sleeps).synthesize(TEXT)
    assert clip.pcm
    assert len(google.calls) == 2
    assert len(sleeps) == 1
    assert 0.15 <= sleeps[0] <= 0.45  # 0.3 s base with ±50 % jitter


def test_retry_after_header_is_respected(google: responses.RequestsMock, google_body: str) -> None:
    google.post(GOOGLE_URL, status=429, headers={"Retry-After": "4"})
    google.post(GOOGLE_URL, body=google_body)
    sleeps = Sleeps()
    engine(sleeps).synthesize(TEXT)
    assert sleeps == [4.0]


def test_server_errors_exhaust_retries_with_growing_backoff(
    google: responses.RequestsMock,
) -> None:
    for _ in range(3):
        google.post(GOOGLE_URL, status=500)
    sleeps = Sleeps()
    with pytest.raises(EngineUnavailable, match="3 Versuchen"):
        engine(sleeps, retries=3).synthesize(TEXT)
    assert len(google.calls) == 3
    assert len(sleeps) == 2
    assert 0.15 <= sleeps[0] <= 0.45
    assert 0.3 <= sleeps[1] <= 0.9


def test_connection_error_is_unavailable(google: responses.RequestsMock) -> None:
    google.post(GOOGLE_URL, body=requests.exceptions.ConnectionError("kein Netz"))
    sleeps = Sleeps()
    with pytest.raises(EngineUnavailable):
        engine(sleeps, retries=2).synthesize(TEXT)
    assert len(google.calls) == 2


def test_client_error_fails_at_once_without_retry(google: responses.RequestsMock) -> None:
    google.post(GOOGLE_URL, status=400)
    sleeps = Sleeps()
    with pytest.raises(EngineError) as info:
        engine(sleeps).synthesize(TEXT)
    assert not isinstance(info.value, EngineUnavailable)
    assert len(google.calls) == 1
    assert sleeps == []


def test_answer_without_audio_is_an_engine_error(google: responses.RequestsMock) -> None:
    google.post(GOOGLE_URL, body=')]}\'\n\n1\n[["wrb.fr","jQ1olc",null,null,null,"generic"]]')
    with pytest.raises(EngineError) as info:
        engine().synthesize(TEXT)
    assert not isinstance(info.value, EngineUnavailable)


def test_undecodable_audio_is_an_engine_error(
    google: responses.RequestsMock, batchexecute: Callable[[bytes], str]
) -> None:
    google.post(GOOGLE_URL, body=batchexecute(b"kein mp3" * 100))
    with pytest.raises(EngineError, match="MP3"):
        engine().synthesize(TEXT)


def test_empty_or_punctuation_only_text_gives_empty_clip(google: responses.RequestsMock) -> None:
    for text in ("", "  ", "…", "—"):
        assert engine().synthesize(text).pcm == b""
    assert len(google.calls) == 0


def test_parallel_threads(google: responses.RequestsMock, google_body: str) -> None:
    google.post(GOOGLE_URL, body=google_body)
    gtts = engine()
    texts = [f"Meldung {n}." for n in range(16)]
    with ThreadPoolExecutor(max_workers=gtts.max_concurrency) as pool:
        clips = list(pool.map(gtts.synthesize, texts))
    assert len({c.pcm for c in clips}) == 1 and clips[0].pcm
    assert sorted(str(sent_rpc(c.request)[0]) for c in google.calls) == sorted(texts)


@pytest.mark.parametrize(("setting", "expected"), [("0", 1), ("2", 2), ("4", 4), ("9", 4)])
def test_concurrency_is_clamped(setting: str, expected: int) -> None:
    settings = config.load({"AUDIONEWS_TTS_CONCURRENCY": setting})
    assert create("gtts", settings).max_concurrency == expected


def test_zero_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match="TTS_TIMEOUT"):
        GTTSEngine(timeout=0)


# Real sockets below: no mock at all, only local endpoints through the `url` override.


def serve_google(body: bytes, received: list[str]) -> ThreadingHTTPServer:
    """Start a local stand-in for Google's batchexecute endpoint that answers `body`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(self.rfile.read(length).decode())
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_url_override_reaches_a_local_server(google_body: str, speech: Speech) -> None:
    received: list[str] = []
    server = serve_google(google_body.encode(), received)
    try:
        url = f"http://127.0.0.1:{server.server_port}/batchexecute"
        gtts = GTTSEngine.from_settings(config.defaults(), url=url)
        with ThreadPoolExecutor(max_workers=4) as pool:
            clips = list(pool.map(gtts.synthesize, ["Eins.", "Zwei.", "Drei.", "Vier."]))
    finally:
        server.shutdown()
        server.server_close()
    assert all(c.pcm == decode_mp3(speech[0], RATE) for c in clips)
    assert len(received) == 4
    assert sorted(str(sent_rpc(body)[0]) for body in received) == [
        "Drei.",
        "Eins.",
        "Vier.",
        "Zwei.",
    ]
    assert all(sent_rpc(body)[1] == "de" for body in received)
    assert gtts.cache_options()["url"] == url


def test_refused_connection_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on `port` any more: the connection is refused at once.
    gtts = GTTSEngine(url=f"http://127.0.0.1:{port}/", retries=2, sleep=Sleeps())
    with pytest.raises(EngineUnavailable, match="2 Versuchen"):
        gtts.synthesize(TEXT)


def test_read_timeout_is_unavailable() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection but never answers
        port = silent.getsockname()[1]
        gtts = GTTSEngine(url=f"http://127.0.0.1:{port}/", timeout=0.2, retries=2, sleep=Sleeps())
        with pytest.raises(EngineUnavailable):
            gtts.synthesize(TEXT)

"""German speech from Google Translate's TTS endpoint through gTTS, with retries and backoff."""

from __future__ import annotations

import io
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests
from gtts import gTTS, gTTSError

from ..audio import RATE
from ..audio.decode import DecodeError, decode_mp3
from .base import CacheOption, Clip, EngineError, EngineUnavailable

log = logging.getLogger(__name__)

MAX_CONCURRENCY = 4
MAX_RETRY_AFTER = 10.0  # seconds; a longer Retry-After is better handled by the breaker


def _whole(text: str) -> list[str]:
    """Return the text as one token: the speech module already split and packed it."""
    return [text]


class _Request(gTTS):
    """gTTS with an optional replacement for the batchexecute URL (for local benchmarks)."""

    def __init__(self, text: str, *, url: str | None, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.url = url

    def _prepare_requests(self) -> list[requests.PreparedRequest]:
        # gTTS 2.5 builds the URL from the tld inside this method and has no attribute for it,
        # so the prepared requests are re-pointed after gTTS has built them.
        prepared: list[requests.PreparedRequest] = super()._prepare_requests()
        if self.url:
            for request in prepared:
                request.prepare_url(self.url, None)
        return prepared


class GTTSEngine:
    """Speak German through Google; safe to call from several threads at once."""

    name = "gtts"
    sample_rate = RATE  # Google's MP3s are decoded straight to the project rate

    def __init__(
        self,
        *,
        tld: str = "com",
        slow: bool = False,
        timeout: float = 10.0,
        retries: int = 3,
        concurrency: int = MAX_CONCURRENCY,
        url: str | None = None,
        backoff: float = 0.3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"TTS_TIMEOUT muss größer als 0 sein, nicht {timeout!r}")
        self.tld = tld
        self.slow = bool(slow)
        self.timeout = float(timeout)
        self.attempts = max(1, int(retries))
        self.max_concurrency = min(max(int(concurrency), 1), MAX_CONCURRENCY)
        self.url = url or None
        self.backoff = backoff
        self.sleep = sleep
        self.voice = f"de-{tld}"

    @classmethod
    def from_settings(cls, settings: dict[str, Any], *, url: str | None = None) -> GTTSEngine:
        """Build the engine from the TTS_* and GTTS_* settings; `url` replaces Google's."""
        return cls(
            tld=str(settings.get("GTTS_TLD", "com")),
            slow=bool(settings.get("GTTS_SLOW", False)),
            timeout=float(settings.get("TTS_TIMEOUT", 10.0)),
            retries=int(settings.get("TTS_RETRIES", 3)),
            concurrency=int(settings.get("TTS_CONCURRENCY", MAX_CONCURRENCY)),
            url=url,
        )

    def cache_options(self) -> dict[str, CacheOption]:
        """Return the options that change the audio besides voice (which holds the tld)."""
        # The gTTS version is left out on purpose: Google makes the audio, and a library
        # upgrade must not throw away (and re-request) every cached segment.
        options: dict[str, CacheOption] = {"slow": self.slow}
        if self.url:
            # Audio from a local stand-in must never be served under Google's cache key.
            options["url"] = self.url
        return options

    def synthesize(self, text: str) -> Clip:
        """Fetch Google's MP3 for `text` and decode it to PCM at the project rate."""
        if not text.strip():
            return Clip(b"", RATE)
        attempt = 1
        while True:
            try:
                mp3 = self._fetch(text)
                break
            except gTTSError as exc:
                status = None if exc.rsp is None else exc.rsp.status_code
                if status is not None and status != 429 and status < 500:
                    raise EngineError(f"gTTS: {exc}") from exc
                if attempt >= self.attempts:
                    raise EngineUnavailable(
                        f"gTTS nach {attempt} Versuchen nicht erreichbar: {exc}"
                    ) from exc
                delay = self._delay(attempt, exc.rsp)
                log.info("gTTS attempt %d failed (%s); retrying in %.2f s", attempt, exc, delay)
                self.sleep(delay)
                attempt += 1
        if mp3 is None:
            return Clip(b"", RATE)
        if not mp3:
            raise EngineError("gTTS: die Antwort enthielt kein Audio")
        try:
            return Clip(decode_mp3(mp3, RATE), RATE)
        except DecodeError as exc:
            raise EngineError(f"gTTS: {exc}") from exc

    def _fetch(self, text: str) -> bytes | None:
        """Send the request(s) through gTTS's own code; return MP3 bytes, None if unspeakable."""
        try:
            tts = _Request(
                text,
                url=self.url,
                tld=self.tld,
                lang="de",
                slow=self.slow,
                lang_check=False,
                # gTTS's default pre-processors drop sentence periods after words ending in
                # "st", and its tokenizer splits "3. Oktober"; the text is final already.
                pre_processor_funcs=[],
                tokenizer_func=_whole,
                timeout=self.timeout,
            )
            buffer = io.BytesIO()
            tts.write_to_fp(buffer)
        except AssertionError:
            # gTTS asserts when nothing but punctuation is left to speak.
            return None
        return buffer.getvalue()

    def _delay(self, attempt: int, response: requests.Response | None) -> float:
        """Return the pause before the next attempt: exponential with jitter."""
        delay = self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
        return delay

"""German speech from Google Translate's TTS endpoint through gTTS, with retries and backoff.

Every request takes a slot from the deployment's gTTS budget first (`tts.budget`), and a 429
pauses every process of the deployment, not only the one that saw it.
"""

from __future__ import annotations

import io
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests
from gtts import gTTS, gTTSError

from .. import metrics
from ..audio import RATE
from ..audio.decode import DecodeError, decode_mp3
from .base import CacheOption, Clip, EngineError, EngineUnavailable
from .budget import Budget, BudgetPaused, budget_for

log = logging.getLogger(__name__)

MAX_CONCURRENCY = 4
MAX_RETRY_AFTER = 10.0  # seconds; a longer Retry-After is better handled by the breaker


def _whole(text: str) -> list[str]:
    """Return the text as one token: the speech module already split and packed it."""
    return [text]


class _Request(gTTS):
    """gTTS with an optional replacement for the batchexecute URL (egress proxy, test double)."""

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
        budget: Budget | None = None,
        sink: metrics.Metrics | None = None,
    ) -> None:
        """`budget` limits the requests of the whole deployment (none: only this render's
        threads); `sink` counts Google's answers for /metrics."""
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
        self.budget = budget
        self.metrics = sink or metrics.Metrics.null()
        self.voice = f"de-{tld}"

    @classmethod
    def from_settings(cls, settings: dict[str, Any], *, url: str | None = None) -> GTTSEngine:
        """Build the engine from the TTS_* and GTTS_* settings, with the deployment's budget.

        `url` (else GTTS_URL) replaces Google's batchexecute URL.
        """
        return cls(
            tld=str(settings.get("GTTS_TLD", "com")),
            slow=bool(settings.get("GTTS_SLOW", False)),
            timeout=float(settings.get("TTS_TIMEOUT", 10.0)),
            retries=int(settings.get("TTS_RETRIES", 3)),
            concurrency=int(settings.get("TTS_CONCURRENCY", MAX_CONCURRENCY)),
            url=url or str(settings.get("GTTS_URL") or "") or None,
            budget=budget_for(settings),
            sink=metrics.Metrics.for_settings(settings),
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
                mp3 = self._fetch_in_budget(text)
                break
            except gTTSError as exc:
                status = None if exc.rsp is None else exc.rsp.status_code
                self.metrics.inc(metrics.GTTS_RESPONSES, status=str(status or "error"))
                if status is not None and status != 429 and status < 500:
                    raise EngineError(f"gTTS: {exc}") from exc
                if status == 429:
                    self._share_pause(attempt, exc.rsp)
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

    def _fetch_in_budget(self, text: str) -> bytes | None:
        """Wait for a slot of the deployment's budget, then send; count the answer."""
        if self.budget is None:
            mp3 = self._fetch(text)
        else:
            asked = time.monotonic()
            waited: float | None = None
            try:
                with self.budget.slot():
                    waited = time.monotonic() - asked
                    mp3 = self._fetch(text)
            finally:
                # Counted once the slot is given back; a refused slot (a long pause) waited all
                # the time it was asked for.
                if waited is None:
                    waited = time.monotonic() - asked
                self.metrics.inc(metrics.GTTS_WAIT, waited)
        if mp3 is not None:
            self.metrics.inc(metrics.GTTS_RESPONSES, status="200")
        return mp3

    def _share_pause(self, attempt: int, response: requests.Response | None) -> None:
        """Pause every process after a 429: Google's Retry-After, else the backoff.

        A pause longer than MAX_RETRY_AFTER is not waited out: this render (and every other
        one that asks for a slot meanwhile) falls back, and the breaker opens.
        """
        if self.budget is None:
            return
        retry_after = _retry_after(response)
        seconds = retry_after if retry_after is not None else self._delay(attempt, None)
        self.budget.pause(seconds)
        self.metrics.inc(metrics.GTTS_PAUSES)
        log.warning("gTTS answered 429: every process pauses for %.1f s", seconds)
        if seconds > MAX_RETRY_AFTER:
            raise BudgetPaused(seconds)

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
        retry_after = _retry_after(response)
        if retry_after is not None:
            delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
        return delay


def _retry_after(response: requests.Response | None) -> float | None:
    """Return the seconds of a Retry-After header (the delay form), or None."""
    if response is None:
        return None
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None

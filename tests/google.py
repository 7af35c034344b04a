"""A stand-in for Google's TTS endpoint at the HTTP boundary: real speech in Google's format.

It answers each gTTS request with an MP3 of the requested text (spoken by espeak-ng, encoded
by ffmpeg at 24 kHz as Google's are), wrapped in the batchexecute body gTTS parses.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import requests
import responses

from audionews import config
from audionews.audio import RATE
from audionews.audio.encode import encode_mp3
from audionews.audio.pcm import resample
from audionews.tts import create

BATCH_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


def batchexecute(mp3: bytes) -> str:
    """Wrap MP3 bytes the way Google's batchexecute endpoint answers gTTS."""
    payload = base64.b64encode(mp3).decode()
    return ')]}\'\n\n1\n[["wrb.fr","jQ1olc","[\\"' + payload + '\\"]",null,null,null,"generic"]]'


def requested_text(body: str | bytes) -> tuple[str, str]:
    """Return (text, lang) from a gTTS request body (`f.req=<quoted JSON>&`)."""
    if isinstance(body, bytes):
        body = body.decode()
    form = urllib.parse.parse_qs(body)
    rpc = json.loads(form["f.req"][0])
    text, lang, *_ = json.loads(rpc[0][0][1])
    return text, lang


class FakeGoogle:
    """Register with `responses`; counts requests and remembers the texts."""

    def __init__(self) -> None:
        self.engine = create("espeak", config.defaults())
        self.texts: list[str] = []
        self.lock = threading.Lock()
        self.cache: dict[str, bytes] = {}

    def mp3_for(self, text: str) -> bytes:
        with self.lock:
            if text not in self.cache:
                clip = self.engine.synthesize(text)
                with TemporaryDirectory() as tmp:
                    path = Path(tmp) / "g.mp3"
                    encode_mp3(resample(clip.pcm, clip.rate, RATE), path, rate=RATE)
                    self.cache[text] = path.read_bytes()
            return self.cache[text]

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, Any], str]:
        text, lang = requested_text(request.body or "")
        assert lang == "de", lang
        with self.lock:
            self.texts.append(text)
        return 200, {}, batchexecute(self.mp3_for(text))

    def install(self, mock: responses.RequestsMock) -> FakeGoogle:
        mock.add_callback(responses.POST, BATCH_URL, callback=self)
        return self

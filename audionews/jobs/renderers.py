"""The renderer of this process's jobs: one engine chain per engine configuration.

Render jobs, the daily briefing and the back office's sentence preview all speak through it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..render.cover import embedded_cover
from ..render.renderer import Renderer, RenderError
from ..render.voice import pauses_from
from ..tts import EngineChain

# A process keeps one chain per engine configuration, built once; the breakers that keep an
# unreachable engine skipped across jobs are per engine name anyway (tts.breaker_for).
_chains: dict[tuple[tuple[str, Any], ...], EngineChain] = {}
_ENGINE_SETTINGS = ("TTS_", "GTTS_", "ESPEAK_", "BROKER_URL", "QUEUE_DIR")  # budget, metrics


def engine_chain(settings: dict[str, Any]) -> EngineChain:
    # Every setting the engines read is part of the key: changing one builds a new chain.
    key = tuple(sorted((k, v) for k, v in settings.items() if k.startswith(_ENGINE_SETTINGS)))
    if key not in _chains:
        _chains[key] = EngineChain.from_settings(settings)
    return _chains[key]


def renderer() -> Renderer:
    settings = current_app.config["AUDIONEWS"]
    try:
        chain = engine_chain(settings)
    except ValueError as exc:  # an unknown engine name or a bad engine setting
        raise RenderError(f"Die Sprachausgabe ist falsch eingerichtet: {exc}") from None
    return Renderer(
        current_app.extensions["storage"],
        chain,
        bitrate_kbps=settings["MP3_BITRATE"],
        artist=settings["PUBLISHER"],
        album=settings["PODCAST_TITLE"],
        pauses=pauses_from(settings),
        target_lufs=settings["LOUDNESS_LUFS"],
        cover=embedded_cover(settings),
        lead_in_ms=settings["LEAD_IN_MS"],
    )

"""The settings table is the single source of truth: parsed strictly and documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from audionews import config

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_documents_every_setting() -> None:
    text = README.read_text("utf-8")
    for setting in config.SETTINGS:
        assert f"`AUDIONEWS_{setting.name}`" in text, setting.name


def test_environment_overrides_and_parses() -> None:
    values = config.load({"AUDIONEWS_ESPEAK_RATE": "200", "AUDIONEWS_GTTS_SLOW": "ja"})
    assert values["ESPEAK_RATE"] == 200 and values["GTTS_SLOW"] is True
    assert values["TTS_ENGINE"] == "gtts"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ESPEAK_RATE", "schnell"),
        ("TTS_TIMEOUT", "-1"),
        # zero would pass start-up and then fail every gTTS request / spin the sweeper
        ("TTS_TIMEOUT", "0"),
        ("SWEEP_SECONDS", "0"),
        ("GTTS_SLOW", "vielleicht"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(config.SettingsError, match=f"AUDIONEWS_{name}"):
        config.load({f"AUDIONEWS_{name}": value})


def test_the_offline_voice_speaks_at_145_words_per_minute_by_default() -> None:
    # 165 wpm was measurably harder to follow (speech recognizer, issue #14)
    assert config.load({})["ESPEAK_RATE"] == 145
    assert "| `AUDIONEWS_ESPEAK_RATE` | `145` |" in README.read_text("utf-8")

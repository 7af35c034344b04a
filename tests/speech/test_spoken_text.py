"""Spoken cleaning: what the engine reads for a displayed sentence."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from audionews.speech import NORMALIZERS, normalize, to_spoken

CASES: list[tuple[str, str]] = [
    (
        "Mehr unter https://www.tagesschau.de/inland/streik-100.html dazu.",
        "Mehr unter tagesschau.de dazu.",
    ),
    ("Mehr auf www.tagesschau.de.", "Mehr auf tagesschau.de."),
    (
        "Quelle: https://de.wikipedia.org/wiki/Merkur_(Planet), abgerufen.",
        "Quelle: de.wikipedia.org, abgerufen.",
    ),
    ("Lesen Sie (https://x.de/a?b=c) mehr.", "Lesen Sie, x.de, mehr."),
    ("Schreiben Sie an redaktion@example.de.", "Schreiben Sie an."),
    ("Fragen (leser@example.de) beantworten wir.", "Fragen beantworten wir."),
    ("Die Preise sinken 🎉 endlich!", "Die Preise sinken endlich!"),
    ("Toll 👍🏽 und 🇩🇪 und ❤️ und ⭐.", "Toll und und und."),
    ("Er sagte „völlig unnötig“ und »nein«.", "Er sagte völlig unnötig und nein."),
    ('Er sagte "völlig unnötig".', "Er sagte völlig unnötig."),
    ("Wie geht’s?", "Wie geht's?"),
    (
        "Eine um 1 °C niedrigere Temperatur, 1.850 € und 92,5 %.",
        "Eine um ein Grad Celsius niedrigere Temperatur, eintausendachthundertfünfzig Euro und "
        "zweiundneunzig Komma fünf Prozent.",
    ),
    (
        "Der Winter 2025/26 und Ein-/Ausgang.",
        "Der Winter zweitausendfünfundzwanzig auf sechsundzwanzig und Ein- und Ausgang.",
    ),
    ("Viel \u00a0 Raum\u00ad teilung\u200b hier  .", "Viel Raum teilung hier."),
    ("• Strom", "Strom"),
    ("🎉🎉", ""),
    ("🎉.", ""),
    ("https://www.tagesschau.de", "tagesschau.de"),
    ("redaktion@example.de", ""),
    ("„…“", ""),
]


@pytest.mark.parametrize(("display", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_to_spoken(display: str, expected: str) -> None:
    assert to_spoken(display) == expected


def test_normalize_is_the_extension_hook() -> None:
    assert normalize("Raum\u00adteilung  am   3. Oktober") == "Raumteilung am dritten Oktober"
    assert all(callable(step) for step in NORMALIZERS)


def test_to_spoken_is_deterministic() -> None:
    # Segment cache keys hash the spoken text: it must not depend on set or dict order, which
    # changes with the hash seed from one process to the next.
    text = "Mehr 🎉 auf https://www.tagesschau.de, „heute“: ca. 3 Mio. € für die EU und NATO."
    code = f"from audionews.speech.spoken import to_spoken; print(to_spoken({text!r}))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env=os.environ | {"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert outputs == {to_spoken(text) + "\n"}

"""Markdown stripping: the text a reader sees, without syntax."""

from __future__ import annotations

import pytest

from audionews.speech import strip_markdown

CASES: list[tuple[str, str]] = [
    ("**Fett** und *kursiv* und _auch kursiv_.", "Fett und kursiv und auch kursiv."),
    ("***Beides*** und __doppelt__ und ~~alt~~.", "Beides und doppelt und alt."),
    ("**fett _und_ kursiv**", "fett und kursiv"),
    ("Rechnung: 5 * 3 = 15", "Rechnung: 5 * 3 = 15"),
    ("Rechnung: 5*3*2", "Rechnung: 5*3*2"),
    ("Die Variable snake_case_name bleibt.", "Die Variable snake_case_name bleibt."),
    ("Die Funktion `a*b*c` ist Code.", "Die Funktion a*b*c ist Code."),
    ("Ein \\*Stern\\* ohne Betonung.", "Ein *Stern* ohne Betonung."),
    ("Lesen Sie [die Tagesschau](https://www.tagesschau.de).", "Lesen Sie die Tagesschau."),
    ('Ein [Link](https://de.wikipedia.org/wiki/Merkur_(Planet) "Titel") hier.', "Ein Link hier."),
    ("Ein [**fetter** Link](https://x.de) hier.", "Ein fetter Link hier."),
    (
        '![Atomteststopp-Vertrag](https://de.wikipedia.org/wiki/Atomteststopp-Abkommen "Wikipedia")',  # noqa: E501
        "Atomteststopp-Vertrag",
    ),
    ("Bild: ![](https://x.de/a.png) Ende.", "Bild: Ende."),
    ("Quelle: <https://www.tagesschau.de>", "Quelle: https://www.tagesschau.de"),
    (
        "Siehe https://de.wikipedia.org/wiki/Gewerkschaft_Deutscher_Lokomotivf%C3%BChrer jetzt.",
        "Siehe https://de.wikipedia.org/wiki/Gewerkschaft_Deutscher_Lokomotivf%C3%BChrer jetzt.",
    ),
    ("**In Kürze:**", "In Kürze:"),
    ("## Zwischentitel\nText folgt.", "Zwischentitel\n\nText folgt."),
    ("> Ein Zitat.", "Ein Zitat."),
    ("- Strom\n- Gas", "• Strom\n• Gas"),
    ("1. Punkt eins\n2. Punkt zwei", "1. Punkt eins\n2. Punkt zwei"),
    ("Absatz eins.\n\n\n\nAbsatz   zwei.", "Absatz eins.\n\nAbsatz zwei."),
    ('<strong>Fett</strong> und <a href="https://x.de">Link</a>', "Fett und Link"),
    ("Zeile<br>Zeile", "Zeile\nZeile"),
    ("Vergleich a <b und c> d", "Vergleich a <b und c> d"),
    (
        "Ohne Markdown bleibt alles, wie es ist: 92,5 % am 3. Oktober.",
        "Ohne Markdown bleibt alles, wie es ist: 92,5 % am 3. Oktober.",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_strip_markdown(text: str, expected: str) -> None:
    assert strip_markdown(text) == expected

"""Unsure flags: the tokens the normalizer guessed at, for the editors to check."""

from __future__ import annotations

import pytest

from audionews.speech import Normalized, build_script, normalize_with_flags, speak

FLAGGED: list[tuple[str, str, tuple[str, ...]]] = [
    # Unknown acronyms: spelled when unpronounceable, left otherwise; flagged either way.
    ("Das Gesetz EnWG gilt.", "Das Gesetz E N W G gilt.", ("EnWG",)),
    ("Die Firma XYZ wächst.", "Die Firma X Y Z wächst.", ("XYZ",)),
    ("Das Projekt KIKA läuft.", "Das Projekt KIKA läuft.", ("KIKA",)),
    ("EILMELDUNG aus Berlin.", "EILMELDUNG aus Berlin.", ("EILMELDUNG",)),
    # A number with a period that may be an ordinal.
    ("Er wurde 3.", "Er wurde drei.", ("3.",)),
    ("Sie kam als 3. Frau ins Amt.", "Sie kam als dritte Frau ins Amt.", ("3.",)),
    ("Ein 3. Platz.", "Ein dritter Platz.", ("3.",)),
    ("Freitag, der 13.", "Freitag, der dreizehnte.", ("13.",)),
    ("3. Platz für Aue.", "Dritter Platz für Aue.", ("3.",)),
    # Unknown abbreviations ending in a period.
    ("Es gilt ugs. so.", "Es gilt ugs. so.", ("ugs.",)),
    ("Es kam Fr. Müller.", "Es kam Fr. Müller.", ("Fr.",)),
    ("Die U.S.A. und mehr.", "Die U.S.A. und mehr.", ("U.S.A.",)),
    ("Das steht in Nr. und so.", "Das steht in Nr. und so.", ("Nr.",)),
    # Numbers the rules can only guess at.
    ("Version 3.11 ist da.", "Version drei Punkt elf ist da.", ("3.11",)),
    # a month, or issue 10 of 2024? (#14; "Heft 12/2024" names the issue and is sure)
    (
        "Im Zeitraum 10/2024 stieg es.",
        "Im Zeitraum Oktober zweitausendvierundzwanzig stieg es.",
        ("10/2024",),
    ),
    # A weekday before a date with no preposition: the article is the adverbial "den".
    (
        "Die Sitzung findet Di., 3. März statt.",
        "Die Sitzung findet Dienstag, den dritten März statt.",
        ("Dienstag",),
    ),
    # A weekday abbreviation with no weekday around it; a dash between names, no context.
    ("Mi. ist Ruhetag.", "Mittwoch ist Ruhetag.", ("Mi.",)),
    ("Köln–Bonn kooperiert.", "Köln, Bonn kooperiert.", ("Köln–Bonn",)),
    # Several flags, in order, each once.
    ("EnWG, XYZ und EnWG.", "E N W G, X Y Z und E N W G.", ("EnWG", "XYZ")),
]

SURE = [
    "Am 3. Oktober kostet es ca. 1.850 €.",
    "Die GDL streikt von 2:00 Uhr bis 14:30 Uhr.",
    "Der 1. FC Köln und die NATO.",
    "In der 14. Minute fiel das 1:0.",
    "Art. 1 Abs. 2 GG gilt z. B. auch hier.",
    "Der Winter 2025/26 mit 92,5 % und 20.000 kWh.",
    "Mehr auf www.tagesschau.de und tagesschau.de.",
    "Das ist. Im Herbst.",
    "Am Di., 3. März fährt der ICE Köln–Berlin nicht.",
    "Die Drucksache 21/1473 und der Winter 2024/25.",
    "Ab Mo.–Fr. und Sa./So. nach dem 3. km.",
]


@pytest.mark.parametrize(("text", "spoken", "flags"), FLAGGED, ids=[c[0] for c in FLAGGED])
def test_unsure_tokens_are_flagged(text: str, spoken: str, flags: tuple[str, ...]) -> None:
    assert speak(text) == Normalized(spoken, flags)


@pytest.mark.parametrize("text", SURE)
def test_known_forms_are_not_flagged(text: str) -> None:
    assert speak(text).flags == ()


def test_normalize_with_flags_unpacks_like_a_pair() -> None:
    text, flags = normalize_with_flags("Die EnWG gilt am 3. Oktober.")
    assert text == "Die E N W G gilt am dritten Oktober."
    assert flags == ("EnWG",)


def test_segments_carry_the_flags_of_their_sentence() -> None:
    body = (
        "Die Bundesregierung prüft Änderungen am Energiewirtschaftsgesetz (EnWG), und zwar "
        "gründlich, sorgfältig und ohne jede Eile, wie ein Sprecher am Dienstag in Berlin sagte. "
        "Danach kommt der Rest."
    )
    script = build_script("Titel", "", body, max_chars=60)
    first = [s for s in script if s.sentence == 1]
    assert len(first) > 1
    assert all(s.flags == ("EnWG",) for s in first)
    assert [s.flags for s in script if s.sentence != 1] == [(), ()]
    assert first[0].to_dict()["flags"] == ["EnWG"]

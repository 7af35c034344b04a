"""A news article dense with dates, weekdays, spans, routes and units, spoken end to end.

The fixture `dense_article.txt` packs the cases of issue #14 into running text, as editors
write it; the script must say every sentence as a newsreader would, flag nothing, and never
start a new piece (a pause) inside a date, a number and its noun, or after an article or
preposition.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from audionews.speech import Segment, build_script
from audionews.speech.numbers import word_set
from tests.speech.test_speech_script import SAMPLES, load, parse

ARTICLE = parse((Path(__file__).parent / "dense_article.txt").read_text(encoding="utf-8"))

SPOKEN = [
    "Bahn: Strecke von Köln nach Dortmund ab Montag, dem zweiten März gesperrt",
    "Die Deutsche Bahn sperrt die Strecke von Köln nach Dortmund von Montag, dem zweiten März, "
    "zweiundzwanzig Uhr, bis Freitag, den sechsten März zweitausendsechsundzwanzig, fünf Uhr.",
    "Betroffen sind rund dreihundertfünfzig Züge pro Tag, unter anderem der I C E von Köln "
    "nach Berlin.",
    "Fahrgäste sollen laut D B circa dreißig Minuten mehr Reisezeit einplanen.",
    "Ersatzbusse fahren Montag bis Freitag im zwanzig-Minuten-Takt, Samstag und Sonntag "
    "stündlich; der erste Bus startet um vier Uhr fünfundvierzig am Hauptbahnhof Köln.",
    "Der Bundestag berät am Dienstag, dem dritten März, über die Drucksache einundzwanzig "
    "Strich vierzehnhundertdreiundsiebzig zum Ausbau der Schiene.",
    "Im Haushalt zweitausendfünfundzwanzig bis sechsundzwanzig sind dafür vier Komma fünf "
    "Milliarden Euro vorgesehen, zwölf Prozent mehr als im Haushalt zweitausendvierundzwanzig "
    "bis zweitausendfünfundzwanzig.",
    "Bereits im Winter zweitausendvierundzwanzig auf fünfundzwanzig waren auf der Strecke mehr "
    "als eintausendzweihundertfünfzig Züge ausgefallen, allein am vierten November "
    "sechsundachtzig.",
    "Nach dem dritten Kilometer hinter Leverkusen gilt künftig Tempo achtzig Kilometer pro Stunde.",
    "Das Spiel Köln gegen Dortmund am Samstag, dem siebten März, um achtzehn Uhr dreißig "
    "findet trotzdem statt: Die D B setzt zwölf Sonderzüge mit je einem Wagen mehr ein.",
    "Ab Sonntag, dem achten März, fahren die Züge wieder nach Plan.",
]

# A piece that ends on one of these leaves its phrase hanging: an article or a preposition
# waits for its noun, a number for what it counts, "Komma" and "Strich" for the next number.
HANGING = word_set(
    """
    der die das den dem des ein eine einen einem einer am im vom zum zur beim ins an auf aus
    bei bis mit nach seit von vor zu in über um für gegen ab je pro als Komma Strich Uhr
    """
)
NUMBER_ENDINGS = (
    *("zig", "ßig", "hundert", "tausend", "zehn", "zwei", "drei", "vier", "fünf", "sechs"),
    *("sieben", "acht", "neun", "elf", "zwölf", "zweiten", "dritten", "vierten", "sechsten"),
    *("siebten", "achten", "zigsten"),
)


def sentences(script: list[Segment]) -> list[list[Segment]]:
    """Group the segments of a script by sentence."""
    grouped: dict[int, list[Segment]] = {}
    for segment in script:
        grouped.setdefault(segment.sentence, []).append(segment)
    return list(grouped.values())


# A number may end a piece when the next one opens a phrase of its own ("... sechsundzwanzig |
# mit leicht sinkenden Gaspreisen"), never before "auf", "bis" or "und" and another number.
OPENING = word_set("mit bei für in im am nach von vor seit über unter aber dass weil")


def hanging_cuts(script: list[Segment]) -> list[str]:
    """Return the pieces (not the last of their sentence) that end inside a phrase."""
    torn = []
    for pieces in sentences(script):
        for piece, following in itertools.pairwise(pieces):
            last, first = piece.spoken.split()[-1], following.spoken.split()[0]
            if last in HANGING or (last.endswith(NUMBER_ENDINGS) and first not in OPENING):
                torn.append(f"{piece.spoken} | {following.spoken}")
    return torn


def test_every_sentence_is_said_as_a_newsreader_would() -> None:
    script = build_script(*ARTICLE)
    assert [" ".join(s.spoken for s in pieces) for pieces in sentences(script)] == SPOKEN
    assert all(segment.flags == () for segment in script)


def test_no_pause_inside_a_phrase_of_the_dense_article() -> None:
    script = build_script(*ARTICLE)
    assert any(len(pieces) > 2 for pieces in sentences(script))  # long sentences are packed
    assert hanging_cuts(script) == []


@pytest.mark.parametrize("name", SAMPLES)
def test_no_pause_inside_a_phrase_of_the_samples(name: str) -> None:
    assert hanging_cuts(build_script(*load(name))) == []

"""Readings that depend on the words around them: weekdays, slashes, dashes between names.

Each row is a displayed sentence, the exact spoken text and the tokens flagged as unsure
(issue #14: the gaps found in real news text, and their neighbours).
"""

from __future__ import annotations

import pytest

from audionews.speech import Normalized, speak, split_sentences

Case = tuple[str, str, tuple[str, ...]]

WEEKDAYS: list[Case] = [
    ("Am Di., 3. März tagt der Rat.", "Am Dienstag, dem dritten März tagt der Rat.", ()),
    ("Am Mo., 2. März beginnt es.", "Am Montag, dem zweiten März beginnt es.", ()),
    (
        "Am Mi., 4. März 2026 wird gewählt.",
        "Am Mittwoch, dem vierten März zweitausendsechsundzwanzig wird gewählt.",
        (),
    ),
    ("Am Do., 5.3. streikt die GDL.", "Am Donnerstag, dem fünften März streikt die G D L.", ()),
    (
        "Am Fr., 06.03.2026 ist Schluss.",
        "Am Freitag, dem sechsten März zweitausendsechsundzwanzig ist Schluss.",
        (),
    ),
    ("Am Sa., 7. März spielt Köln.", "Am Samstag, dem siebten März spielt Köln.", ()),
    ("Am So., 8. März wird gewählt.", "Am Sonntag, dem achten März wird gewählt.", ()),
    # the comma a newsreader says is there even when the writer left it out
    ("Am Di. 3. März tagt der Rat.", "Am Dienstag, dem dritten März tagt der Rat.", ()),
    ("Am Dienstag, 3. März tagt der Rat.", "Am Dienstag, dem dritten März tagt der Rat.", ()),
    ("Am Dienstag 3. März tagt der Rat.", "Am Dienstag, dem dritten März tagt der Rat.", ()),
    ("Am Di.,3. März tagt der Rat.", "Am Dienstag, dem dritten März tagt der Rat.", ()),
    (
        "Am Mittwoch, 4. März 2026, um 10 Uhr.",
        "Am Mittwoch, dem vierten März zweitausendsechsundzwanzig, um zehn Uhr.",
        (),
    ),
    # the article follows the case the word before the weekday asks for
    ("Ab Mo., 2. März gilt der Fahrplan.", "Ab Montag, dem zweiten März gilt der Fahrplan.", ()),
    ("Bis Fr., 6. März bleibt es zu.", "Bis Freitag, den sechsten März bleibt es zu.", ()),
    (
        "Vom Mo., 2. März bis zum Fr., 6. März.",
        "Vom Montag, dem zweiten März bis zum Freitag, dem sechsten März.",
        (),
    ),
    (
        "Für Do., 27.11., ruft die GDL zum Streik auf.",
        "Für Donnerstag, den siebenundzwanzigsten November, ruft die G D L zum Streik auf.",
        (),
    ),
    ("Heute ist Dienstag, 3. März.", "Heute ist Dienstag, der dritte März.", ()),
    ("Dienstag, 3. März: Der Rat tagt.", "Dienstag, der dritte März: Der Rat tagt.", ()),
    ("Di, 3. März: Der Rat tagt.", "Dienstag, der dritte März: Der Rat tagt.", ()),
    (
        "Die Sitzung findet Donnerstag, 27. November, statt.",
        "Die Sitzung findet Donnerstag, den siebenundzwanzigsten November, statt.",
        ("Donnerstag",),
    ),
    # ranges, lists and other weekday contexts
    (
        "Geöffnet ist Mo.–Fr. von 9 bis 18 Uhr.",
        "Geöffnet ist Montag bis Freitag von neun bis achtzehn Uhr.",
        (),
    ),
    ("Geöffnet ist Mo.-Do.", "Geöffnet ist Montag bis Donnerstag.", ()),
    ("Busse fahren Sa./So. stündlich.", "Busse fahren Samstag und Sonntag stündlich.", ()),
    ("Sie ist Mo., Mi. und Fr. geöffnet.", "Sie ist Montag, Mittwoch und Freitag geöffnet.", ()),
    ("Am Sa. und So. ist zu.", "Am Samstag und Sonntag ist zu.", ()),
    ("Die Sitzung ist am Fr.", "Die Sitzung ist am Freitag.", ()),
    ("Der Kurs beginnt Mi. 14 Uhr.", "Der Kurs beginnt Mittwoch vierzehn Uhr.", ()),
    ("Jeden Do. tagt der Rat.", "Jeden Donnerstag tagt der Rat.", ()),
    # no context: "Di." has no other reading (espeak would say "die"), but it is a guess
    ("Di. ist Ruhetag.", "Dienstag ist Ruhetag.", ("Di.",)),
]

SLASHES: list[Case] = [
    (
        "Im Winter 2025/2026 sinken die Preise.",
        "Im Winter zweitausendfünfundzwanzig auf zweitausendsechsundzwanzig sinken die Preise.",
        (),
    ),
    (
        "Die Heizperiode 2024/25 war mild.",
        "Die Heizperiode zweitausendvierundzwanzig auf fünfundzwanzig war mild.",
        (),
    ),
    (
        "Zum Jahreswechsel 2025/26 steigen die Preise.",
        "Zum Jahreswechsel zweitausendfünfundzwanzig auf sechsundzwanzig steigen die Preise.",
        (),
    ),
    (
        "Das Schuljahr 1990/91 begann.",
        "Das Schuljahr neunzehnhundertneunzig bis einundneunzig begann.",
        (),
    ),
    (
        "Die Saison 1999/00 endete.",
        "Die Saison neunzehnhundertneunundneunzig bis zweitausend endete.",
        (),
    ),
    (
        "Der Haushalt 2024/2025 steht.",
        "Der Haushalt zweitausendvierundzwanzig bis zweitausendfünfundzwanzig steht.",
        (),
    ),
    (
        "Drucksache 21/1473 liegt vor.",
        "Drucksache einundzwanzig Strich vierzehnhundertdreiundsiebzig liegt vor.",
        (),
    ),
    (
        "Das steht in Drs. 21/1473.",
        "Das steht in Drucksache einundzwanzig Strich vierzehnhundertdreiundsiebzig.",
        (),
    ),
    (
        "Die Bundestagsdrucksache 20/5 fehlt.",
        "Die Bundestagsdrucksache zwanzig Strich fünf fehlt.",
        (),
    ),
    (
        "Az. 12/2024 ist erledigt.",
        "Aktenzeichen zwölf Strich zweitausendvierundzwanzig ist erledigt.",
        (),
    ),
    ("Heft 12/2024 erscheint.", "Heft zwölf Strich zweitausendvierundzwanzig erscheint.", ()),
    ("Nr. 5/6 fehlt.", "Nummer fünf Strich sechs fehlt.", ()),
    (
        "Die Verordnung (EU) 2016/679 gilt.",
        "Die Verordnung, E U, zweitausendsechzehn Strich sechshundertneunundsiebzig gilt.",
        (),
    ),
    (
        "Die Rechtssache C-311/18 ist entschieden.",
        "Die Rechtssache C-dreihundertelf Strich achtzehn ist entschieden.",
        (),
    ),
    ("Er ist 24/7 erreichbar.", "Er ist vierundzwanzig sieben erreichbar.", ()),
    ("Rund 3/4 der Befragten stimmen zu.", "Rund drei Viertel der Befragten stimmen zu.", ()),
    ("Nur 1/3 der Stimmen fehlt.", "Nur ein Drittel der Stimmen fehlt.", ()),
    ("Die 2/3-Mehrheit fehlt.", "Die zwei-Drittel-Mehrheit fehlt.", ()),
    ("Am 3./4. März tagt der Gipfel.", "Am dritten und vierten März tagt der Gipfel.", ()),
    # what the context cannot decide is read literally, or by the likelier reading, and flagged
    ("Stand 03/2025 gilt.", "Stand März zweitausendfünfundzwanzig gilt.", ("03/2025",)),
    ("Die Klassen 5/6 lernen.", "Die Klassen fünf Strich sechs lernen.", ("5/6",)),
    (
        "In den Jahren 2020/22 stieg es.",
        "In den Jahren zweitausendzwanzig bis zweiundzwanzig stieg es.",
        ("2020/22",),
    ),
    ("Gleis 1/2/3 ist zu.", "Gleis eins Strich zwei Strich drei ist zu.", ("1/2/3",)),
]

ROUTES: list[Case] = [
    (
        "Die Strecke Köln–Dortmund ist gesperrt.",
        "Die Strecke von Köln nach Dortmund ist gesperrt.",
        (),
    ),
    (
        "Die ICE-Strecke Köln–Frankfurt ist frei.",
        "Die I C E-Strecke von Köln nach Frankfurt ist frei.",
        (),
    ),
    (
        "Der ICE Köln–Frankfurt–Basel fällt aus.",
        "Der I C E von Köln über Frankfurt nach Basel fällt aus.",
        (),
    ),
    (
        "Die Verbindung von Köln–Dortmund fällt aus.",
        "Die Verbindung von Köln nach Dortmund fällt aus.",
        (),
    ),
    ("Züge zwischen Köln–Dortmund fallen aus.", "Züge zwischen Köln und Dortmund fallen aus.", ()),
    (
        "Der Flug Frankfurt–New York ist voll.",
        "Der Flug von Frankfurt nach New York ist voll.",
        (),
    ),
    (
        "Die Strecke Frankfurt am Main–Berlin ist frei.",
        "Die Strecke von Frankfurt am Main nach Berlin ist frei.",
        (),
    ),
    (
        "Die Strecke Offenburg–Baden-Baden ist frei.",
        "Die Strecke von Offenburg nach Baden-Baden ist frei.",
        (),
    ),
    (
        "Das Spiel Bayern–Dortmund endete 2:1.",
        "Das Spiel Bayern gegen Dortmund endete zwei zu eins.",
        (),
    ),
    (
        "Das Pokalfinale Leipzig–Frankfurt steigt heute.",
        "Das Pokalfinale Leipzig gegen Frankfurt steigt heute.",
        (),
    ),
    # a hyphen is read as a route only right after a route word, and flagged
    (
        "Der Zug Köln-Dortmund fällt aus.",
        "Der Zug von Köln nach Dortmund fällt aus.",
        ("Köln-Dortmund",),
    ),
    # no context: a short break, and the editors decide what kind of pair it is
    ("Köln–Dortmund ist gesperrt.", "Köln, Dortmund ist gesperrt.", ("Köln–Dortmund",)),
]

ORDINAL_UNITS: list[Case] = [
    ("Nach dem 3. km wird es steil.", "Nach dem dritten Kilometer wird es steil.", ()),
    ("In der 90. min fiel das Tor.", "In der neunzigsten Minute fiel das Tor.", ()),
    ("In der 2. Std. kam die Wende.", "In der zweiten Stunde kam die Wende.", ()),
    ("Beim 5. km lag er vorn.", "Beim fünften Kilometer lag er vorn.", ()),
]

CASE_AGREEMENT: list[Case] = [
    ("Mit je 1 Wagen mehr.", "Mit je einem Wagen mehr.", ()),
    ("Mit nur 1 Stimme Mehrheit.", "Mit nur einer Stimme Mehrheit.", ()),
    ("Mit rund 1 km Vorsprung.", "Mit rund einem Kilometer Vorsprung.", ()),
    ("Er wartet am Hbf. Köln.", "Er wartet am Hauptbahnhof Köln.", ()),
]

# Every row above fails on the normalizer before issue #14. The guards below read the same
# before and after: they keep the new rules from reaching too far.
GUARDS: list[Case] = [
    # "So." opening a sentence is the word "so"; "Fr." before a name is "Frau"
    ("So. Jetzt reicht es.", "So. Jetzt reicht es.", ()),
    ("Es kamen Fr. Müller und Fr. Schulz.", "Es kamen Fr. Müller und Fr. Schulz.", ("Fr.",)),
    ("Das war so. Aber nicht immer.", "Das war so. Aber nicht immer.", ()),
    # compounds and double names of places stay one word
    (
        "Baden-Württemberg und Nordrhein-Westfalen wählen.",
        "Baden-Württemberg und Nordrhein-Westfalen wählen.",
        (),
    ),
    ("Die Strecke Berlin-Mitte ist zu.", "Die Strecke Berlin-Mitte ist zu.", ()),
    ("Der Zug nach Berlin-Spandau fährt.", "Der Zug nach Berlin-Spandau fährt.", ()),
    ("Die Köln–Dortmund-Strecke ist zu.", "Die Köln-Dortmund-Strecke ist zu.", ()),
    ("Der Rat von Nato-Staaten tagt.", "Der Rat von Nato-Staaten tagt.", ()),
    ("Zum Beispiel Nato-Gipfel.", "Zum Beispiel Nato-Gipfel.", ()),
    ("Er fuhr 130 km/h.", "Er fuhr einhundertdreißig Kilometer pro Stunde.", ()),
]

NEW = [*WEEKDAYS, *SLASHES, *ROUTES, *ORDINAL_UNITS, *CASE_AGREEMENT]
CASES = [*NEW, *GUARDS]


def test_every_case_is_different() -> None:
    assert len({display for display, _, _ in CASES}) == len(CASES)
    assert len(NEW) >= 70


@pytest.mark.parametrize(("display", "spoken", "flags"), CASES, ids=[c[0][:50] for c in CASES])
def test_spoken_in_context(display: str, spoken: str, flags: tuple[str, ...]) -> None:
    assert speak(display) == Normalized(spoken, flags)


@pytest.mark.parametrize("spoken", [c[1] for c in CASES], ids=[c[0][:50] for c in CASES])
def test_spoken_text_is_said_as_it_stands(spoken: str) -> None:
    assert speak(spoken).text == spoken


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # new: "So." and "Hbf." before a date or a name do not end the sentence
        ("Am So. 8. März wird gewählt. Gut.", ["Am So. 8. März wird gewählt.", "Gut."]),
        ("Er wartet am Hbf. Köln. Dann nicht.", ["Er wartet am Hbf. Köln.", "Dann nicht."]),
        # guards: before a sentence opener they still do
        ("Wir kommen am So. Dann nicht.", ["Wir kommen am So.", "Dann nicht."]),
        ("So. Jetzt reicht es.", ["So.", "Jetzt reicht es."]),
        ("Am Di. 3. März tagt er. Gut.", ["Am Di. 3. März tagt er.", "Gut."]),
        ("Er wartet am Hbf. Dann nicht.", ["Er wartet am Hbf.", "Dann nicht."]),
    ],
)
def test_weekday_abbreviations_keep_their_sentence(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences

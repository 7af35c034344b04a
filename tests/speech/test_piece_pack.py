"""Packing a spoken sentence into engine-sized pieces."""

from __future__ import annotations

import pytest

from audionews.speech import pack

LONG = (
    "Die GDL hat für Donnerstag einen Warnstreik im Personenverkehr angekündigt, und die "
    "Deutsche Bahn rechnet deshalb mit massiven Ausfällen im Fern- und Regionalverkehr; "
    "Reisende sollen sich rechtzeitig informieren."
)
SENTENCES = [
    LONG,
    "Deshalb muss die Allianz ihre Unterstützung für die Ukraine stärken und zusammen mit ihren "
    "Partnern sicherstellen, dass Russland seine Angriffe auf Kiew nicht erfolgreich durchzieht.",
    "In diesem Kontext forderte Nato-Generalsekretär Mark Rutte angesichts des Einsatzes "
    "nordkoreanischer Soldaten in der russischen Grenzregion Kursk eine stärkere Unterstützung.",
    "Im Kern geht es um die Forderung der GDL nach einer Absenkung der Wochenarbeitszeit von 38 "
    "auf 35 Stunden bei vollem Lohnausgleich.",
    "wort " * 80,
]


@pytest.mark.parametrize("text", SENTENCES, ids=range(len(SENTENCES)))
def test_pieces_fit_and_keep_the_words(text: str) -> None:
    pieces = pack(text, 100)
    assert all(0 < len(p) <= 100 for p in pieces)
    assert all(p == p.strip() for p in pieces)
    assert " ".join(pieces).split() == text.split()


@pytest.mark.parametrize("max_chars", [30, 40, 60, 100, 150])
def test_limit_is_respected_for_any_size(max_chars: int) -> None:
    for text in SENTENCES:
        pieces = pack(text, max_chars)
        assert all(0 < len(p) <= max_chars for p in pieces)
        assert " ".join(pieces).split() == text.split()


def test_short_sentence_is_one_piece() -> None:
    assert pack("  Die Gasspeicher   sind gut gefüllt. ") == ["Die Gasspeicher sind gut gefüllt."]


def test_exactly_max_chars_is_one_piece() -> None:
    text = ("a" * 49) + " " + ("b" * 50)
    assert pack(text, 100) == [text]


def test_empty_text_gives_no_pieces() -> None:
    assert pack("") == []
    assert pack("   ") == []


def test_clause_boundaries_are_preferred() -> None:
    pieces = pack(LONG, 100)
    # Every cut is at a clause boundary: after a comma or semicolon.
    assert [p[-1] for p in pieces[:-1]] == [",", ";"]


def test_semicolon_beats_comma() -> None:
    text = (
        "Die Bahn will einen Notfahrplan anbieten, sagt ein Sprecher; im Fernverkehr soll "
        "etwa jeder fünfte Zug fahren, im Regionalverkehr mehr."
    )
    assert pack(text, 100)[0].endswith(";")


def test_dash_is_a_boundary() -> None:
    text = (
        "Die Gasspeicher in Deutschland sind nach Angaben der Bundesnetzagentur gut gefüllt – "
        "eine Gasmangellage gilt in diesem Winter als sehr unwahrscheinlich."
    )
    assert pack(text, 100)[0].endswith("–")


def test_conjunction_is_preferred_over_a_plain_space() -> None:
    pieces = pack(SENTENCES[1], 100)
    assert pieces[1].startswith("und ")
    assert pieces[2].startswith("dass ")


def test_number_stays_with_its_unit() -> None:
    pieces = pack(SENTENCES[3], 100)
    assert all(not p.endswith("35") for p in pieces)
    assert len(pieces) == 2


def test_pieces_are_balanced_not_greedy() -> None:
    text = (
        "Die Lokführergewerkschaft GDL hat für Donnerstag einen 24-stündigen Warnstreik im "
        "Personenverkehr angekündigt."
    )
    pieces = pack(text, 100)
    assert len(pieces) == 2
    assert min(len(p) for p in pieces) > 30


def test_hyphenated_word_waits_for_its_noun() -> None:
    text = (
        "Die Bahn rechnet wegen des Streiks am Donnerstag mit massiven Ausfällen im Fern- und "
        "Regionalverkehr in ganz Deutschland."
    )
    assert all(not p.endswith("Fern-") for p in pack(text, 100))


def test_words_longer_than_the_limit_are_split_hard_at_any_size() -> None:
    pieces = pack(SENTENCES[0], 20)
    assert all(0 < len(p) <= 20 for p in pieces)
    assert "".join(pieces).replace(" ", "") == SENTENCES[0].replace(" ", "")


def test_long_word_is_split_hard() -> None:
    word = "X" * 150
    pieces = pack(f"Kurz {word} danach.", 100)
    assert all(len(p) <= 100 for p in pieces)
    assert "".join(pieces).replace(" ", "") == f"Kurz{word}danach."
    assert word[:100] in pieces


def test_word_longer_than_two_pieces() -> None:
    assert pack("y" * 250, 100) == ["y" * 100, "y" * 100, "y" * 50]


def test_pack_is_deterministic() -> None:
    assert len({tuple(pack(text, 60)) for text in SENTENCES for _ in range(3)}) == len(SENTENCES)


def test_max_chars_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        pack("Text", 0)


# Packing sees normalized text: the numbers are words by now, so digits cannot mark them.
WHOLE_PHRASES = [
    (
        "Nach Angaben der Bundesnetzagentur lag der Füllstand am vierten November bei "
        "zweiundneunzig Komma fünf Prozent.",
        ["am vierten November", "zweiundneunzig Komma fünf Prozent"],
    ),
    (
        "Die Bundesnetzagentur rechnet für den Winter zweitausendfünfundzwanzig auf "
        "sechsundzwanzig mit leicht sinkenden Gaspreisen.",
        ["den Winter zweitausendfünfundzwanzig auf sechsundzwanzig"],
    ),
    (
        "Die Lokführergewerkschaft G D L hat für Donnerstag einen vierundzwanzigstündigen "
        "Warnstreik im Personenverkehr angekündigt.",
        ["einen vierundzwanzigstündigen Warnstreik"],
    ),
    (
        "Der Bundestag berät heute in zweiter Lesung über die Drucksache einundzwanzig Strich "
        "vierzehnhundertdreiundsiebzig zum Ausbau der Schiene.",
        ["die Drucksache einundzwanzig Strich vierzehnhundertdreiundsiebzig"],
    ),
    (
        "Bereits im Winter zweitausendvierundzwanzig auf fünfundzwanzig waren auf der Strecke "
        "mehr als eintausendzweihundertfünfzig Züge ausgefallen, allein am vierten November "
        "sechsundachtzig.",
        ["im Winter zweitausendvierundzwanzig auf fünfundzwanzig", "mehr als eintausend"],
    ),
    (
        "Das Spiel in Dortmund beginnt am Samstag um achtzehn Uhr dreißig und wird von rund "
        "achtzigtausend Menschen im Stadion erwartet.",
        ["um achtzehn Uhr dreißig", "von rund achtzigtausend Menschen"],
    ),
]


@pytest.mark.parametrize(("text", "phrases"), WHOLE_PHRASES, ids=range(len(WHOLE_PHRASES)))
def test_dates_numbers_and_their_nouns_stay_in_one_piece(text: str, phrases: list[str]) -> None:
    pieces = pack(text, 100)
    assert len(pieces) > 1
    for phrase in phrases:
        assert any(phrase in piece for piece in pieces), (phrase, pieces)


def test_a_piece_ends_after_a_number_before_a_preposition() -> None:
    text = WHOLE_PHRASES[1][0]
    assert pack(text, 100)[0].endswith("auf sechsundzwanzig")


def test_the_limit_wins_when_nothing_else_fits() -> None:
    text = "am vierten November " * 8
    pieces = pack(text, 30)
    assert all(0 < len(p) <= 30 for p in pieces)
    assert " ".join(pieces).split() == text.split()

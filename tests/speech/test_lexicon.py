"""The editors' pronunciation lexicon."""

from __future__ import annotations

import pytest

from audionews.speech import Lexicon, LexiconEntry, build_script, speak


def lexicon(*entries: LexiconEntry) -> Lexicon:
    return Lexicon(entries)


def test_whole_word_entries_do_not_match_inside_words() -> None:
    lex = lexicon(LexiconEntry("Rutte", "Rütte"))
    assert lex.apply("Rutte sagt, Ruttes Plan") == "Rütte sagt, Ruttes Plan"


def test_part_of_word_entries_match_inside_words() -> None:
    lex = lexicon(LexiconEntry("Rutte", "Rütte", whole_word=False))
    assert lex.apply("Rutte sagt, Ruttes Plan") == "Rütte sagt, Rüttes Plan"


def test_matching_ignores_case_unless_asked() -> None:
    loose = lexicon(LexiconEntry("rutte", "Rütte"))
    assert loose.apply("RUTTE und Rutte") == "Rütte und Rütte"
    strict = lexicon(LexiconEntry("AfD", "A F D", case_sensitive=True))
    assert strict.apply("AfD und AFD") == "A F D und AFD"


def test_longest_written_form_wins() -> None:
    lex = lexicon(
        LexiconEntry("Bahn", "Baan"),
        LexiconEntry("Deutsche Bahn", "Deutsche Bahnen AG"),
    )
    assert lex.apply("Die Deutsche Bahn und die Bahn") == "Die Deutsche Bahnen AG und die Baan"


def test_case_sensitive_entry_wins_over_a_loose_one_of_the_same_length() -> None:
    lex = lexicon(
        LexiconEntry("WHO", "Weltgesundheitsorganisation", case_sensitive=True),
        LexiconEntry("who", "hu"),
    )
    assert lex.apply("Die WHO, who?") == "Die Weltgesundheitsorganisation, hu?"


def test_replacements_are_not_matched_again() -> None:
    lex = lexicon(LexiconEntry("Kiew", "Kyjiw"), LexiconEntry("Kyjiw", "Kiew"))
    assert lex.apply("Kiew und Kyjiw") == "Kyjiw und Kiew"
    grows = lexicon(LexiconEntry("Nato", "Nato Nato"))
    assert grows.apply("Die Nato.") == "Die Nato Nato."


def test_spaces_in_written_forms_match_any_whitespace() -> None:
    lex = lexicon(LexiconEntry("Mark  Rutte", "Mark Rütte"))
    assert lex.apply("Mark\u00a0Rutte und Mark Rutte") == "Mark Rütte und Mark Rütte"


def test_matches() -> None:
    lex = lexicon(LexiconEntry("Rutte", "Rütte"))
    assert lex.matches("Mark Rutte sagt")
    assert not lex.matches("Ruttes Plan")
    assert not Lexicon().matches("Rutte")
    assert Lexicon().apply("Rutte") == "Rutte"


def test_lexicon_is_immutable_hashable_and_order_free() -> None:
    a = LexiconEntry("Rutte", "Rütte")
    b = LexiconEntry("Kiew", "Kyjiw")
    assert Lexicon([a, b]) == Lexicon([b, a])
    assert hash(Lexicon([a, b])) == hash(Lexicon([b, a]))
    assert len({Lexicon([a, b]), Lexicon([b, a])}) == 1
    assert Lexicon([a]) != Lexicon([b])
    assert list(Lexicon([a, b])) == [a, b]  # longest written form first
    with pytest.raises(AttributeError):
        Lexicon([a]).extra = ()  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        a.spoken = "x"  # type: ignore[misc]


def test_a_later_entry_for_the_same_form_replaces_the_earlier() -> None:
    lex = Lexicon([LexiconEntry("Rutte", "Rütte"), LexiconEntry("rutte", "Rutté")])
    assert len(lex) == 1
    assert lex.apply("Rutte") == "Rutté"


def test_an_empty_written_form_is_refused() -> None:
    with pytest.raises(ValueError):
        LexiconEntry(" ", "nichts")


def test_editor_wins_over_the_automatic_normalization() -> None:
    lex = lexicon(
        LexiconEntry("EnWG", "Energiewirtschaftsgesetz"),
        LexiconEntry("GDL", "Ge De El"),
        LexiconEntry("Windows 11", "Windows elf"),
    )
    said = speak("Die GDL und das EnWG (EnWG) unter Windows 11 am 3. Oktober.", lex)
    assert said.text == (
        "Die Ge De El und das Energiewirtschaftsgesetz, Energiewirtschaftsgesetz, "
        "unter Windows elf am dritten Oktober."
    )
    assert said.flags == ()


def test_lexicon_output_is_not_normalized_again() -> None:
    lex = lexicon(LexiconEntry("Rutte", "Rutte 2 NATO"))
    assert speak("Rutte kam.", lex).text == "Rutte 2 NATO kam."


def test_lexicon_does_not_touch_domains() -> None:
    lex = lexicon(LexiconEntry("tagesschau", "Tagesschau", whole_word=False))
    assert speak("Mehr auf www.tagesschau.de von der tagesschau.", lex).text == (
        "Mehr auf tagesschau.de von der Tagesschau."
    )


def test_build_script_applies_the_lexicon_for_every_sentence() -> None:
    lex = lexicon(LexiconEntry("Rutte", "Rütte"), LexiconEntry("GDL", "Ge De El"))
    script = build_script(
        "GDL: Rutte spricht", "Rutte kommt.", "Die GDL streikt. Rutte auch.", lexicon=lex
    )
    assert [s.spoken for s in script] == [
        "Ge De El: Rütte spricht",
        "Rütte kommt.",
        "Die Ge De El streikt.",
        "Rütte auch.",
    ]
    assert [s.display for s in script] == [
        "GDL: Rutte spricht",
        "Rutte kommt.",
        "Die GDL streikt.",
        "Rutte auch.",
    ]
    without = build_script("GDL: Rutte spricht", "Rutte kommt.", "Die GDL streikt. Rutte auch.")
    assert without[0].spoken == "G D L: Rutte spricht"

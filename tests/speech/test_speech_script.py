"""The speech script of whole articles, built from the bundled sample articles."""

from __future__ import annotations

import itertools
import random
from importlib.resources import files
from typing import NamedTuple

import pytest

from audionews.speech import SECTIONS, Pauses, Segment, build_script, spoken_text, to_spoken

PAUSES = Pauses()
MARKERS = {"**In Kürze:**": "summary", "**Hauptartikel:**": "body", "**Mehr Wissen:**": "links"}


class Article(NamedTuple):
    title: str
    summary: str
    body: str


def load(name: str) -> Article:
    """Read a bundled sample article."""
    return parse(files("audionews").joinpath("samples", name).read_text(encoding="utf-8"))


def parse(text: str) -> Article:
    """Read an article: title line, then sections after their marker lines."""
    lines = text.splitlines()
    parts: dict[str, list[str]] = {"summary": [], "body": [], "links": []}
    current = "links"
    for line in lines[1:]:
        if line.strip() in MARKERS:
            current = MARKERS[line.strip()]
        elif line.strip():
            parts[current].append(line.strip())
    # One line per paragraph in the file; the article model joins paragraphs with blank lines.
    return Article(lines[0], "\n\n".join(parts["summary"]), "\n\n".join(parts["body"]))


SAMPLES = sorted(
    p.name for p in files("audionews").joinpath("samples").iterdir() if p.name.endswith(".txt")
)


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 3


@pytest.fixture(params=SAMPLES)
def sample(request: pytest.FixtureRequest) -> Article:
    return load(request.param)


def expected_pause(segment: Segment, following: Segment | None) -> int:
    if following is None:
        return 0
    if following.section != segment.section:
        return PAUSES.section_ms
    if following.paragraph != segment.paragraph:
        return PAUSES.paragraph_ms
    if following.sentence != segment.sentence:
        return PAUSES.sentence_ms
    return PAUSES.piece_ms


def test_script_of_sample(sample: Article) -> None:
    script = build_script(*sample)

    assert script[0].section == "title"
    assert script[0].display == sample.title.strip()
    assert script[0].paragraph == 0
    assert [s.section for s in script if s.section == "title"] == ["title"]

    sections = [s.section for s in script]
    assert sections == sorted(sections, key=SECTIONS.index)
    assert set(sections) == set(SECTIONS)

    assert [s.index for s in script] == list(range(len(script)))
    assert all(0 < len(s.spoken) <= 100 for s in script)
    assert all("*" not in s.display and "](" not in s.display for s in script)

    # Sentence numbers count up by one across the script; pieces of a sentence share one.
    numbers = [s.sentence for s in script]
    assert numbers[0] == 0
    assert all(b - a in (0, 1) for a, b in itertools.pairwise(numbers))
    for number in set(numbers):
        pieces = [s for s in script if s.sentence == number]
        assert len({(s.display, s.section, s.paragraph) for s in pieces}) == 1

    for segment, following in zip(script, [*script[1:], None], strict=True):
        assert segment.pause_ms == expected_pause(segment, following)
    assert script[-1].pause_ms == 0
    title_end = script[0]
    assert title_end.pause_ms == PAUSES.section_ms
    summary_end = [s for s in script if s.section == "summary"][-1]
    assert summary_end.pause_ms == PAUSES.section_ms

    # Paragraph numbers count from 0 within each section.
    for section in ("summary", "body"):
        paragraphs = [s.paragraph for s in script if s.section == section]
        assert paragraphs[0] == 0
        assert all(b - a in (0, 1) for a, b in itertools.pairwise(paragraphs))


def test_script_keeps_every_word(sample: Article) -> None:
    script = build_script(*sample)
    displays = [
        s.display for s in script if s.index == 0 or s.sentence != script[s.index - 1].sentence
    ]
    spoken = spoken_text(script).split()
    # Packing loses nothing: the pieces are each sentence's spoken text, in order.
    assert spoken == " ".join(to_spoken(display) for display in displays).split()
    # Normalization rewrites numbers, abbreviations and acronyms, but every ordinary word of the
    # display is still spoken, in order.
    words = iter(spoken)
    for display in displays:
        for word in display.split():
            bare = word.strip('.,:;!?()„“"')
            abbreviation = word.endswith(".") and len(bare) <= 4  # "ca.", "usw."
            if bare.isalpha() and bare[1:].islower() and not abbreviation:
                assert any(w.strip(".,:;!?") == bare for w in words), bare


def test_script_is_deterministic(sample: Article) -> None:
    first = build_script(*sample)
    assert build_script(*sample) == first
    assert [s.to_dict() for s in build_script(*sample)] == [s.to_dict() for s in first]


def test_sample_sentences_are_split_as_written() -> None:
    script = build_script(*load("bahnstreik.txt"))
    displays = list(dict.fromkeys(s.display for s in script))
    assert (
        "Die Gewerkschaft Deutscher Lokomotivführer (GDL) ruft ihre Mitglieder für Donnerstag, "
        "den 27. November, von 2:00 Uhr bis Freitag 2:00 Uhr zum Warnstreik auf."
    ) in displays
    assert "Die Bahn hält das u. a. wegen des Fachkräftemangels für nicht umsetzbar." in displays
    energy = build_script(*load("energiepreise.txt"))
    assert any(
        s.display.endswith("z. B. durch eine um 1 °C niedrigere Raumtemperatur.") for s in energy
    )


def test_changing_one_body_sentence_changes_only_its_segments(sample: Article) -> None:
    before = build_script(*sample)
    body_sentences = [s for s in before if s.section == "body"]
    target = body_sentences[len(body_sentences) // 2]
    original = target.display
    words = original.split()
    changed = " ".join([*words[:-1], "geändert", words[-1]])
    assert sample.body.count(original) == 1
    after = build_script(sample.title, sample.summary, sample.body.replace(original, changed))

    assert len(after) >= len(before)
    old_spoken = [s.spoken for s in before if s.sentence != target.sentence]
    new_spoken = [s.spoken for s in after if s.sentence != target.sentence]
    assert old_spoken == new_spoken
    assert [s.display for s in after if s.sentence == target.sentence] != [original]
    assert {s.display for s in after if s.sentence == target.sentence} == {changed}


def test_to_dict() -> None:
    segment = build_script("Titel", "", "")[0]
    assert segment.to_dict() == {
        "index": 0,
        "section": "title",
        "paragraph": 0,
        "sentence": 0,
        "display": "Titel",
        "spoken": "Titel",
        "pause_ms": 0,
        "flags": [],
    }


def test_title_is_one_sentence_without_final_period() -> None:
    script = build_script("Bahnverkehr: GDL kündigt neuen Warnstreik an", "Kurz.", "Lang.")
    assert [(s.section, s.spoken, s.pause_ms) for s in script] == [
        ("title", "Bahnverkehr: G D L kündigt neuen Warnstreik an", PAUSES.section_ms),
        ("summary", "Kurz.", PAUSES.section_ms),
        ("body", "Lang.", 0),
    ]


def test_markdown_in_title_and_body_is_stripped() -> None:
    script = build_script("**Eil:** Streik", "", "Mehr bei [der Bahn](https://www.bahn.de). Gut.")
    assert [s.display for s in script] == ["Eil: Streik", "Mehr bei der Bahn.", "Gut."]


def test_unspeakable_sentences_are_dropped_and_pauses_stay_consistent() -> None:
    body = "Erster Satz. 🎉🎉\n\nredaktion@example.de\n\nZweiter Absatz. Noch ein Satz. 👍"
    script = build_script("Titel", "Kurz.", body)
    assert [(s.section, s.paragraph, s.sentence, s.spoken, s.pause_ms) for s in script] == [
        ("title", 0, 0, "Titel", PAUSES.section_ms),
        ("summary", 0, 1, "Kurz.", PAUSES.section_ms),
        ("body", 0, 2, "Erster Satz.", PAUSES.paragraph_ms),
        ("body", 1, 3, "Zweiter Absatz.", PAUSES.sentence_ms),
        ("body", 1, 4, "Noch ein Satz.", 0),
    ]


def test_url_sentence_is_read_as_its_domain() -> None:
    script = build_script(
        "Titel", "", "Mehr unter https://www.tagesschau.de/inland/streik-100.html."
    )
    assert script[-1].spoken == "Mehr unter tagesschau.de."
    assert script[-1].display == "Mehr unter https://www.tagesschau.de/inland/streik-100.html."


def test_empty_sections_are_skipped() -> None:
    script = build_script("Nur ein Titel", "", "  \n\n ")
    assert [(s.section, s.pause_ms) for s in script] == [("title", 0)]
    assert build_script("", "", "") == []


def test_custom_pauses_and_piece_size() -> None:
    pauses = Pauses(piece_ms=1, sentence_ms=2, paragraph_ms=3, section_ms=4)
    body = "Die Deutsche Bahn kritisierte den Schritt scharf, und die Gewerkschaft blieb hart."
    script = build_script("Titel", "", f"{body}\n\nEnde.", max_chars=40, pauses=pauses)
    assert all(len(s.spoken) <= 40 for s in script)
    pieces = len(script) - 2  # all but the title and "Ende."
    assert pieces > 1
    assert [s.pause_ms for s in script] == [4, *([1] * (pieces - 1)), 3, 0]
    assert {s.display for s in script if s.section == "body" and s.paragraph == 0} == {body}


def test_windows_line_ends_separate_paragraphs() -> None:
    script = build_script("Titel", "", "Erster Absatz.\r\n\r\nZweiter Absatz.")
    assert [(s.paragraph, s.spoken) for s in script[1:]] == [
        (0, "Erster Absatz."),
        (1, "Zweiter Absatz."),
    ]


FRAGMENTS = [
    *'abc ABC .,;:!?…„“"»«()[]*_`~#>-–\n 0123456789%€°/@🎉',
    *("\n\n", "z. B.", "usw.", "3. Oktober", "https://x.de/a_b", "http://[t", "www.", "Dr."),
    *("**fett**", "[t](http://u.de)", "a@b.de", "<br>", "Wort" * 30),
    *("Mo.", "Di.,", "So.", "Fr.", "am", "2025/26", "21/1473", "3/4", "/", "Strecke", "Köln"),
    *("–Dortmund", "-Bonn", "zwischen", "3./4.", "Spiel", "km", "3. März", "dem", "Nr."),
]


@pytest.mark.parametrize("seed", range(5))
def test_invariants_hold_on_random_text(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 200)))
        script = build_script(text[:80], text, text, max_chars=40)
        assert script == build_script(text[:80], text, text, max_chars=40)
        assert [s.index for s in script] == list(range(len(script)))
        assert all(0 < len(s.spoken) <= 40 and s.spoken == s.spoken.strip() for s in script)
        for i, segment in enumerate(script):
            following = script[i + 1] if i + 1 < len(script) else None
            assert segment.pause_ms == expected_pause(segment, following)


def test_spoken_text_joins_pieces() -> None:
    script = build_script("Titel", "Eins. Zwei.", "")
    assert spoken_text(script) == "Titel Eins. Zwei."
    assert spoken_text([]) == ""

"""German sentence splitting: abbreviations, ordinals, dates, numbers, quotes, lists."""

from __future__ import annotations

import pytest

from audionews.speech import split_sentences

CASES: list[tuple[str, list[str]]] = [
    # gTTS's pre-processor drops the period after words ending in "st"; we must not.
    ("Das ist. Im Herbst.", ["Das ist.", "Im Herbst."]),
    ("Es ist Herbst. Der Winter kommt.", ["Es ist Herbst.", "Der Winter kommt."]),
    ("Eins. Zwei! Drei? Vier.", ["Eins.", "Zwei!", "Drei?", "Vier."]),
    ("Ohne Punkt am Ende", ["Ohne Punkt am Ende"]),
    ("", []),
    # Abbreviations stay inside their sentence.
    ("Obst, z. B. Äpfel, ist gesund. Gut.", ["Obst, z. B. Äpfel, ist gesund.", "Gut."]),
    ("Obst, z.B. Äpfel, ist gesund. Gut.", ["Obst, z.B. Äpfel, ist gesund.", "Gut."]),
    (
        "Die Bahn hält das u. a. wegen der Kosten ab. Ende.",
        ["Die Bahn hält das u. a. wegen der Kosten ab.", "Ende."],
    ),
    (
        "Er kam spät, d. h. nach Mitternacht. Dann schlief er.",
        ["Er kam spät, d. h. nach Mitternacht.", "Dann schlief er."],
    ),
    ("Rot bzw. Grün. Blau.", ["Rot bzw. Grün.", "Blau."]),
    ("Es kamen ca. 500 Menschen. Viele blieben.", ["Es kamen ca. 500 Menschen.", "Viele blieben."]),
    # Every abbreviation the normalizer expands keeps its sentence (the lists are one).
    (
        "Es kamen mind. 500 Menschen. Viele blieben.",
        ["Es kamen mind. 500 Menschen.", "Viele blieben."],
    ),
    ("Er zahlt max. 20 Euro, insb. Kinder.", ["Er zahlt max. 20 Euro, insb. Kinder."]),
    ("Äpfel, Birnen usw. sind Obst. Gut.", ["Äpfel, Birnen usw. sind Obst.", "Gut."]),
    ("Äpfel, Birnen etc. werden teurer. Gut.", ["Äpfel, Birnen etc. werden teurer.", "Gut."]),
    ("Siehe vgl. Kapitel 3. Danach mehr.", ["Siehe vgl. Kapitel 3.", "Danach mehr."]),
    ("Dr. Meier und Prof. Schulz sprachen. Gut.", ["Dr. Meier und Prof. Schulz sprachen.", "Gut."]),
    (
        "Gesetz Nr. 12 gilt nach Art. 5 Abs. 2 GG. Klar.",
        ["Gesetz Nr. 12 gilt nach Art. 5 Abs. 2 GG.", "Klar."],
    ),
    (
        "Es kostet 3 Mio. Euro und 2 Mrd. Dollar. Teuer.",
        ["Es kostet 3 Mio. Euro und 2 Mrd. Dollar.", "Teuer."],
    ),
    (
        "Er wohnt in St. Pauli, Hamburger Str. 5. Schön.",
        ["Er wohnt in St. Pauli, Hamburger Str. 5.", "Schön."],
    ),
    ("Das war im 19. Jh. Danach kam mehr.", ["Das war im 19. Jh.", "Danach kam mehr."]),
    ("Hr. Meier und Fr. Schulz kamen. Gut.", ["Hr. Meier und Fr. Schulz kamen.", "Gut."]),
    (
        "Wir kommen evtl. später, ggf. gar nicht. Mal sehen.",
        ["Wir kommen evtl. später, ggf. gar nicht.", "Mal sehen."],
    ),
    (
        "Der Preis inkl. Steuer, zzgl. Versand. Gut.",
        ["Der Preis inkl. Steuer, zzgl. Versand.", "Gut."],
    ),
    (
        "Die sog. Ampel zerbrach. Neuwahlen folgten.",
        ["Die sog. Ampel zerbrach.", "Neuwahlen folgten."],
    ),
    ("Tel. 0221 12345 anrufen. Danke.", ["Tel. 0221 12345 anrufen.", "Danke."]),
    ("Siehe S. 12 in Bd. 3. Mehr gibt es nicht.", ["Siehe S. 12 in Bd. 3.", "Mehr gibt es nicht."]),
    ("Es sind 5 Tsd. Euro. Wenig.", ["Es sind 5 Tsd. Euro.", "Wenig."]),
    ("Klaus M. Müller sagte das. Gut.", ["Klaus M. Müller sagte das.", "Gut."]),
    # A sentence-final abbreviation still ends the sentence.
    ("Äpfel, Birnen usw.", ["Äpfel, Birnen usw."]),
    ("Äpfel, Birnen usw. Danach kam nichts.", ["Äpfel, Birnen usw.", "Danach kam nichts."]),
    ("Es kostet 5 Mio. Das ist viel.", ["Es kostet 5 Mio.", "Das ist viel."]),
    # Ordinals and dates.
    ("Am 3. Oktober feiern wir. Dann nicht.", ["Am 3. Oktober feiern wir.", "Dann nicht."]),
    ("Der 1. FC Köln gewann. Die Fans jubelten.", ["Der 1. FC Köln gewann.", "Die Fans jubelten."]),
    ("1. FC Köln gewinnt. Gut.", ["1. FC Köln gewinnt.", "Gut."]),
    (
        "Das Tor fiel in der 14. Minute. Dann Pause.",
        ["Das Tor fiel in der 14. Minute.", "Dann Pause."],
    ),
    (
        "Der 2. Weltkrieg endete 1945. Europa lag in Trümmern.",
        ["Der 2. Weltkrieg endete 1945.", "Europa lag in Trümmern."],
    ),
    (
        "Streik am Donnerstag, den 27. November, von 2:00 Uhr an. Gut.",
        ["Streik am Donnerstag, den 27. November, von 2:00 Uhr an.", "Gut."],
    ),
    (
        "Im 20. Jahrhundert war das anders. Heute nicht.",
        ["Im 20. Jahrhundert war das anders.", "Heute nicht."],
    ),
    (
        "Ticket gilt bis einschließlich 7. Dezember. Danke.",
        ["Ticket gilt bis einschließlich 7. Dezember.", "Danke."],
    ),
    ("Vom 3. bis 5. Mai ist zu. Dann auf.", ["Vom 3. bis 5. Mai ist zu.", "Dann auf."]),
    ("Am 3. 10. 2024 war Feiertag. Gut.", ["Am 3. 10. 2024 war Feiertag.", "Gut."]),
    (
        "Der Umsatz stieg im Jahr 2024. 2025 sank er.",
        ["Der Umsatz stieg im Jahr 2024.", "2025 sank er."],
    ),
    (
        "Er belegte Platz 3. Die Konkurrenz staunte.",
        ["Er belegte Platz 3.", "Die Konkurrenz staunte."],
    ),
    # Decimals and times have no space after the separator.
    ("Die Speicher sind zu 92,5 % gefüllt. Gut.", ["Die Speicher sind zu 92,5 % gefüllt.", "Gut."]),
    (
        "Es kamen 2.000 Menschen. Mehr als erwartet.",
        ["Es kamen 2.000 Menschen.", "Mehr als erwartet."],
    ),
    ("Beginn um 14.30 Uhr. Ende offen.", ["Beginn um 14.30 Uhr.", "Ende offen."]),
    (
        "Er zahlt ca. 1.850 € pro Jahr. Weniger als früher.",
        ["Er zahlt ca. 1.850 € pro Jahr.", "Weniger als früher."],
    ),
    ("Mehr auf tagesschau.de. Danke.", ["Mehr auf tagesschau.de.", "Danke."]),
    # Quotes and brackets after the end mark.
    ('Er sagte: „Das ist gut." Dann ging er.', ['Er sagte: „Das ist gut."', "Dann ging er."]),
    ("Er sagte: „Das ist gut.“ Dann ging er.", ["Er sagte: „Das ist gut.“", "Dann ging er."]),
    ("Sie rief: »Halt!« Alle blieben stehen.", ["Sie rief: »Halt!«", "Alle blieben stehen."]),
    ("„Wer?“ fragte er. Niemand antwortete.", ["„Wer?“ fragte er.", "Niemand antwortete."]),
    ("(Das war neu.) Danach nicht.", ["(Das war neu.)", "Danach nicht."]),
    (
        "Der Streik sei „völlig unnötig“, da bald verhandelt wird. Gut.",
        ["Der Streik sei „völlig unnötig“, da bald verhandelt wird.", "Gut."],
    ),
    # Ellipsis.
    ("Er zögerte … dann ging er. Gut.", ["Er zögerte … dann ging er.", "Gut."]),
    ("Und dann… Schluss.", ["Und dann…", "Schluss."]),
    ("Und dann... Schluss.", ["Und dann...", "Schluss."]),
    ("„Wir werden […] handeln“, sagte sie. Gut.", ["„Wir werden […] handeln“, sagte sie.", "Gut."]),
    ("Warum?! Darum.", ["Warum?!", "Darum."]),
    # Paragraphs and numbered or bulleted lists.
    ("Erster Absatz.\n\nZweiter Absatz", ["Erster Absatz.", "Zweiter Absatz"]),
    (
        "Die Punkte:\n1. Punkt eins\n2. Punkt zwei",
        ["Die Punkte:", "1. Punkt eins", "2. Punkt zwei"],
    ),
    ("Die Punkte:\n• Strom\n• Gas", ["Die Punkte:", "• Strom", "• Gas"]),
    ("Ein Satz,\nder umbricht. Zweiter.", ["Ein Satz, der umbricht.", "Zweiter."]),
    ("  Viel   Raum.   Mehr  ", ["Viel Raum.", "Mehr"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_sentences_keep_every_word_in_order() -> None:
    text = " ".join(text for text, _ in CASES)
    assert " ".join(split_sentences(text)).split() == text.split()

"""German text normalization: what the engine is told to say for news sentences.

One table, by category; each row is a displayed sentence and the exact spoken text.
"""

from __future__ import annotations

import pytest

from audionews.speech import build_script, to_spoken

ORDINALS = [
    ("Am 3. Oktober ist Feiertag.", "Am dritten Oktober ist Feiertag."),
    ("Der 1. FC Köln gewann.", "Der erste F C Köln gewann."),
    ("Gegen den 1. FC Köln.", "Gegen den ersten F C Köln."),
    ("1. FC Köln siegt.", "Erster F C Köln siegt."),
    ("In der 14. Minute fiel das Tor.", "In der vierzehnten Minute fiel das Tor."),
    ("Die 3. Liga spielt.", "Die dritte Liga spielt."),
    ("Das 2. Mal in Folge.", "Das zweite Mal in Folge."),
    ("Zum 3. Mal in Folge.", "Zum dritten Mal in Folge."),
    ("Im 20. Jahrhundert.", "Im zwanzigsten Jahrhundert."),
    ("Im 20. Jh. begann es.", "Im zwanzigsten Jahrhundert begann es."),
    ("Das Ende des 2. Weltkriegs.", "Das Ende des zweiten Weltkriegs."),
    ("Beim 5. Versuch klappte es.", "Beim fünften Versuch klappte es."),
    ("Sie feiert ihren 80. Geburtstag.", "Sie feiert ihren achtzigsten Geburtstag."),
    ("Zur 2. Runde kam es nicht.", "Zur zweiten Runde kam es nicht."),
    ("Ins 3. Jahr geht es.", "Ins dritte Jahr geht es."),
    ("Mit der 2. Mannschaft.", "Mit der zweiten Mannschaft."),
    ("Nach dem 3. Spieltag.", "Nach dem dritten Spieltag."),
    ("Der 100. Geburtstag.", "Der hundertste Geburtstag."),
    ("Vom 3. bis 5. Mai.", "Vom dritten bis fünften Mai."),
    ("Am 3. und 4. Oktober.", "Am dritten und vierten Oktober."),
    ("1. Wir fordern mehr Geld.", "Erstens, Wir fordern mehr Geld."),
    ("Freitag, der 13.", "Freitag, der dreizehnte."),
    ("Das war am 3.", "Das war am dritten."),
]

YEARS = [
    ("1998 fiel die Entscheidung.", "neunzehnhundertachtundneunzig fiel die Entscheidung."),
    ("Im Jahr 2024 stieg der Preis.", "Im Jahr zweitausendvierundzwanzig stieg der Preis."),
    ("Seit 1949 gilt es.", "Seit neunzehnhundertneunundvierzig gilt es."),
    ("Bis 2030 soll es fertig sein.", "Bis zweitausenddreißig soll es fertig sein."),
    ("Im Jahr 2000 war das anders.", "Im Jahr zweitausend war das anders."),
    ("Das war 1905.", "Das war neunzehnhundertfünf."),
    (
        "Im Oktober 2024 stiegen die Preise.",
        "Im Oktober zweitausendvierundzwanzig stiegen die Preise.",
    ),
    ("Die 90er und die 1990er Jahre.", "Die neunziger und die neunzehnhundertneunziger Jahre."),
    ("Die 20er-Jahre kehren zurück.", "Die zwanziger-Jahre kehren zurück."),
]

DATES = [
    (
        "Am 27.11.2025 streikt die Bahn.",
        "Am siebenundzwanzigsten November zweitausendfünfundzwanzig streikt die Bahn.",
    ),
    ("Ab 1.1.2026 gilt das.", "Ab ersten Januar zweitausendsechsundzwanzig gilt das."),
    ("Bis zum 31.12.", "Bis zum einunddreißigsten Dezember."),
    (
        "Am 3. Oktober 2024 war es soweit.",
        "Am dritten Oktober zweitausendvierundzwanzig war es soweit.",
    ),
    ("Der 3. Oktober ist ein Feiertag.", "Der dritte Oktober ist ein Feiertag."),
    ("Seit 1. Mai gilt das Gesetz.", "Seit ersten Mai gilt das Gesetz."),
    ("1. Mai ist Feiertag.", "Erster Mai ist Feiertag."),
    ("Am 4. Okt. 2024 begann es.", "Am vierten Oktober zweitausendvierundzwanzig begann es."),
    (
        "Das war am 2025-11-27.",
        "Das war am siebenundzwanzigsten November zweitausendfünfundzwanzig.",
    ),
    (
        "Am 3. 10. 1990 kam die Einheit.",
        "Am dritten Oktober neunzehnhundertneunzig kam die Einheit.",
    ),
    (
        "Vom 27.–29. November tagt der Rat.",
        "Vom siebenundzwanzigsten bis neunundzwanzigsten November tagt der Rat.",
    ),
    ("Bis einschließlich 7. Dezember.", "Bis einschließlich siebten Dezember."),
    ("Montag, den 3. März.", "Montag, den dritten März."),
]

TIMES = [
    ("Um 14:30 Uhr beginnt es.", "Um vierzehn Uhr dreißig beginnt es."),
    ("Um 14.30 Uhr beginnt es.", "Um vierzehn Uhr dreißig beginnt es."),
    ("Ab 2:00 Uhr ruht der Verkehr.", "Ab zwei Uhr ruht der Verkehr."),
    ("Um 1:30 Uhr und um 1 Uhr.", "Um ein Uhr dreißig und um ein Uhr."),
    ("Um 20 Uhr kommt die Tagesschau.", "Um zwanzig Uhr kommt die Tagesschau."),
    ("Bis 0:05 Uhr dauerte es.", "Bis null Uhr fünf dauerte es."),
    ("Das Treffen um 9:15 dauert.", "Das Treffen um neun Uhr fünfzehn dauert."),
    ("Von 10-12 Uhr ist geschlossen.", "Von zehn bis zwölf Uhr ist geschlossen."),
    ("Von 14:00–16:00 Uhr.", "Von vierzehn Uhr bis sechzehn Uhr."),
    ("Das Spiel endete 2:1.", "Das Spiel endete zwei zu eins."),
    ("In der 90. Minute fiel das 1:0.", "In der neunzigsten Minute fiel das eins zu null."),
]

MONEY = [
    ("Das kostet 1.850 €.", "Das kostet eintausendachthundertfünfzig Euro."),
    (
        "Der Preis liegt bei 4.567,50 €.",
        "Der Preis liegt bei viertausendfünfhundertsiebenundsechzig Euro fünfzig.",
    ),
    ("Der Staat zahlt 3,5 Mrd. Euro.", "Der Staat zahlt drei Komma fünf Milliarden Euro."),
    ("Ein Ticket kostet 4,50 Euro.", "Ein Ticket kostet vier Euro fünfzig."),
    ("Es kostet 1,00 €.", "Es kostet ein Euro."),
    ("Es kostet 0,99 €.", "Es kostet neunundneunzig Cent."),
    ("Es kostet 1 € mehr.", "Es kostet ein Euro mehr."),
    ("Er zahlte 2 Mio. € Strafe.", "Er zahlte zwei Millionen Euro Strafe."),
    ("Sie erhielt 1 Mio. Euro.", "Sie erhielt eine Million Euro."),
    ("Apple verdiente $5 Mrd.", "Apple verdiente fünf Milliarden Dollar."),
    ("Der Kurs lag bei 10 $.", "Der Kurs lag bei zehn Dollar."),
    ("Es geht um 500 EUR.", "Es geht um fünfhundert Euro."),
    ("Es waren 1,5 Mio. Besucher.", "Es waren eins Komma fünf Millionen Besucher."),
    (
        "Der Etat beträgt 2,5 Milliarden US-Dollar.",
        "Der Etat beträgt zwei Komma fünf Milliarden U S-Dollar.",
    ),
    ("Preise in € und $.", "Preise in Euro und Dollar."),
    ("Das kostet 20 Cent.", "Das kostet zwanzig Cent."),
]

PERCENT = [
    (
        "Die Speicher sind zu 92,5 % gefüllt.",
        "Die Speicher sind zu zweiundneunzig Komma fünf Prozent gefüllt.",
    ),
    ("Es sind 92,5%.", "Es sind zweiundneunzig Komma fünf Prozent."),
    ("Rund 12 % weniger.", "Rund zwölf Prozent weniger."),
    ("Nur 1 % stimmte zu.", "Nur ein Prozent stimmte zu."),
    ("Es waren 0,5 Prozent.", "Es waren null Komma fünf Prozent."),
    ("Die Inflation lag bei 2,4 %.", "Die Inflation lag bei zwei Komma vier Prozent."),
    ("Er hatte 0,5 ‰ Alkohol im Blut.", "Er hatte null Komma fünf Promille Alkohol im Blut."),
    ("Ein Plus von 3–4 %.", "Ein Plus von drei bis vier Prozent."),
]

UNITS = [
    ("Es ist 1 km weit.", "Es ist ein Kilometer weit."),
    ("Es sind 5 km.", "Es sind fünf Kilometer."),
    ("Er fuhr 130 km/h.", "Er fuhr einhundertdreißig Kilometer pro Stunde."),
    ("Es war 1 °C kälter.", "Es war ein Grad Celsius kälter."),
    ("Es hatte 25 °C.", "Es hatte fünfundzwanzig Grad Celsius."),
    ("Die Temperatur fiel auf -5 °C.", "Die Temperatur fiel auf minus fünf Grad Celsius."),
    ("Es war 30° heiß.", "Es war dreißig Grad heiß."),
    ("Ein Verbrauch von 20.000 kWh.", "Ein Verbrauch von zwanzigtausend Kilowattstunden."),
    ("Es kostet pro 1 kWh mehr.", "Es kostet pro eine Kilowattstunde mehr."),
    ("Der Windpark leistet 50 MW.", "Der Windpark leistet fünfzig Megawatt."),
    ("Das Kraftwerk hat 1,4 GW.", "Das Kraftwerk hat eins Komma vier Gigawatt."),
    ("Das entspricht 230 TWh.", "Das entspricht zweihundertdreißig Terawattstunden."),
    ("Die Wohnung hat 80 m².", "Die Wohnung hat achtzig Quadratmeter."),
    ("Das Becken fasst 2.500 m³.", "Das Becken fasst zweitausendfünfhundert Kubikmeter."),
    ("Er wog 85 kg.", "Er wog fünfundachtzig Kilogramm."),
    ("Es waren 1 t und 3 t.", "Es waren eine Tonne und drei Tonnen."),
    (
        "Es fielen 12 cm Schnee und 4 mm Regen.",
        "Es fielen zwölf Zentimeter Schnee und vier Millimeter Regen.",
    ),
    ("Er trank 0,5 l Wasser.", "Er trank null Komma fünf Liter Wasser."),
    ("Die Fahrt dauert 2 h.", "Die Fahrt dauert zwei Stunden."),
    ("Das waren 1,5 Std.", "Das waren eins Komma fünf Stunden."),
    # the unit's period before a closing bracket still ends the sentence, as for "ca.)"
    ("Er wartete (3 Std.)", "Er wartete, drei Stunden."),
    ("Mit 1 km Vorsprung.", "Mit einem Kilometer Vorsprung."),
    ("Die Fläche misst 3 ha.", "Die Fläche misst drei Hektar."),
]

RANGES = [
    ("Es sind 10–12 Menschen.", "Es sind zehn bis zwölf Menschen."),
    ("Es sind 10 - 12 Menschen.", "Es sind zehn bis zwölf Menschen."),
    # a span of a year and the next: "auf" over New Year (winter), "bis" otherwise (#14)
    (
        "Der Winter 2025/26 wird mild.",
        "Der Winter zweitausendfünfundzwanzig auf sechsundzwanzig wird mild.",
    ),
    (
        "Die Saison 2024/25 beginnt.",
        "Die Saison zweitausendvierundzwanzig bis fünfundzwanzig beginnt.",
    ),
    (
        "Die Saison 2024/2025 beginnt.",
        "Die Saison zweitausendvierundzwanzig bis zweitausendfünfundzwanzig beginnt.",
    ),
    ("Im Winter 2009/10 war es kalt.", "Im Winter zweitausendneun auf zehn war es kalt."),
    (
        "Der Krieg 1939–1945.",
        "Der Krieg neunzehnhundertneununddreißig bis neunzehnhundertfünfundvierzig.",
    ),
    ("Von 2020-2024 stieg es.", "Von zweitausendzwanzig bis zweitausendvierundzwanzig stieg es."),
    ("Es sind 2–3 km.", "Es sind zwei bis drei Kilometer."),
]

NUMBERS = [
    ("Mehr als 20.000 Menschen kamen.", "Mehr als zwanzigtausend Menschen kamen."),
    ("Der Wert stieg um 1,5 Punkte.", "Der Wert stieg um eins Komma fünf Punkte."),
    (
        "Es sind 1.234.567 Menschen.",
        "Es sind eine Million "
        "zweihundertvierunddreißigtausendfünfhundertsiebenundsechzig Menschen.",
    ),
    ("Pi ist etwa 3,14.", "Pi ist etwa drei Komma eins vier."),
    (
        "Das entspricht rund 230 Terawattstunden.",
        "Das entspricht rund zweihundertdreißig Terawattstunden.",
    ),
    ("Von 38 auf 35 Stunden.", "Von achtunddreißig auf fünfunddreißig Stunden."),
    ("Er war 1 Jahr und 1 Woche weg.", "Er war ein Jahr und eine Woche weg."),
    ("Mit 1 Tor und mit 1 Stimme.", "Mit einem Tor und mit einer Stimme."),
    ("Es gab 101 Tote.", "Es gab einhundertein Tote."),
    ("Die Zahl stieg auf 1.", "Die Zahl stieg auf eins."),
    ("Es sind 3 Millionen Menschen.", "Es sind drei Millionen Menschen."),
    ("Rund 1 Million Menschen.", "Rund eine Million Menschen."),
    (
        "Rund 1500 Polizisten und 2500 Helfer.",
        "Rund fünfzehnhundert Polizisten und zweitausendfünfhundert Helfer.",
    ),
    ("Ein 24-stündiger Streik.", "Ein vierundzwanzigstündiger Streik."),
    ("Die 3-jährige und der 1-jährige.", "Die dreijährige und der einjährige."),
    ("Er kam 3-mal und 2-fach.", "Er kam dreimal und zweifach."),
    ("Eine 4-Tage-Woche.", "Eine vier-Tage-Woche."),
    ("Die Zahl 0 und die Zahl 7.", "Die Zahl null und die Zahl sieben."),
    ("Der CO2-Ausstoß sinkt.", "Der C O zwei-Ausstoß sinkt."),
    ("Beim G7-Gipfel.", "Beim G sieben-Gipfel."),
    ("Der Airbus A380 landet.", "Der Airbus A dreihundertachtzig landet."),
    ("Die Gruppe lag bei +3.", "Die Gruppe lag bei plus drei."),
    ("Gleis 1 und Platz 1.", "Gleis eins und Platz eins."),
    ("Agent 007 ruft an.", "Agent null null sieben ruft an."),
    (
        "Tel. 0301234567 anrufen.",
        "Telefon null drei null eins zwei drei vier fünf sechs sieben anrufen.",
    ),
    (
        "Es sind 301.234.567 Menschen.",
        "Es sind dreihundertein Millionen "
        "zweihundertvierunddreißigtausendfünfhundertsiebenundsechzig Menschen.",
    ),
]

ABBREVIATIONS = [
    ("Es gibt z. B. Brot.", "Es gibt zum Beispiel Brot."),
    ("Es gibt z.B. Brot.", "Es gibt zum Beispiel Brot."),
    ("Z. B. Brot.", "Zum Beispiel Brot."),
    (
        "Die Bahn hält das u. a. wegen des Fachkräftemangels für nicht umsetzbar.",
        "Die Bahn hält das unter anderem wegen des Fachkräftemangels für nicht umsetzbar.",
    ),
    ("Das heißt, d. h. mehr.", "Das heißt, das heißt mehr."),
    ("Rot bzw. grün.", "Rot beziehungsweise grün."),
    ("Es kamen ca. 500 Gäste.", "Es kamen circa fünfhundert Gäste."),
    ("Ca. 500 Gäste kamen.", "Circa fünfhundert Gäste kamen."),
    ("Äpfel, Birnen usw. sind teuer.", "Äpfel, Birnen und so weiter sind teuer."),
    ("Äpfel, Birnen usw.", "Äpfel, Birnen und so weiter."),
    ("Äpfel, Birnen etc.", "Äpfel, Birnen et cetera."),
    ("Dr. Anna Weber spricht.", "Doktor Anna Weber spricht."),
    ("Prof. Dr. Weber spricht.", "Professor Doktor Weber spricht."),
    ("Das Haus Nr. 5 brennt.", "Das Haus Nummer fünf brennt."),
    ("Er wohnt in der Hauptstr. 5.", "Er wohnt in der Hauptstraße fünf."),
    ("Er wohnt in der Langen Str. 7.", "Er wohnt in der Langen Straße sieben."),
    ("Das Spiel in St. Pauli.", "Das Spiel in Sankt Pauli."),
    ("Es geht v. a. um Geld.", "Es geht vor allem um Geld."),
    ("Das ist z. T. richtig.", "Das ist zum Teil richtig."),
    ("Das gilt i. d. R. immer.", "Das gilt in der Regel immer."),
    ("Das ist ggf. teurer.", "Das ist gegebenenfalls teurer."),
    ("Das ist inkl. Steuern.", "Das ist inklusive Steuern."),
    ("Der Verein Tafel e. V. hilft.", "Der Verein Tafel eingetragener Verein hilft."),
    ("Das ist eine neue Art.", "Das ist eine neue Art."),
    ("Siehe S. 12.", "Siehe Seite zwölf."),
    ("Die Bürger*innen und Lehrer:innen.", "Die Bürgerinnen und Lehrerinnen."),
    ("Die KollegInnen kommen.", "Die Kolleginnen kommen."),
    ("Müller & Söhne.", "Müller und Söhne."),
]

LAW = [
    ("Art. 1 Abs. 2 GG gilt.", "Artikel eins Absatz zwei Grundgesetz gilt."),
    ("Nach Art. 20a GG.", "Nach Artikel zwanzig a Grundgesetz."),
    ("Laut § 5 Abs. 1 Satz 2 StGB.", "Laut Paragraf fünf Absatz eins Satz zwei Strafgesetzbuch."),
    ("Die §§ 3 bis 5 gelten.", "Die Paragrafen drei bis fünf gelten."),
    ("Das GG schützt alle.", "Das G G schützt alle."),
]

ACRONYMS = [
    ("Die EU und die USA.", "Die E U und die U S A."),
    ("CDU, CSU und SPD.", "C D U, C S U und S P D."),
    ("FDP und AfD.", "F D P und A F D."),
    ("ARD und ZDF berichten.", "A R D und Z D F berichten."),
    ("Der BGH entschied.", "Der B G H entschied."),
    ("Die DB will einen Notfahrplan anbieten.", "Die D B will einen Notfahrplan anbieten."),
    ("Die GDL streikt.", "Die G D L streikt."),
    ("Die GDL-Chefin spricht.", "Die G D L-Chefin spricht."),
    ("Der US-Außenminister kommt.", "Der U S-Außenminister kommt."),
    ("Die Union aus CDU/CSU.", "Die Union aus C D U C S U."),
    ("Die NATO und die UNO.", "Die Nato und die Uno."),
    ("Der DAX stieg, die NASA startet.", "Der Dax stieg, die Nasa startet."),
    ("Die UNESCO und UNICEF.", "Die Unesco und Unicef."),
    ("Das ifo-Institut und der Ifo-Index.", "Das Ifo-Institut und der Ifo-Index."),
    ("Der NATO-Gipfel beginnt.", "Der Nato-Gipfel beginnt."),
    (
        "In diesem Kontext forderte Nato-Generalsekretär Mark Rutte mehr.",
        "In diesem Kontext forderte Nato-Generalsekretär Mark Rutte mehr.",
    ),
    ("Die FIFA und die UEFA.", "Die Fifa und die Uefa."),
    ("Der TÜV prüft.", "Der Tüv prüft."),
    ("Die GmbH und die Pkw.", "Die G M B H und die P K W."),
    ("Der ICE fällt aus.", "Der I C E fällt aus."),
    ("Das Gesetz XYZ gilt.", "Das Gesetz X Y Z gilt."),
    ("Das Projekt KIKA läuft.", "Das Projekt KIKA läuft."),
    ("Die Firma ABCDE wächst.", "Die Firma ABCDE wächst."),
    ("Die BaFin und YouTube.", "Die BaFin und YouTube."),
    ("Der Plan von OK.", "Der Plan von okay."),
]

WEB = [
    (
        "Mehr unter https://www.tagesschau.de/inland/streik-100.html dazu.",
        "Mehr unter tagesschau.de dazu.",
    ),
    ("Mehr auf www.bahn.de.", "Mehr auf bahn.de."),
    ("Schreiben Sie an redaktion@example.de.", "Schreiben Sie an."),
    ("Mehr auf www.1und1.de heute.", "Mehr auf 1und1.de heute."),
    ("Die Preise sinken 🎉 endlich!", "Die Preise sinken endlich!"),
    (
        "Quelle: https://de.wikipedia.org/wiki/Merkur_(Planet), abgerufen.",
        "Quelle: de.wikipedia.org, abgerufen.",
    ),
]

PAUSES = [
    ("Die Gewerkschaft (GDL) ruft auf.", "Die Gewerkschaft, G D L, ruft auf."),
    (
        "Änderungen am Energiewirtschaftsgesetz (EnWG).",
        "Änderungen am Energiewirtschaftsgesetz, E N W G.",
    ),
    (
        "Die Fahrt (ca. 2 h) dauerte – wie erwartet – lange.",
        "Die Fahrt, circa zwei Stunden, dauerte, wie erwartet, lange.",
    ),
    ("Das ist gut – sehr gut.", "Das ist gut, sehr gut."),
    ("Das ist gut — sehr gut.", "Das ist gut, sehr gut."),
    ("Das ist gut - sehr gut.", "Das ist gut, sehr gut."),
    ("– Das ist gut.", "Das ist gut."),
    ("Das ist gut (sehr).", "Das ist gut, sehr."),
    ("Er sagte (leise), es sei gut.", "Er sagte, leise, es sei gut."),
    ("Die Strecke Berlin–Hamburg.", "Die Strecke von Berlin nach Hamburg."),
    ("Der Ein-/Ausgang ist zu.", "Der Ein- und Ausgang ist zu."),
    ("Er sagte „völlig unnötig“ und »nein«.", "Er sagte völlig unnötig und nein."),
    ("Die Partei [sic] sagt.", "Die Partei, sic, sagt."),
    ("Das Wort (Plural) – so ist es.", "Das Wort, Plural, so ist es."),
]

SAMPLES = [
    (
        "Die Gewerkschaft Deutscher Lokomotivführer (GDL) ruft ihre Mitglieder für Donnerstag, "
        "den 27. November, von 2:00 Uhr bis Freitag 2:00 Uhr zum Warnstreik auf.",
        "Die Gewerkschaft Deutscher Lokomotivführer, G D L, ruft ihre Mitglieder für Donnerstag, "
        "den siebenundzwanzigsten November, von zwei Uhr bis Freitag zwei Uhr zum Warnstreik auf.",
    ),
    (
        "Im Kern geht es um die Forderung der GDL nach einer Absenkung der Wochenarbeitszeit "
        "von 38 auf 35 Stunden bei vollem Lohnausgleich.",
        "Im Kern geht es um die Forderung der G D L nach einer Absenkung der Wochenarbeitszeit "
        "von achtunddreißig auf fünfunddreißig Stunden bei vollem Lohnausgleich.",
    ),
    (
        "Fahrgäste, die ihre Reise verschieben möchten, können ihr Ticket laut DB bis "
        "einschließlich 7. Dezember flexibel nutzen.",
        "Fahrgäste, die ihre Reise verschieben möchten, können ihr Ticket laut D B bis "
        "einschließlich siebten Dezember flexibel nutzen.",
    ),
    (
        "Die Bundesnetzagentur rechnet für den Winter 2025/26 mit leicht sinkenden Gaspreisen.",
        "Die Bundesnetzagentur rechnet für den Winter zweitausendfünfundzwanzig "
        "auf sechsundzwanzig mit leicht sinkenden Gaspreisen.",
    ),
    (
        "Die Speicher sind zu 92,5 % gefüllt, teilte Behördenchef Klaus Müller am Dienstag "
        "in Bonn mit.",
        "Die Speicher sind zu zweiundneunzig Komma fünf Prozent gefüllt, teilte Behördenchef "
        "Klaus Müller am Dienstag in Bonn mit.",
    ),
    (
        "Nach Angaben der Bundesnetzagentur lag der Füllstand am 4. November bei 92,5 Prozent.",
        "Nach Angaben der Bundesnetzagentur lag der Füllstand am vierten November bei "
        "zweiundneunzig Komma fünf Prozent.",
    ),
    (
        "Dennoch rief er Haushalte und Unternehmen dazu auf, weiterhin sparsam mit Energie "
        "umzugehen, z. B. durch eine um 1 °C niedrigere Raumtemperatur.",
        "Dennoch rief er Haushalte und Unternehmen dazu auf, weiterhin sparsam mit Energie "
        "umzugehen, zum Beispiel durch eine um ein Grad Celsius niedrigere Raumtemperatur.",
    ),
    (
        "Ein Haushalt mit einem Jahresverbrauch von 20.000 kWh zahlt derzeit im Schnitt "
        "ca. 1.850 € pro Jahr, rund 12 % weniger als vor einem Jahr.",
        "Ein Haushalt mit einem Jahresverbrauch von zwanzigtausend Kilowattstunden zahlt derzeit "
        "im Schnitt circa eintausendachthundertfünfzig Euro pro Jahr, rund zwölf Prozent "
        "weniger als vor einem Jahr.",
    ),
    (
        "Die Bundesregierung prüft deshalb Änderungen am Energiewirtschaftsgesetz (EnWG).",
        "Die Bundesregierung prüft deshalb Änderungen am Energiewirtschaftsgesetz, E N W G.",
    ),
    (
        "Die Lokführergewerkschaft GDL hat für Donnerstag einen 24-stündigen Warnstreik im "
        "Personenverkehr angekündigt.",
        "Die Lokführergewerkschaft G D L hat für Donnerstag einen vierundzwanzigstündigen "
        "Warnstreik im Personenverkehr angekündigt.",
    ),
    (
        "In diesem Zusammenhang hat US-Außenminister Antony Blinken am Mittwoch in Brüssel mit "
        "den Spitzen von Nato und EU über weitere Hilfen für die Ukraine beraten.",
        "In diesem Zusammenhang hat U S-Außenminister Antony Blinken am Mittwoch in Brüssel mit "
        "den Spitzen von Nato und E U über weitere Hilfen für die Ukraine beraten.",
    ),
    (
        "Bahnverkehr: GDL kündigt neuen Warnstreik an",
        "Bahnverkehr: G D L kündigt neuen Warnstreik an",
    ),
]

CASES = [
    *ORDINALS,
    *YEARS,
    *DATES,
    *TIMES,
    *MONEY,
    *PERCENT,
    *UNITS,
    *RANGES,
    *NUMBERS,
    *ABBREVIATIONS,
    *LAW,
    *ACRONYMS,
    *WEB,
    *PAUSES,
    *SAMPLES,
]


def test_the_table_is_large() -> None:
    assert len(CASES) >= 150
    assert len({display for display, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("display", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_spoken_german(display: str, expected: str) -> None:
    assert to_spoken(display) == expected


def test_normalization_is_idempotent_on_its_output() -> None:
    for _, expected in CASES:
        assert to_spoken(expected) == expected, expected


def test_sentence_ends_after_words_ending_in_st_are_kept() -> None:
    script = build_script("Titel", "", "Das ist. Im Herbst.")
    assert [s.spoken for s in script[1:]] == ["Das ist.", "Im Herbst."]


def test_display_text_stays_as_written() -> None:
    script = build_script("Titel", "", "Am 3. Oktober kostet es ca. 1.850 €.")
    assert script[1].display == "Am 3. Oktober kostet es ca. 1.850 €."
    assert (
        script[1].spoken == "Am dritten Oktober kostet es circa eintausendachthundertfünfzig Euro."
    )

"""Say dates, times, ranges, seasons and ordinals the way a German newsreader does.

Ordinal endings follow the word before the number (the case of the noun phrase), by this table:

| before the number                                   | ending | example                        |
|-----------------------------------------------------|--------|--------------------------------|
| am im vom zum zur beim den dem des, "-en/-em/-er/-es" | -ten   | am dritten, seinen achtzigsten |
| articles ein/kein/sein/ihr/... ("einen", "seinem")  |        |                                |
| der after a preposition ("in der 14. Minute")       | -ten   | in der vierzehnten Minute      |
| der die das eine diese jede ins ans aufs            | -te    | der erste FC Köln              |
| ein kein mein sein ihr unser (no ending)            | -ter   | ein dritter Platz (unsure)     |
| a preposition (ab bis seit vor nach ...)            | -ten   | bis einschließlich siebten     |
| und/oder/bis/sowie after another ordinal            | as it  | am dritten und vierten Oktober |
| nothing (sentence start)                            | -ter   | Erster FC Köln, Erster Mai     |
| sentence start, a sentence opener follows (lists)   | -ens   | 1. Wir ... -> Erstens wir ...  |
| anything else, month follows                        | -ten   | Freitag, siebten Mai           |
| anything else                                       | -te    | flagged as unsure              |

Numeric dates name the month ("27.11.2025" -> "siebenundzwanzigsten November
zweitausendfünfundzwanzig"), because "elften" is harder to follow by ear.
Times: "14:30 Uhr", "14.30 Uhr", "um 14:30" -> "vierzehn Uhr dreißig"; "2:00 Uhr" -> "zwei Uhr".
Other "N:M" are scores or ratios: "2:1" -> "zwei zu eins".
Ranges: "10–12", "10-12 Uhr", "3.–5. Mai" -> "zehn bis zwölf", "dritten bis fünften Mai".
Seasons and other slashes ("2024/25") are read before, in `slashes`.
"""

from __future__ import annotations

import re

from audionews.speech.numbers import (
    BEFORE,
    NUMBER,
    at_start,
    cardinal,
    ends_text,
    ordinal,
    word_set,
    year,
)
from audionews.speech.sentences import DETERMINERS, OPENERS

MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_SHORT_MONTHS = (
    "Jan",
    "Feb",
    "Mär|Mrz",
    "Apr",
    "-",
    "Jun",
    "Jul",
    "Aug",
    "Sep|Sept",
    "Okt",
    "Nov",
    "Dez",
)
_MONTH_WORDS = {name: name for name in MONTHS} | {"Jänner": "Jänner"}
_MONTH_WORDS |= {
    short + ".": MONTHS[i]
    for i, shorts in enumerate(_SHORT_MONTHS)
    for short in shorts.split("|")
    if short != "-"
}
# The months and their abbreviations, as one alternation for the date patterns.
MONTH = "|".join(re.escape(m) for m in sorted(_MONTH_WORDS, key=len, reverse=True))

_DATIVE_ARTICLES = word_set("am im vom zum zur beim den dem des")
_NOMINATIVE_ARTICLES = word_set(
    "der die das eine keine meine deine seine ihre unsere eure diese jene jede welche "
    "ins ans aufs fürs ums übers durchs"
)
_STRONG_ARTICLES = word_set("ein kein mein dein sein ihr unser euer")
_INFLECTED = re.compile(r"(?:ein|kein|mein|dein|sein|ihr|unser|eur|dies|jen|jed)(?:en|em|er|es)")
_PREPOSITIONS = word_set(
    "ab an auf aus bei bis seit vor nach mit von zu in unter über hinter neben zwischen "
    "während wegen trotz gegen für um ohne durch einschließlich inklusive spätestens "
    "frühestens"
)
_CONJUNCTIONS = word_set("und oder bis sowie bzw. beziehungsweise")
# Words before a sentence-final "N." that make it look like an ordinal ("Er wurde 3.").
_ARTICLES = _DATIVE_ARTICLES | _NOMINATIVE_ARTICLES
_ORDINAL_HINTS = DETERMINERS | word_set("wurde wird ist war landete belegte kam")

_ISO_DATE = re.compile(BEFORE + r"(\d{4})-(\d{2})-(\d{2})(?![\d])")
_RANGE = re.compile(BEFORE + r"(" + NUMBER + r"\.?)\s?[–—-]\s?(?=\d)")
# Not followed by more digits, nor by a decimal or thousands part ("12.11. 92,5 %").
_END = r"(?!\d|[.,]\d)"
# A two-digit year only when glued to the month ("27.11.25"), else "12.11. 12 Menschen" breaks.
_NUMERIC_DATE = re.compile(
    BEFORE
    + r"(\d{1,2})\.\s?(\d{1,2})\.(?:(\d{4}|\d{2})"
    + _END
    + r"|\s(\d{4})"
    + _END
    + r")?"
    + _END
)
_MONTH_DATE = re.compile(
    BEFORE + r"(\d{1,2})\.\s?(" + MONTH + r")(?![\w])(?:\s(\d{4})" + _END + r")?"
)
_MONTH_YEAR = re.compile(r"(?<![\w.])(" + MONTH + r")\s(\d{4})" + _END)
_TIME = re.compile(BEFORE + r"([01]?\d|2[0-4])(?::|\.(?=\d\d\s?Uhr))([0-5]\d)(?![\d:])(\s?Uhr\b)?")
_HOUR = re.compile(BEFORE + r"(\d{1,2})\s?Uhr\b")
_SCORE = re.compile(BEFORE + r"(\d{1,3}):(\d{1,3})(?![\d:])")
_ORDINAL = re.compile(BEFORE + r"(\d{1,3})\.(?=\s+(\S+))")
_FINAL_NUMBER = re.compile(BEFORE + r"(\d{1,3})\.[\"'»«“”’)\]]*$")
_WORD_BEFORE = re.compile(r"(\S+)\s+$")
_ORDINAL_BEFORE = re.compile(r"(?<![\w.,])\d{1,3}\.\s*$")


def say_dates(text: str, flags: list[str]) -> str:
    """Read dates, times, ranges and ordinals in `text`."""
    text = _ISO_DATE.sub(lambda m: f"{int(m.group(3))}.{int(m.group(2))}.{m.group(1)}", text)
    text = _RANGE.sub(r"\1 bis ", text)
    text = _NUMERIC_DATE.sub(_numeric_date, text)
    text = _MONTH_DATE.sub(_month_date, text)
    text = _MONTH_YEAR.sub(lambda m: f"{_MONTH_WORDS[m.group(1)]} {year(int(m.group(2)))}", text)
    text = _TIME.sub(_time, text)
    text = _HOUR.sub(lambda m: _hour(int(m.group(1))) + " Uhr", text)
    text = _SCORE.sub(lambda m: f"{cardinal(int(m.group(1)))} zu {cardinal(int(m.group(2)))}", text)
    text = _ORDINAL.sub(lambda m: _ordinal(m, flags), text)
    final = _FINAL_NUMBER.search(text)
    if final:
        before = _previous_word(text, final.start())[0].lower()
        if before in _ARTICLES:  # "Freitag, der 13.": an ordinal whose noun is understood
            flags.append(final.group(1) + ".")
            ending, _ = _ending(text, final.start(), month=False)
            number = ordinal(int(final.group(1)), ending)
            text = text[: final.start()] + number + text[final.start(1) + len(final.group(1)) :]
        elif before in _ORDINAL_HINTS:
            flags.append(final.group(1) + ".")  # "Er wurde 3." may mean "Dritter"
    return text


def _numeric_date(match: re.Match[str]) -> str:
    """Read "27.11.2025" with the month's name; leave impossible dates to the number rules."""
    day, month = int(match.group(1)), int(match.group(2))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group()
    ending, _ = _ending(match.string, match.start(), month=True)
    words = f"{_ordinal_word(day, ending, match)} {MONTHS[month - 1]}"
    written = match.group(3) or match.group(4)
    if written:
        words += " " + (year(int(written)) if len(written) == 4 else cardinal(int(written)))
    return words + _final_period(match)


def _month_date(match: re.Match[str]) -> str:
    """Read "3. Oktober 2024" with the ordinal ending of its context."""
    day = int(match.group(1))
    if not 1 <= day <= 31:
        return match.group()
    ending, _ = _ending(match.string, match.start(), month=True)
    words = f"{_ordinal_word(day, ending, match)} {_MONTH_WORDS[match.group(2)]}"
    if match.group(3):
        words += " " + year(int(match.group(3)))
    return words + _final_period(match)


def _time(match: re.Match[str]) -> str:
    """Read "14:30 Uhr" as "vierzehn Uhr dreißig" and "2:00 Uhr" as "zwei Uhr"."""
    minutes = int(match.group(2))
    return _hour(int(match.group(1))) + " Uhr" + (f" {cardinal(minutes)}" if minutes else "")


def _hour(hour: int) -> str:
    """Return the hour as said before "Uhr": "ein Uhr", not "eins Uhr"."""
    return "ein" if hour == 1 else cardinal(hour)


def _ordinal(match: re.Match[str], flags: list[str]) -> str:
    """Read "3." before a word as an ordinal, or leave it when a new sentence follows."""
    number = int(match.group(1))
    following = match.group(2).lstrip("„\"»«‚‘'([“")
    starts = at_start(match.string, match.start())
    if following in OPENERS and not starts:
        flags.append(match.group())
        return match.group()  # "Er wurde 3. Die ..." - two sentences run together
    if starts and following in OPENERS:
        return _ordinal_word(number, "ens", match) + ","  # a numbered list: "Erstens, wir"
    ending, sure = _ending(match.string, match.start(), month=False)
    if not sure:
        flags.append(match.group())
    return _ordinal_word(number, ending, match)


def _ordinal_word(number: int, ending: str, match: re.Match[str]) -> str:
    """Return the ordinal, capitalised when it opens the text."""
    word = ordinal(number, ending)
    return word[:1].upper() + word[1:] if at_start(match.string, match.start()) else word


def _ending(text: str, position: int, *, month: bool) -> tuple[str, bool]:
    """Return the ordinal ending for a number at `position`, and whether the rule is sure."""
    before, start = _previous_word(text, position)
    word = before.lower().rstrip(",")
    if not before:
        return "er", month  # "1. FC Köln", "1. Mai ist Feiertag"
    if word in _CONJUNCTIONS:
        earlier = _ORDINAL_BEFORE.search(text, 0, start)
        if earlier:
            return _ending(text, earlier.start(), month=month)
    if word in _DATIVE_ARTICLES or _INFLECTED.fullmatch(word):
        return "en", True
    if word == "der":
        preposition = _previous_word(text, start)[0].lower()
        return ("en", True) if preposition in _PREPOSITIONS else ("e", True)
    if word in _NOMINATIVE_ARTICLES:
        return "e", True
    if word in _STRONG_ARTICLES:
        return "er", False  # "ein dritter Platz", but "ein drittes Tor"
    if word in _PREPOSITIONS:
        return "en", True
    return ("en", True) if month else ("e", False)


def _previous_word(text: str, position: int) -> tuple[str, int]:
    """Return the whitespace-separated word before `position` and its start; "" at the start."""
    match = _WORD_BEFORE.search(text, 0, position)
    return (match.group(1), match.start(1)) if match else ("", 0)


def _final_period(match: re.Match[str]) -> str:
    """Return "." when the date's own period also ended the sentence."""
    return "." if ends_text(match) and match.group().endswith(".") else ""

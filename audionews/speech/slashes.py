"""Read a slash between numbers by what it joins: a span of years, a file number, a fraction.

| written                          | read                                                 |
|----------------------------------|------------------------------------------------------|
| Saison 2024/25, 2024/2025, 1990/91 | ... vierundzwanzig bis fünfundzwanzig (next year)  |
| Winter 2025/26, Nacht, Jahreswechsel | ... fünfundzwanzig auf sechsundzwanzig           |
| Drucksache 21/1473, Az. 3/2024, Nr. 5/6 | einundzwanzig Strich vierzehnhundertdreiundsiebzig |
| 3/4 der Befragten, 2/3-Mehrheit  | drei Viertel der Befragten, zwei-Drittel-Mehrheit    |
| 24/7                             | vierundzwanzig sieben                                |
| 3./4. März                       | dritten und vierten März (by the date rules)         |
| 10/2024 (no file-number word)    | Oktober zweitausendvierundzwanzig, flagged           |
| 2020/22 (years, not the next)    | zweitausendzwanzig bis zweiundzwanzig, flagged       |
| anything else (Klasse 5/6)       | fünf Strich sechs, flagged                           |

The words are written out here, so no later rule reads the two numbers as one and no "1/2"
becomes "ein Strich". What decides is the word before (up to three words back), never a guess
from the digits alone except for the span of a year and its next year.
"""

from __future__ import annotations

import re

from audionews.speech.dates import MONTH, MONTHS
from audionews.speech.numbers import cardinal, digits, word_set, year

# Words that say the numbers are a reference: parliament papers, case and file numbers.
_REFERENCES = word_set(
    "Drucksache Drucksachen Drs. BT-Drs. Az. Aktenzeichen Geschäftszeichen Nummer Nummern Nr. "
    "Heft Ausgabe Verordnung Richtlinie Beschluss Vorlage Antrag Rs. Rechtssache Urteil "
    "Kennziffer Sache Vorgang Dokument Protokoll Gesetzblatt Band"
)
_REFERENCE_ENDINGS = ("sache", "sachen", "zeichen", "nummer", "drucksache")
# Spans that cross a new year are said "von ... auf ...", like a night.
_CROSSING = word_set("Nacht Silvesternacht Neujahrsnacht Jahreswechsel Heizperiode Heizsaison")
_DENOMINATORS = {
    3: "Drittel",
    4: "Viertel",
    5: "Fünftel",
    6: "Sechstel",
    7: "Siebtel",
    8: "Achtel",
    9: "Neuntel",
    10: "Zehntel",
}
# What follows a fraction ("3/4 der Befragten"); a "-" joins a compound ("2/3-Mehrheit").
_OF = word_set("der des aller davon ihrer seiner unserer dieser")

_DAY_PAIR = re.compile(
    r"(?<![\w.,/])(\d{1,2})\./(\d{1,2})\.(?=\s?(?:(?:" + MONTH + r")(?!\w)|\d{1,2}\.))"
)
_SLASHED = re.compile(r"(?<![\w.,/])(\d+(?:/\d+)+)(?![\w/]|[.,]\d)")
_WORDS_BEFORE = re.compile(r"(?:\S+\s+){0,3}$")
_NEXT = re.compile(r"(-)|\s+([^\W\d_]+)")


def say_slashes(text: str, flags: list[str]) -> str:
    """Read every run of numbers joined by slashes."""
    text = _DAY_PAIR.sub(r"\1. und \2.", text)
    return _SLASHED.sub(lambda m: _slashed(m, flags), text)


def _slashed(match: re.Match[str], flags: list[str]) -> str:
    """Read "A/B" by its context; see the table in the module docstring."""
    written = match.group(1)
    parts = written.split("/")
    window = _WORDS_BEFORE.search(match.string, 0, match.start())
    before = window.group().split() if window else []
    bare = [word.strip("()[],;:„“\"'") for word in before]
    lettered = re.search(r"[^\W\d_]-$", match.string[: match.start()])  # "C-311/18"
    if lettered or any(_is_reference(word) for word in bare):
        return _joined(parts)
    if len(parts) == 2:
        first, second = parts
        said = _special(first, second, bare, match, flags)
        if said:
            return said
    flags.append(written)
    return _joined(parts)


def _special(
    first: str, second: str, before: list[str], match: re.Match[str], flags: list[str]
) -> str:
    """Return the reading of a pair that is a span, a fraction or "24/7"; "" if none fits."""
    a, b = int(first), int(second)
    if len(first) == 4 and not first.startswith("0") and len(second) in (2, 4):
        following = (a + 1) % 100 if len(second) == 2 else a + 1
        link = "auf" if any(_crosses(word) for word in before) else "bis"
        if b == following:
            return f"{year(a)} {link} {_year_part(second, a + 1)}"
        later = b > a % 100 if len(second) == 2 else b > a
        if later:
            flags.append(match.group(1))  # "2020/22": from one to the other, or both?
            return f"{year(a)} {link} {_year_part(second, b)}"
    if first == "24" and second == "7":
        return "vierundzwanzig sieben"
    if 1 <= int(first) <= 12 and len(second) == 4 and 1900 <= b <= 2099:
        flags.append(match.group(1))  # "10/2024" is a month, or issue 10 of 2024
        return f"{MONTHS[int(first) - 1]} {year(b)}"
    after = _NEXT.match(match.string, match.end())
    if b in _DENOMINATORS and 1 <= a < b and after:
        amount = ("ein" if a == 1 else cardinal(a)) + " " + _DENOMINATORS[b]
        if after.group(1):
            return amount.replace(" ", "-")  # "2/3-Mehrheit": "zwei-Drittel-Mehrheit"
        if after.group(2) in _OF:
            return amount
    return ""


def _is_reference(word: str) -> bool:
    """Tell whether `word` names a file, paper or case number ("Drucksache", "Az.")."""
    return word in _REFERENCES or (len(word) > 6 and word.lower().endswith(_REFERENCE_ENDINGS))


def _crosses(word: str) -> bool:
    """Tell whether `word` is a time that runs over New Year ("Winter", "Heizperiode")."""
    return word in _CROSSING or "winter" in word.lower()


def _year_part(written: str, full: int) -> str:
    """Read the second year of a span: "26" -> "sechsundzwanzig", "00" -> "zweitausend"."""
    if len(written) == 4 or int(written) == 0:
        return year(full)
    return cardinal(int(written))


def _joined(parts: list[str]) -> str:
    """Read numbers with "Strich" between them."""
    return " Strich ".join(_number(part) for part in parts)


def _number(written: str) -> str:
    """Read one number of a file number: codes digit by digit, four digits like a year."""
    if len(written) > 1 and written.startswith("0"):
        return digits(written)
    return year(int(written)) if len(written) == 4 else cardinal(int(written))

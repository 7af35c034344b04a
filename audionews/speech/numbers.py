"""Say German numbers: cardinals, ordinals, years, decimals, and the plain numbers left over.

The word functions (`cardinal`, `ordinal`, `year`, `amount`) are shared by the date, time and
unit rules. `say_numbers` is the last number step of the normalizer: it reads whatever digits
the earlier, context-aware steps left, so its rules are the defaults.

Rules of the default step:
- "20.000" groups thousands with points, "1,5" has a decimal comma: "zwanzigtausend",
  "eins Komma fünf" (decimals digit by digit, as newsreaders say them).
- A plain four-digit number from 1100 to 1999 is a year: "1998" -> "neunzehnhundertachtundneunzig"
  (it is also how such counts are said: "fünfzehnhundert Menschen"). Written with a point it is
  a count: "1.850" -> "eintausendachthundertfünfzig".
- "1" before a noun agrees with it ("ein Tag", "eine Woche", "mit einem Tor", "mit einer Stimme")
  by a small ending table; after a capitalised noun it is a label ("Artikel 1", "Gleis 1": "eins").
- Suffixes join the number: "24-stündigen", "3-mal", "90er" -> "vierundzwanzigstündigen",
  "dreimal", "neunziger"; "4-Tage-Woche" -> "vier-Tage-Woche".
- A number with a leading zero or ten and more digits is a code, read digit by digit.
- Slashes between numbers are read before, in `slashes`.
"""

from __future__ import annotations

import re

from num2words import num2words


def word_set(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of `text` as a set (for the word tables)."""
    return frozenset(text.split())


# A German number as written: thousands points, decimal comma, optional sign (hyphen or minus).
NUMBER = r"(?:[-−+](?=\d))?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
# Not inside a word, a longer number or a domain ("1und1.de" is protected earlier anyway).
BEFORE = r"(?<![\w.,])"

# Prepositions that take the dative, which changes "ein" to "einem"/"einer".
DATIVE = word_set("mit von nach bei aus zu seit vor gegenüber außer binnen samt nebst entsprechend")
# Nouns a number labels rather than counts ("Artikel 1", "Platz 1"), also at a sentence start.
LABELS = word_set(
    "Artikel Absatz Nummer Nummern Paragraf Paragrafen Seite Satz Platz Gleis Kapitel Band "
    "Ziffer Tabelle Abbildung Linie Folge Staffel Runde Spieltag Teil Stufe Kategorie Klasse "
    "Version Punkt Terminal Halle Zimmer Etage Block Jahrgang"
)
# Words between a preposition and a number that do not change the case ("mit nur 1 Stimme").
_TRANSPARENT = word_set("je jeweils nur rund etwa circa knapp genau fast bloß")
_FEMININE_ENDINGS = ("ung", "heit", "keit", "schaft", "ion", "tät", "ik", "ei", "ie", "enz", "e")
_FEMININE = word_set("Person Frau Nacht Stadt Zeit Hand Tür Uhr Wahl Mark Welt Nation")
_MASCULINE_E = word_set(
    "Name Kunde Junge Käse Gedanke Glaube Wille Buchstabe Friede Kollege Experte Franke"
)

_EINS_SCALE = re.compile(r"(?<=\w)eins (Million|Milliard|Billion|Billiard)")
_PLAIN = re.compile(BEFORE + r"(?P<number>" + NUMBER + r")(?![\d])")
_SUFFIX = re.compile(BEFORE + r"(\d+)(?:-(?=[a-zäöü])|(?=(?:fach|mal|er|ern|ers)\b))")
_LETTERED = re.compile(BEFORE + r"(\d+)([a-h])(?!\w)")  # "Art. 20a", "Nr. 5b"
_HYPHEN_NOUN = re.compile(BEFORE + r"(\d+)-(?=[A-ZÄÖÜ])")
_DOTTED = re.compile(BEFORE + r"(\d+(?:\.\d+)+)(?![\d])")
_NEXT_WORD = re.compile(r"\s+([^\W\d_][\w-]*)")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[^\w]*$")


def cardinal(number: int) -> str:
    """Return the German cardinal for `number` ("eins", "zwanzigtausend", "minus drei")."""
    if number < 0:
        return "minus " + cardinal(-number)
    # num2words says "dreihunderteins Millionen"; German says "dreihundertein Millionen".
    return _EINS_SCALE.sub(r"ein \1", str(num2words(number, lang="de")))


def ordinal(number: int, ending: str = "e") -> str:
    """Return the ordinal of `number` + `ending`: "e" (dritte), "en", "er", "es", "ens"."""
    word = str(num2words(number, lang="de", to="ordinal"))
    return word.removesuffix("e") + ending


def year(number: int) -> str:
    """Return `number` read as a year: hundreds for 1100-1999, a plain cardinal otherwise."""
    if 1100 <= number <= 1999:
        rest = number % 100
        return cardinal(number // 100) + "hundert" + (cardinal(rest) if rest else "")
    return cardinal(number)


def parse(text: str) -> tuple[int, str]:
    """Split a written number into its signed integer part and its decimal digits."""
    sign = -1 if text[:1] in "-−" else 1
    whole, _, fraction = text.lstrip("-−+").partition(",")
    return sign * int(whole.replace(".", "")), fraction


def amount(text: str, *, before_noun: bool = False) -> str:
    """Return a written number in words; "1"/"101" lose their "s" before a noun ("ein Tag")."""
    whole, fraction = parse(text)
    sign = "plus " if text.startswith("+") else ""
    if text[:1] in "-−" and whole == 0:
        sign = "minus "  # "-0,5"
    words = sign + cardinal(whole)
    if fraction:
        return words + " Komma " + digits(fraction)
    if before_noun and words.endswith("eins"):
        return words[:-1]
    return words


def digits(written: str) -> str:
    """Read a code digit by digit: "007" -> "null null sieben"."""
    return " ".join(cardinal(int(digit)) for digit in written)


def one(noun: str, preposition: str = "") -> str:
    """Return "ein", "eine", "einem" or "einer" for the number 1 before `noun`."""
    feminine = noun in _FEMININE or (
        noun not in _MASCULINE_E and noun.lower().endswith(_FEMININE_ENDINGS)
    )
    if preposition.lower() in DATIVE:
        return "einer" if feminine else "einem"
    return "eine" if feminine else "ein"


def word_before(text: str, position: int) -> str:
    """Return the word that ends just before `position` (punctuation between is skipped).

    Words that leave the case alone are skipped: "mit je 1 Wagen" takes the dative of "mit".
    """
    match = _WORD_BEFORE.search(text[:position])
    while match and match.group(1).lower() in _TRANSPARENT:
        match = _WORD_BEFORE.search(text[: match.start(1)])
    return match.group(1) if match else ""


def is_label(text: str, position: int) -> bool:
    """Tell whether the number at `position` follows a capitalised noun ("Artikel 1", "Gleis 3")."""
    match = _WORD_BEFORE.search(text[:position])
    if not match:
        return False
    word = match.group(1)
    return word in LABELS or (word[0].isupper() and not at_start(text, match.start(1)))


def at_start(text: str, position: int) -> bool:
    """Tell whether only opening punctuation stands before `position`."""
    return not any(char.isalnum() for char in text[:position])


def say_numbers(text: str, flags: list[str]) -> str:
    """Read every number the context-aware steps left, by the default rules."""
    text = _DOTTED.sub(lambda m: _dotted(m, flags), text)
    text = _LETTERED.sub(lambda m: f"{amount(m.group(1))} {m.group(2)}", text)
    text = _SUFFIX.sub(lambda m: _joined(m.group(1)), text)
    text = _HYPHEN_NOUN.sub(lambda m: _joined(m.group(1)) + "-", text)
    return _PLAIN.sub(lambda m: _plain(m, text), text)


def _joined(digits: str) -> str:
    """Read a number that is joined to a word: "1990er", "1-jährig", "24-stündig"."""
    return year(int(digits)) if len(digits) == 4 else amount(digits, before_noun=True)


def _dotted(match: re.Match[str], flags: list[str]) -> str:
    """Read points that are no thousands ("3.11", "1.5.2"): "drei Punkt elf", flagged."""
    written = match.group(1)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", written):
        return written  # thousands, read by the plain rule
    flags.append(written)
    return " Punkt ".join(cardinal(int(part)) for part in written.split("."))


def _plain(match: re.Match[str], text: str) -> str:
    """Read one number by its neighbours: a year, "ein"/"eine" before a noun, or a cardinal."""
    written = match.group("number")
    whole, fraction = parse(written)
    if re.fullmatch(r"\d{4}", written):
        return year(whole)
    if re.fullmatch(r"0\d+|\d{10,}", written):
        return digits(written)  # "007", phone numbers and other codes
    following = _NEXT_WORD.match(text, match.end())
    noun = following.group(1) if following and following.group(1)[0].isupper() else ""
    if not noun or fraction:
        return amount(written)
    if is_label(text, match.start()):
        return amount(written)  # "Artikel 1 Absatz 2", "Gleis 1"
    if whole == 1 and written == "1":
        return one(noun.split("-")[0], word_before(text, match.start()))
    return amount(written, before_noun=True)


# Only closing quotes or brackets (and spaces) after a match: its period ends the text.
_CLOSING = re.compile(r"[\"'»«“”’)\]]*\s*$")


def ends_text(match: re.Match[str]) -> bool:
    """Tell whether only closing quotes or brackets follow `match` in its text."""
    return bool(_CLOSING.fullmatch(match.string, match.end()))

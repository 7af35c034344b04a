"""Spell out German abbreviations, legal references and gender forms.

Abbreviations are matched with or without the space inside ("z. B.", "z.B."), and a lower-case
one also capitalised at a sentence start ("Z. B." -> "Zum Beispiel"). Some are expanded only in
their usual context, because the same letters are ordinary words elsewhere: "Art." and "Nr."
only before a number ("Art. 1" -> "Artikel 1", but "eine neue Art."), "St." only before a name
("St. Pauli" -> "Sankt Pauli"). When an abbreviation ends the sentence its period stays.
"Mio."/"Mrd." become plural words here; the unit step makes "1 Millionen" "eine Million".
A law's short name after a number is said in full ("Art. 1 Abs. 2 GG" -> "Artikel 1 Absatz 2
Grundgesetz"); elsewhere "GG" is an acronym.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .numbers import ends_text

ABBREVIATIONS: dict[str, str] = {
    "z. B.": "zum Beispiel",
    "u. a.": "unter anderem",
    "d. h.": "das heißt",
    "v. a.": "vor allem",
    "z. T.": "zum Teil",
    "u. U.": "unter Umständen",
    "i. d. R.": "in der Regel",
    "m. E.": "meines Erachtens",
    "s. o.": "siehe oben",
    "s. u.": "siehe unten",
    "o. ä.": "oder Ähnliches",
    "o. Ä.": "oder Ähnliches",
    "u. ä.": "und Ähnliches",
    "u. Ä.": "und Ähnliches",
    "u. v. m.": "und vieles mehr",
    "e. V.": "eingetragener Verein",
    "a. D.": "außer Dienst",
    "bzw.": "beziehungsweise",
    "ca.": "circa",
    "usw.": "und so weiter",
    "etc.": "et cetera",
    "vgl.": "vergleiche",
    "sog.": "sogenannte",
    "inkl.": "inklusive",
    "zzgl.": "zuzüglich",
    "ggf.": "gegebenenfalls",
    "evtl.": "eventuell",
    "bspw.": "beispielsweise",
    "bzgl.": "bezüglich",
    "gem.": "gemäß",
    "lt.": "laut",
    "max.": "maximal",
    "mind.": "mindestens",
    "insb.": "insbesondere",
    "ggü.": "gegenüber",
    "zw.": "zwischen",
    "allg.": "allgemein",
    "geb.": "geborene",
    "Tel.": "Telefon",
    "Hrsg.": "Herausgeber",
    "Jh.": "Jahrhundert",
    "Jhd.": "Jahrhundert",
    "Dr.": "Doktor",
    "Prof.": "Professor",
    "Hr.": "Herr",
    "Hrn.": "Herrn",
    "Mr.": "Mister",
    "Mrs.": "Misses",
    "Mio.": "Millionen",
    "Mrd.": "Milliarden",
    "Tsd.": "Tausend",
    "Str.": "Straße",
    "Hbf.": "Hauptbahnhof",
}
# Expanded only before a number.
BEFORE_NUMBER: dict[str, str] = {
    "Art.": "Artikel",
    "Abs.": "Absatz",
    "Nr.": "Nummer",
    "Nrn.": "Nummern",
    "S.": "Seite",
    "Bd.": "Band",
    "Ziff.": "Ziffer",
    "Kap.": "Kapitel",
    "Abb.": "Abbildung",
    "Tab.": "Tabelle",
    "Az.": "Aktenzeichen",
    "Drs.": "Drucksache",
}
# Expanded only before a capitalised word.
BEFORE_NAME: dict[str, str] = {"St.": "Sankt"}

# Short names of laws, said in full after a paragraph or article number.
LAWS: dict[str, str] = {
    "GG": "Grundgesetz",
    "StGB": "Strafgesetzbuch",
    "StPO": "Strafprozessordnung",
    "SGB": "Sozialgesetzbuch",
    "EnWG": "Energiewirtschaftsgesetz",
    "IfSG": "Infektionsschutzgesetz",
    "AufenthG": "Aufenthaltsgesetz",
}


def _pattern(written: Iterable[str], context: str) -> re.Pattern[str]:
    """Compile one alternation of abbreviations, spaces inside optional, longest first."""
    alternatives = []
    for abbreviation in sorted(written, key=len, reverse=True):
        parts = [re.escape(part) for part in abbreviation.split()]
        if abbreviation[0].islower():
            first = abbreviation[0]
            parts[0] = f"[{first}{first.upper()}]" + parts[0][1:]
        alternatives.append(r"\s?".join(parts))
    return re.compile(r"(?<![\w.])(?:" + "|".join(alternatives) + r")(?!\w)" + context)


_ANYWHERE = _pattern(ABBREVIATIONS, "")
_NUMBERED = _pattern(BEFORE_NUMBER, r"(?=\s?[\d§])")
_NAMED = _pattern(BEFORE_NAME, r"(?=\s[A-ZÄÖÜ])")
_KEYS = {re.sub(r"\s", "", k).lower(): v for k, v in (ABBREVIATIONS | BEFORE_NUMBER).items()}
_KEYS |= {re.sub(r"\s", "", k).lower(): v for k, v in BEFORE_NAME.items()}
_STREET = re.compile(r"(?<=[a-zäöüß])str\.(?=\s?\d|\s|$)")
_LAW = re.compile(r"(?:(?<=\d )|(?<=\d[a-z] ))(" + "|".join(LAWS) + r")\b")
_PARAGRAPHS = re.compile(r"§§\s?")
_PARAGRAPH = re.compile(r"§\s?")
_AMPERSAND = re.compile(r"\s?&\s?")
# "Bürger*innen", "Bürger:innen", "Bürger_innen", "BürgerInnen": said as "Bürgerinnen".
_GENDER = re.compile(r"(?<=[a-zäöüß])(?:[*:_]i|I)(?=nnen\b|n\b)")
# A short word with a period inside the sentence, or a dotted group: an unknown abbreviation.
_UNKNOWN = re.compile(
    r"(?<![\w.])(?:[^\W\d_]{1,3}\.){2,}|(?<![\w.])[^\W\d_]{1,6}\.(?=\s+[a-zäöü])"
    r"|(?<![\w.])[^\W\d_aeiouäöüyAEIOUÄÖÜY]{1,4}\.(?=\s+\S)"
)


def expand_abbreviations(text: str, flags: list[str]) -> str:
    """Replace the abbreviations, law names and symbols that have one reading."""
    text = _GENDER.sub("i", text)
    text = _LAW.sub(lambda m: LAWS[m.group(1)], text)
    for pattern in (_NUMBERED, _NAMED, _ANYWHERE):
        text = pattern.sub(_expand, text)
    text = _STREET.sub(lambda m: "straße" + ("." if ends_text(m) else ""), text)
    text = _PARAGRAPHS.sub("Paragrafen ", text)
    text = _PARAGRAPH.sub("Paragraf ", text)
    return _AMPERSAND.sub(" und ", text)


def flag_abbreviations(text: str, flags: list[str]) -> str:
    """Flag what looks like an abbreviation no rule knows; leave the text as it is."""
    flags.extend(match.group() for match in _UNKNOWN.finditer(text))
    return text


def _expand(match: re.Match[str]) -> str:
    """Return the spelled-out form, capitalised like the written one, keeping a final period."""
    written = match.group()
    words = _KEYS[re.sub(r"\s", "", written).lower()]
    if written[0].isupper() and words[0].islower():
        words = words[0].upper() + words[1:]
    return words + ("." if ends_text(match) else "")

"""Say acronyms: spelled letter by letter, or as a word, by a maintained list.

Spelled acronyms become capital letters separated by spaces ("CDU" -> "C D U", "AfD" -> "A F D",
"US-Außenminister" -> "U S-Außenminister"). Engines read a lone capital letter by its German
name ("Zeh", "Deh", "Uh"), while "C-D-U" leaves the hyphens to the engine's guess and
"Ce De U" reads "De" and "U" wrongly in some voices. Acronyms said as words get their
newsroom spelling ("NATO" -> "Nato", "UNESCO" -> "Unesco").

Unknown tokens with two or more capitals and few lower-case letters ("EnWG", "XYZ") are flagged
as unsure. Up to four letters that cannot be pronounced as a word (no vowel, or a consonant
cluster no German word starts or ends with) are spelled; the rest is left as written.
A number glued to capitals is split off: "G7" -> "G sieben", "CO2" -> "C O zwei".
"""

from __future__ import annotations

import re

from audionews.speech.numbers import word_set

SPELLED = word_set("""
    EU USA US UN UK CDU CSU SPD FDP AfD BSW ARD ZDF DB GDL BGH BND BKA LKA BVB HSV DFB DFL FC
    SC SV TSV VfB VfL BBC CNN ORF SRF NDR WDR SWR MDR RBB HR BR SR RTL DW DPA AFP AP
    EZB IWF WHO OSZE OECD UNHCR WTO IOC ADAC AOK AKW KKW GEZ NRW DDR BRD GG BGB HGB KI IT PC TV
    VW BMW ICE IC ÖPNV BIP KfW DGB IG BDI DIW RKI CO PS SUV LNG CEO FBI CIA NSA ID SMS PDF
    GmbH AG KG Pkw Lkw Kfz PKW LKW KFZ EM WM DAK EKD LGBT NGO USB WLAN DSL
    """)
# Read as words; the value is how the engine should see it.
WORDS: dict[str, str] = {
    "NATO": "Nato",
    "DAX": "Dax",
    "MDAX": "M-Dax",
    "UNO": "Uno",
    "NASA": "Nasa",
    "UNESCO": "Unesco",
    "UNICEF": "Unicef",
    "FIFA": "Fifa",
    "UEFA": "Uefa",
    "OPEC": "Opec",
    "ESA": "Esa",
    "AIDS": "Aids",
    "COVID": "Covid",
    "SARS": "Sars",
    "IFO": "Ifo",
    "ifo": "Ifo",
    "ASEAN": "Asean",
    "NAFTA": "Nafta",
    "EFTA": "Efta",
    "NASDAQ": "Nasdaq",
    "BAföG": "Bafög",
    "OK": "okay",
    "ALDI": "Aldi",
    "LIDL": "Lidl",
    "IKEA": "Ikea",
    "INTERPOL": "Interpol",
    "HAMAS": "Hamas",
    "TÜV": "Tüv",
}

_VOWELS = "AEIOUÄÖÜ"  # not Y: "XYZ" is spelled
_ONSETS = word_set("BL BR CH DR FL FR GL GR KL KN KR PF PL PR SCH SP ST TR ZW")
_CODAS = word_set("CH CK FT LD LF LK LT MP ND NG NK NS NT RD RG RK RM RN RT SS ST TZ")
_GLUED = re.compile(r"(?<![\w])([A-ZÄÖÜ]{1,5})(\d{1,4})(?![\d.,]\d)")
_TOKEN = re.compile(r"(?<![\w])[^\W\d_]+(?![\w])")


def split_glued(text: str, flags: list[str]) -> str:
    """Put a space between capitals and a number glued to them, so both are read."""
    return _GLUED.sub(r"\1 \2", text)


def respell_acronyms(text: str, flags: list[str]) -> str:
    """Spell known acronyms, give word-like ones their reading, flag unknown ones."""
    return _TOKEN.sub(lambda m: _token(m.group(), flags), text)


def spell(token: str) -> str:
    """Return `token` as spaced capital letters: "AfD" -> "A F D"."""
    return " ".join(token.upper())


def pronounceable(token: str) -> bool:
    """Tell whether capital letters could be read as a German word ("NATO" yes, "GDL" no)."""
    upper = token.upper()
    if not any(char in _VOWELS for char in upper):
        return False
    clusters = re.findall(f"[^{_VOWELS}]+", upper)
    for cluster in clusters:
        at_start, at_end = upper.startswith(cluster), upper.endswith(cluster)
        if len(cluster) == 1:
            continue
        if (at_start and cluster in _ONSETS) or (at_end and cluster in _CODAS):
            continue
        if not at_start and not at_end and len(cluster) == 2:
            continue  # "ADAC" no, but "ANTON": one consonant closes, one opens a syllable
        return False
    return True


def _token(token: str, flags: list[str]) -> str:
    """Return how one word-like token is said."""
    if token in WORDS:
        return WORDS[token]
    if token in SPELLED:
        return spell(token)
    capitals = sum(char.isupper() for char in token)
    if capitals < 2 or capitals < len(token) - capitals:
        return token  # an ordinary word, a name, or a brand like "BaFin", "YouTube"
    flags.append(token)
    if len(token) <= 4 and not pronounceable(token):
        return spell(token)
    return token

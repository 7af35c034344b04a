"""Say amounts with their unit: money, percent, measures, and the scale words after numbers.

- Money with exactly two decimals is said as newsreaders do: "4.567,50 €" ->
  "viertausendfünfhundertsiebenundsechzig Euro fünfzig", "0,99 €" -> "neunundneunzig Cent".
  With a scale word the decimals are a fraction: "3,5 Mrd. Euro" -> "drei Komma fünf Milliarden
  Euro". A symbol before the number moves behind it ("$5" -> "fünf Dollar").
- Singular only for exactly 1 ("1 km" -> "ein Kilometer", "1 t" -> "eine Tonne",
  "1 Mio." -> "eine Million"); "1,0" and "1,5" take the plural. After a dative preposition:
  "mit 1 km" -> "mit einem Kilometer".
- Units are matched case-sensitively and only after a number ("t", "m", "l" are also words);
  a symbol without a number ("in €") is still said ("in Euro").
- After an ordinal a measure is one of a series and said in the singular, before the date
  rules read the ordinal: "nach dem 3. km" -> "nach dem dritten Kilometer", "in der 90. min"
  -> "in der neunzigsten Minute".
"""

from __future__ import annotations

import re
from typing import NamedTuple

from audionews.speech.numbers import (
    BEFORE,
    NUMBER,
    amount,
    ends_text,
    is_label,
    one,
    parse,
    word_before,
    word_set,
)


class Unit(NamedTuple):
    """How a unit is said: singular, plural and grammatical gender ("m", "f" or "n")."""

    singular: str
    plural: str
    gender: str


def _unit(singular: str, gender: str, plural: str = "") -> Unit:
    """Return a unit whose plural is `plural`, or the singular when it does not change."""
    return Unit(singular, plural or singular, gender)


_HOUR = _unit("Stunde", "f", "Stunden")
_MINUTE = _unit("Minute", "f", "Minuten")
_KILOMETER = _unit("Kilometer", "m")
_SQUARE_METER = _unit("Quadratmeter", "m")
_PERCENT = _unit("Prozent", "n")
EURO = _unit("Euro", "m")
DOLLAR = _unit("Dollar", "m")

UNITS: dict[str, Unit] = {
    "km/h": _unit("Kilometer pro Stunde", "m"),
    "km²": _unit("Quadratkilometer", "m"),
    "km": _KILOMETER,
    "m²": _SQUARE_METER,
    "qm": _SQUARE_METER,
    "m³": _unit("Kubikmeter", "m"),
    "cm": _unit("Zentimeter", "m"),
    "mm": _unit("Millimeter", "m"),
    "m": _unit("Meter", "m"),
    "kg": _unit("Kilogramm", "n"),
    "mg": _unit("Milligramm", "n"),
    "g": _unit("Gramm", "n"),
    "t": _unit("Tonne", "f", "Tonnen"),
    "ml": _unit("Milliliter", "m"),
    "l": _unit("Liter", "m"),
    "ha": _unit("Hektar", "m"),
    "kWh": _unit("Kilowattstunde", "f", "Kilowattstunden"),
    "MWh": _unit("Megawattstunde", "f", "Megawattstunden"),
    "GWh": _unit("Gigawattstunde", "f", "Gigawattstunden"),
    "TWh": _unit("Terawattstunde", "f", "Terawattstunden"),
    "kW": _unit("Kilowatt", "n"),
    "MW": _unit("Megawatt", "n"),
    "GW": _unit("Gigawatt", "n"),
    "°C": _unit("Grad Celsius", "n"),
    "° C": _unit("Grad Celsius", "n"),
    "°F": _unit("Grad Fahrenheit", "n"),
    "°": _unit("Grad", "n"),
    "h": _HOUR,
    "Std.": _HOUR,
    "min": _MINUTE,
    "Min.": _MINUTE,
    "Sek.": _unit("Sekunde", "f", "Sekunden"),
    "%": _PERCENT,
    "Prozent": _PERCENT,
    "‰": _unit("Promille", "n"),
    "€": EURO,
    "EUR": EURO,
    "Euro": EURO,
    "$": DOLLAR,
    "USD": DOLLAR,
    "Dollar": DOLLAR,
    "US-Dollar": _unit("US-Dollar", "m"),
    "£": _unit("Pfund", "n"),
    "GBP": _unit("Pfund", "n"),
    "CHF": _unit("Franken", "m"),
    "Franken": _unit("Franken", "m"),
    "¥": _unit("Yen", "m"),
    "ct": _unit("Cent", "m"),
    "Cent": _unit("Cent", "m"),
}
MONEY = word_set("€ EUR Euro $ USD Dollar US-Dollar £ GBP CHF Franken ¥")
# Scale words, after the abbreviations step has spelled out "Mio." and "Mrd.".
SCALES: dict[str, Unit] = {
    word: unit
    for unit in (
        _unit("Million", "f", "Millionen"),
        _unit("Milliarde", "f", "Milliarden"),
        _unit("Billion", "f", "Billionen"),
    )
    for word in (unit.singular, unit.plural)
}
_SYMBOLS = {"€": "Euro", "$": "Dollar", "£": "Pfund", "¥": "Yen", "%": "Prozent", "‰": "Promille"}

_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_SCALE = "|".join(sorted(SCALES, key=len, reverse=True))
_QUANTITY = re.compile(
    BEFORE
    + r"(?P<number>"
    + NUMBER
    + r")(?:\s?(?P<scale>"
    + _SCALE
    + r")\b)?(?:\s?(?P<unit>"
    + _UNIT
    + r")(?![\w²³/]))?"
)
_SYMBOL_FIRST = re.compile(
    r"(?<![\w])([€$£¥]|EUR|USD)\s?(" + NUMBER + r")(?![\d])(\s?(?:" + _SCALE + r")\b)?"
)
_MEASURES = "|".join(
    re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if u not in MONEY and u[0].isalpha()
)
_ORDINAL_UNIT = re.compile(BEFORE + r"(\d{1,3})\.\s?(" + _MEASURES + r")(?![\w²³/])")
_LONE_SYMBOL = re.compile("|".join(re.escape(s) for s in _SYMBOLS))


def say_quantities(text: str, flags: list[str]) -> str:
    """Read numbers followed by a unit, a currency or a scale word; say lone symbols."""
    text = _SYMBOL_FIRST.sub(lambda m: f"{m.group(2)}{m.group(3) or ''} {m.group(1)}", text)
    text = _QUANTITY.sub(_quantity, text)
    return _LONE_SYMBOL.sub(lambda m: f" {_SYMBOLS[m.group()]} ", text)


def say_ordinal_units(text: str, flags: list[str]) -> str:
    """Name the measure after an ordinal in the singular ("3. km" -> "3. Kilometer")."""
    return _ORDINAL_UNIT.sub(_ordinal_unit, text)


def _ordinal_unit(match: re.Match[str]) -> str:
    """Return the ordinal as written and its unit's singular; keep a period that ends the text."""
    unit = match.group(2)
    final = "." if unit.endswith(".") and ends_text(match) else ""
    return f"{match.group(1)}. {UNITS[unit].singular}{final}"


def _quantity(match: re.Match[str]) -> str:
    """Read one amount with its scale word and unit; plain numbers are left for later."""
    written, scale, unit_text = match.group("number", "scale", "unit")
    if not scale and not unit_text:
        return match.group()
    whole, fraction = parse(written)
    single = whole == 1 and not fraction and written.lstrip("+") == "1"
    unit = UNITS[unit_text] if unit_text else None
    if unit and unit_text in MONEY and not scale and len(fraction) == 2:
        return _money(whole, fraction, unit)
    preposition = word_before(match.string, match.start())
    words: list[str] = []
    if single and not is_label(match.string, match.start()):
        first = SCALES[scale] if scale else unit
        assert first is not None  # a scale word or a unit matched
        words.append(_one(first, preposition))
    else:
        words.append(amount(written, before_noun=True))
    if scale:
        words.append(SCALES[scale].singular if single else SCALES[scale].plural)
    if unit:
        words.append(unit.singular if single and not scale else unit.plural)
    # "Std." at the end of a sentence: its period also ended the sentence.
    final = unit_text and unit_text.endswith(".") and ends_text(match)
    return " ".join(words) + ("." if final else "")


def _money(whole: int, cents: str, unit: Unit) -> str:
    """Say an amount of money with cents: "vier Euro fünfzig", "neunundneunzig Cent"."""
    small = int(cents)
    if whole == 0 and small:
        return f"{amount(str(small))} Cent" if unit.singular == "Euro" else _decimal(cents, unit)
    words = (_one(unit, "") if whole == 1 else amount(str(whole), before_noun=True)) + " "
    words += unit.singular if whole == 1 else unit.plural
    return words + (f" {amount(str(small))}" if small else "")


def _decimal(cents: str, unit: Unit) -> str:
    """Say a sub-unit amount of a currency without a known cent word: "null Komma fünf Dollar"."""
    return f"{amount('0,' + cents)} {unit.plural}"


def _one(unit: Unit, preposition: str) -> str:
    """Return "ein"/"eine"/"einem"/"einer" agreeing with `unit`."""
    noun = {"m": "Tag", "n": "Jahr", "f": "Woche"}[unit.gender]  # a noun of the same gender
    return one(noun, preposition)

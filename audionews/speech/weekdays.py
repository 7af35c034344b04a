"""Say weekdays: the abbreviations "Mo." to "So.", and the article of a weekday before a date.

- "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So." are spelled out where the context says they
  are weekdays: before a date or a time ("Di., 3. März", "Mi. 14 Uhr"), after "am", "ab", "bis",
  "seit", "jeden" and the like, next to another weekday ("Mo., Mi. und Fr."), and in ranges
  ("Mo.–Fr." -> "Montag bis Freitag", "Sa./So." -> "Samstag und Sonntag"). Without a period
  ("Di 3. März") only before a date. Elsewhere "Mo." "Di." "Mi." "Do." "Sa." have no other
  reading and are spelled out too (espeak would say "die" for "Di."), but flagged. "Fr." is
  also "Frau", and "So." opening a sentence is the word "so": both are left as written there.
- A weekday before a date gets the comma and the article a newsreader says:
  "am Di., 3. März" and "am Dienstag 3. März" -> "am Dienstag, dem 3. März" (read later "dem
  dritten März"). The case follows the word before the weekday: "dem" after a dative preposition
  ("am", "ab", "seit", "vom" ...), "den" after an accusative one ("bis", "für", "auf" ...), "der"
  at the start and after a form of "sein" ("Heute ist Dienstag, der dritte März"); elsewhere
  "den", the adverbial accusative ("findet Dienstag, den dritten März, statt"), flagged.
"""

from __future__ import annotations

import re

from audionews.speech.dates import MONTH
from audionews.speech.numbers import at_start, ends_text, word_set

WEEKDAYS = {
    "Mo": "Montag",
    "Di": "Dienstag",
    "Mi": "Mittwoch",
    "Do": "Donnerstag",
    "Fr": "Freitag",
    "Sa": "Samstag",
    "So": "Sonntag",
}
_SHORT = "|".join(WEEKDAYS)
_NAME = "|".join(WEEKDAYS.values())
# A day with its month, as the date rules read it later: "3. März", "3.3.", "3. 3. 2026".
_DATE = r"\d{1,2}\.\s?(?:\d{1,2}\.|(?:" + MONTH + r")(?!\w))"
_TIME = r"\d{1,2}(?:[:.]\d\d)?\s?Uhr\b|\d{1,2}:\d\d"

# Words before an abbreviation that make it a weekday ("am Mo.", "bis Fr.", "jeden Di.").
_CUES = word_set(
    "am ab bis seit vom von zum jeden jeweils außer nächsten kommenden letzten vergangenen "
    "diesen immer ob"
)
_DATIVE = word_set("am an vom von zum seit ab nach vor bei mit aus zu")
_ACCUSATIVE = word_set("bis für auf gegen um durch über ohne")
_COPULA = word_set("ist war sei wäre sind waren wird wurde bleibt heißt")

_RANGE = re.compile(r"(?<![\w.])(" + _SHORT + r")\.?\s?([–—/-])\s?(" + _SHORT + r")(\.?)(?![\w-])")
_SINGLE = re.compile(r"(?<![\w.])(" + _SHORT + r")(\.)?(?![\w-])")
_DATED = re.compile(r",?\s?(?:(?:den|dem|der)\s)?(?:" + _DATE + r")")
_TIMED = re.compile(r",?\s?(?:" + _TIME + r")")
_LINK = r"\s*(?:,|und|oder|bis|sowie|/)\s*"
_LISTED_BEFORE = re.compile(r"(?:(?:" + _SHORT + r")\.|" + _NAME + r")" + _LINK + r"$")
_LISTED_AFTER = re.compile(_LINK + r"(?:(?:" + _SHORT + r")\.|(?:" + _NAME + r")\b)")
_APPOSITION = re.compile(r"(?<!\w)(" + _NAME + r")(?:,\s?|\s)(?=" + _DATE + r")")
_WORD_BEFORE = re.compile(r"(\S+)\s+$")


def say_weekdays(text: str, flags: list[str]) -> str:
    """Spell out weekday abbreviations and give a weekday before a date its article."""
    text = _RANGE.sub(_range, text)
    text = _SINGLE.sub(lambda m: _single(m, flags), text)
    return _APPOSITION.sub(lambda m: _apposition(m, flags), text)


def _range(match: re.Match[str]) -> str:
    """Read "Mo.–Fr." as "Montag bis Freitag" and "Sa./So." as "Samstag und Sonntag"."""
    first, mark, last, period = match.groups()
    link = "und" if mark == "/" else "bis"
    final = "." if period and ends_text(match) else ""
    return f"{WEEKDAYS[first]} {link} {WEEKDAYS[last]}{final}"


def _single(match: re.Match[str], flags: list[str]) -> str:
    """Spell out one abbreviation where it is a weekday, flag it where that is a guess."""
    short, period = match.groups()
    text, end = match.string, match.end()
    dated = bool(_DATED.match(text, end))
    if not period:
        return WEEKDAYS[short] if dated else match.group()
    if not (dated or _TIMED.match(text, end) or _cued(match)):
        if short == "Fr" or (short == "So" and at_start(text, match.start())):
            return match.group()  # "Fr. Müller" is Frau Müller; "So. Jetzt reicht es."
        flags.append(match.group())
    return WEEKDAYS[short] + ("." if ends_text(match) else "")


def _cued(match: re.Match[str]) -> bool:
    """Tell whether the words around an abbreviation make it a weekday."""
    text, start = match.string, match.start()
    before = _WORD_BEFORE.search(text, 0, start)
    if before and before.group(1).lower() in _CUES:
        return True
    neighbours = [m.group() for m in (_LISTED_BEFORE.search(text, 0, start),) if m]
    after = _LISTED_AFTER.match(text, match.end())
    neighbours += [after.group()] if after else []
    # "Fr. Müller und Fr. Schulz" are two women: a neighbour counts only if it is another day.
    return any(match.group(1) + "." not in n for n in neighbours)


def _apposition(match: re.Match[str], flags: list[str]) -> str:
    """Return the weekday, a comma and the article its case asks for before the date."""
    text, start = match.string, match.start()
    before = _WORD_BEFORE.search(text, 0, start)
    word = before.group(1).lower() if before else ""
    opens = not before or at_start(text, start) or text[start - 1 : start] in "(:–—"
    if opens or word.endswith(":") or word in _COPULA:
        article = "der"
    elif word in _DATIVE:
        article = "dem"
    elif word in _ACCUSATIVE:
        article = "den"
    else:
        article = "den"
        flags.append(match.group(1))
    return f"{match.group(1)}, {article} "

"""Split German display text into sentences.

A rule set, not a model: every candidate end (`.`, `!`, `?`, `…` plus closing quotes or brackets,
followed by a space or the end of the text) is judged by the word before it and the word after it.

- `!`, `?`, `…` end a sentence unless the next word starts in lower case ("„Wer?“ fragte er").
- A period after an ordinary word ends a sentence unless the next word starts in lower case. This
  is what keeps "Das ist. Im Herbst." two sentences (gTTS's own rule wrongly treats every word
  ending in "st" as an abbreviation).
- Known abbreviations never end a sentence ("z. B.", "Dr.", "Nr." ...), except at the end of the
  text. Abbreviations that often close a sentence ("usw.", "etc.") end one before a capital.
  Unit-like ones ("Mio.", "Jh.", "Art.") end one only before a typical sentence opener
  ("Der", "Sie", "Danach" ...), because they are normally followed by a noun or a number.
- A period after a number is an ordinal ("am 3. Oktober", "der 2. Weltkrieg", "1. FC Köln") when
  a month follows, when the number opens the sentence (also numbered lists), or when a capital
  noun follows and the number (at most three digits) comes after an article or preposition such
  as "der", "im", "am", "seit". Before a sentence opener, or after a year-like number, it ends.
- A blank line and a line that starts a list item ("1. ", "- ", "• ") always start a sentence.

Trade-offs: the opener list decides the ambiguous cases, so "Das kostet 2 Mio. Experten ..." stays
one sentence, and "Er wurde 3. Sieger ..." is split after "3.". Both are rare in news text,
while the reverse errors (breaking dates, ordinals and "z. B.") would be frequent.
"""

from __future__ import annotations

import re

from .abbreviations import ABBREVIATIONS, BEFORE_NAME, BEFORE_NUMBER

_CANDIDATE = re.compile(r"[.!?…]+[\"'»«“”’‘)\]]*(?=\s|$)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_LIST_ITEM_LINE = re.compile(r"\n(?=[ \t]*(?:\d{1,3}[.)]|[-–•*])\s)")
_OPENING = "(„\"»«‚‘'[“"
_TRAILING = ",;:.!?…\"'»«“”’)]"


def _words(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of `text` as a set."""
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[str]:
    """Return the "|"-separated phrases of `text` as a set."""
    return frozenset(phrase.strip() for phrase in text.split("|"))


# Never end a sentence (unless the text ends). Lower-case forms also match capitalised
# ("Ca. 500 Menschen" at the start of a sentence).
NEVER = _words(
    """
    z.B. u.a. d.h. v.a. z.T. u.U. i.d.R. bzw. ca. vgl. Dr. Prof. Nr. Nrn. St. Hr. Hrn. Fr.
    sog. inkl. zzgl. Tel. Bd. Bde. Abs. S. Dipl. Ing. Mag. Dres. Hrsg. Abb. Kap. Aufl. bspw.
    bzgl. ggü. gem. lt. Ziff. Mr. Mrs. Ms. stv. Stv. dt. engl. franz. geb. gest. vs. allg. Bsp.
    """
)
# Spaced abbreviations, matched with the words before the period.
NEVER_MULTI = _phrases("z. B. | u. a. | d. h. | v. a. | z. T. | u. U. | i. d. R. | m. E. | s. o.")

# End a sentence before any capitalised word: they usually close an enumeration.
FINAL = frozenset({"usw.", "etc.", "usf."})
FINAL_MULTI = _phrases("u. ä. | o. ä. | u. Ä. | o. Ä. | u. v. m. | u. s. w.")

# End a sentence only before a typical sentence opener.
WEAK = _words(
    """
    Mio. Mrd. Tsd. Mill. Jh. Jhd. Jhs. Std. Min. Sek. Art. Str. evtl. ggf. ff. Ct.
    Jan. Feb. Mär. Apr. Jun. Jul. Aug. Sep. Sept. Okt. Nov. Dez. Mo. Di. Mi. Do. Sa. So. Hbf.
    """
)

# Every abbreviation the normalizer expands keeps its sentence together too, unless it is
# listed above as possibly final or weak, so the two lists cannot drift apart.
_EXPANDED = {a for a in (*ABBREVIATIONS, *BEFORE_NUMBER, *BEFORE_NAME) if a.endswith(".")}
NEVER |= {a for a in _EXPANDED if " " not in a and a not in WEAK | FINAL}
NEVER_MULTI |= {a for a in _EXPANDED if " " in a and a not in FINAL_MULTI}

MONTHS = _words(
    """
    Januar Jänner Februar März April Mai Juni Juli August September Oktober November Dezember
    Jan Feb Mär Apr Jun Jul Aug Sep Sept Okt Nov Dez
    """
)

# Words after which a number with a period is an ordinal ("im 20. Jahrhundert").
DETERMINERS = _words(
    """
    der die das den dem des am im vom zum zur beim ins ans ein eine einer einem einen eines
    kein keine keinem keinen keiner mein meine meinem meinen meiner sein seine seinem seinen
    seiner seines ihr ihre ihrem ihren ihrer ihres unser unsere unserem unseren unserer euer
    eure jeder jede jedes jedem jeden dieser diese dieses diesem diesen jener jene jenem jenen
    und oder bis ab seit sowie bzw. als gegen zwischen
    """
)

# Capitalised words that open sentences but are not nouns, so they cannot follow an
# abbreviation or an ordinal inside a sentence.
OPENERS = _words(
    """
    Der Die Das Den Dem Des Ein Eine Einer Einen Einem Eines Er Sie Es Wir Ich Ihr Man Du
    Dies Diese Dieser Dieses Diesem Diesen Dabei Damit Danach Daher Dann Darum Darauf Dazu
    Dadurch Dafür Deshalb Deswegen Dennoch Doch Aber Auch Allerdings Also Außerdem Zudem Zwar
    Jedoch Trotzdem Somit So Nun Jetzt Heute Gestern Inzwischen Bereits Schon Noch Nur Im In
    Am An Auf Aus Bei Beim Mit Nach Seit Von Vom Vor Zum Zur Für Gegen Unter Über Um Wie Was
    Wer Wo Wann Warum Weshalb Als Wenn Ob Obwohl Weil Da Denn Und Oder Sondern Viele Alle Kein
    Keine Hier Dort Laut Zuletzt Zunächst Erst Gleichzeitig Insgesamt Demnach Ebenfalls Später
    Anschließend Zugleich Immerhin Vielmehr Dagegen Hingegen Stattdessen Bisher Künftig
    Derzeit Aktuell Hinter Neben Zwischen Durch Ohne Trotz Wegen Während Bis Ab Mein Meine
    Sein Seine Ihre Unser Unsere Jeder Jede Jedes Welche Welcher Welches Nicht Ja Nein Etwa
    Rund Fast Knapp Mehr Weitere Andere Beide Einige Manche
    """
)


def split_sentences(text: str) -> list[str]:
    """Split `text` into sentences, whitespace inside each collapsed to single spaces."""
    sentences: list[str] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for paragraph in _BLANK_LINE.split(text):
        for block in _LIST_ITEM_LINE.split(paragraph):
            sentences.extend(_split_block(" ".join(block.split())))
    return sentences


def _split_block(text: str) -> list[str]:
    """Split one paragraph or list item, already on one line."""
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if _ends_sentence(text, start, match):
            sentences.append(text[start : match.end()].strip())
            start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _ends_sentence(text: str, start: int, match: re.Match[str]) -> bool:
    """Judge one candidate end, given where the current sentence started."""
    after = text[match.end() :].split(maxsplit=1)
    if not after:
        return True
    following = after[0]
    kind = _kind(following)
    if kind == "lower":
        return False
    if match.start() > 0 and text[match.start() - 1] in "([":
        return False  # "[…]" or "(!)" inside a sentence
    marks = match.group().rstrip("\"'»«“”’‘)]")
    if marks != "." or len(marks) < len(match.group()):
        return True  # "!", "?", "…", "...", or a period that closes a quote or bracket
    words = text[start : match.start()].split()
    if not words:
        return True
    return _period_ends(words, following, kind)


def _period_ends(words: list[str], following: str, kind: str) -> bool:
    """Judge a period after `words[-1]`, followed by a word that is not lower case."""
    word = words[-1].lstrip(_OPENING)
    abbreviation = word + "."
    multi = [
        " ".join([*words[-n:-1], abbreviation]).lstrip(_OPENING) for n in (2, 3) if len(words) >= n
    ]

    if _known(abbreviation, FINAL) or any(m in FINAL_MULTI for m in multi):
        return kind == "upper"
    if _known(abbreviation, NEVER) or any(m in NEVER_MULTI for m in multi):
        return False
    if _known(abbreviation, WEAK) or (len(word) > 3 and word.endswith("str")):
        return _opens_sentence(following)
    if word.isdigit():
        return _number_ends(words, word, following, kind)
    if len(word) == 1 and word.isalpha():
        # An initial ("Klaus M. Müller") or the end of an abbreviation like "z. T.".
        return word.isupper() and _opens_sentence(following)
    if re.fullmatch(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}", word):
        return _opens_sentence(following)  # "e.V", "U.S.A", unknown dotted abbreviations
    return True


def _number_ends(words: list[str], number: str, following: str, kind: str) -> bool:
    """Judge a period after a number: ordinal (inside) or the end of a sentence."""
    if len(words) == 1:
        return False  # opens the sentence: "1. FC Köln", a numbered list item
    if kind == "digit":
        return len(number) > 2  # "am 3. 10. 2024" stays; "im Jahr 1990. 2000 ..." ends
    if kind != "upper":
        return True
    if _bare(following) in MONTHS:
        return False
    if _opens_sentence(following) or len(number) > 3:
        return True
    previous = words[-2].lstrip(_OPENING).rstrip(",").lower()
    return previous not in DETERMINERS


def _known(abbreviation: str, table: frozenset[str]) -> bool:
    """Tell whether `abbreviation` is in `table`, also capitalised at a sentence start."""
    if abbreviation in table:
        return True
    return abbreviation[:1].isupper() and abbreviation[:1].lower() + abbreviation[1:] in table


def _bare(word: str) -> str:
    """Return `word` without surrounding quotes and punctuation."""
    return word.lstrip(_OPENING).rstrip(_TRAILING)


def _opens_sentence(word: str) -> bool:
    """Tell whether `word` is a typical sentence opener (not a noun)."""
    return _bare(word) in OPENERS


def _kind(word: str) -> str:
    """Classify `word` by its first letter or digit: upper, lower, digit or other."""
    for char in word:
        if char.isdigit():
            return "digit"
        if char.isalpha():
            return "upper" if char.isupper() else "lower"
    return "other"

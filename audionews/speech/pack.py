"""Pack one spoken sentence into pieces short enough for the engine (gTTS takes 100 characters).

The cut points are chosen together, not greedily: a greedy cut at the last space that fits leaves
fragments like "… im Personenverkehr" + "angekündigt." and breaks "35 | Stunden". Instead a small
dynamic programme picks the cuts with the lowest total cost. Costs, from the weights below:

- every piece costs a little (fewer pieces, fewer pauses and engine requests);
- a cut costs by its boundary, best first: after ";" or ":", after ",", after a dash, before a
  conjunction ("und", "oder", "aber", "denn", "sondern", "weil", "dass"), any other space. A cut
  at a plain space costs more than an extra piece, because the engine speaks every piece as a
  whole utterance (falling tone at its end): one more clause-sized piece sounds better than a
  phrase torn in the middle;
- a plain cut between a number and its unit ("35 | Stunden", "92,5 | %") or after a hyphen that
  waits for its noun ("Fern- | und Regionalverkehr") costs extra;
- a cut inside a phrase that is said in one breath costs so much that it is made only where no
  other cut fits: after an article or a preposition ("am | vierten November", "einen |
  vierundzwanzigstündigen"), after a number said in words ("vierten | November",
  "fünfundzwanzig | auf sechsundzwanzig", "zwanzigtausend | Kilowattstunden"), and around the
  words that join numbers ("Komma", "Strich", "Uhr dreißig"). The text is already normalized
  here, so numbers are recognized by the German number words, not by digits;
- uneven and very short pieces cost extra (a 12-character tail after a pause sounds clipped).

A word longer than `max_chars` is cut hard into `max_chars`-long parts first; that is the only
way a piece can end inside a word.
"""

from __future__ import annotations

import re

from audionews.speech.numbers import word_set

_CONJUNCTIONS = frozenset({"und", "oder", "aber", "denn", "sondern", "weil", "dass"})
_DASHES = frozenset({"–", "—", "-"})
_NUMBER = re.compile(r"[+-]?\d[\d.,:/]*")

_PIECE_COST = 60.0
_BOUNDARY_COST = (0.0, 10.0, 20.0, 40.0, 200.0)  # ";:"  ","  dash  conjunction  space
_NUMBER_UNIT_COST = 100.0
_HARD_COST = 0.0  # inside an over-long word there is no choice
_UNEVEN_COST = 60.0
_SHORT_COST = 80.0  # for pieces under a fifth of the limit
_TORN_COST = 100.0  # after a hyphen that waits for its noun ("Fern- und Regionalverkehr")
_BOUND_COST = 1000.0  # inside "am vierten November": more than any number of other cuts

# A German number word, cardinal or ordinal: "vier", "zweitausendfünfundzwanzig", "vierten",
# "dreiundzwanzigste", "Erster". Built from the parts num2words writes, so "und" alone is none.
_NUMBER_PART = (
    "null|eins|ein|zwei|zwo|drei|vier|fünf|sechs|sech|sieben|sieb|acht|neun|zehn|elf|zwölf|"
    "zwan|hundert|tausend"
)
_NUMBER_WORD = re.compile(
    rf"(?:{_NUMBER_PART})(?:{_NUMBER_PART}|zig|ßig|und)*(?:s?te|e)?[nrms]?"
    r"|erste[nrms]?|dritte[nrms]?|erstens|drittens"
    r"|(?:millione?|milliarde|billione?)n?",
    re.IGNORECASE,
)
# Words that never end a piece: articles, prepositions and their contractions.
_FUNCTION_WORDS = word_set(
    """
    der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner
    keines mein meine meinen meinem meiner sein seine seinen seinem seiner seines ihr ihre
    ihren ihrem ihrer ihres unser unsere unseren unserem unserer dieser diese dieses diesem
    diesen jeder jede jedes jedem jeden am im vom zum zur beim ins ans aufs fürs ums an auf aus
    bei bis mit nach seit von vor zu in über unter um für gegen ohne durch zwischen ab hinter
    neben während wegen trotz laut per pro je via samt circa rund etwa minus plus als wie
    """
)
# Words that hold the numbers on both sides together ("zwei Komma fünf", "21 Strich 1473").
_NUMBER_LINKS = frozenset({"Komma", "Strich"})
_BETWEEN_NUMBERS = frozenset({"auf", "bis", "zu", "und", "oder"})
_ARTICLES = frozenset({"ein", "eine", "einen", "einem", "einer", "eines"})


def pack(text: str, max_chars: int = 100) -> list[str]:
    """Split `text` into stripped, non-empty pieces of at most `max_chars` characters."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    words = text.split()
    if not words:
        return []
    if len(" ".join(words)) <= max_chars:
        return [" ".join(words)]

    # Tokens with the separator that goes before each: " " between words, "" inside a word cut hard.
    tokens: list[tuple[str, str]] = []
    for word in words:
        parts = [word[i : i + max_chars] for i in range(0, len(word), max_chars)]
        tokens.extend((" " if j == 0 else "", part) for j, part in enumerate(parts))

    cut_cost = [0.0] + [_cut_cost(tokens, j) for j in range(1, len(tokens))]
    count = len(tokens)
    # best[i]: lowest cost to pack tokens[:i]; back[i]: where the last piece of that packing starts.
    best = [0.0] + [float("inf")] * count
    back = [0] * (count + 1)
    for start in range(count):
        if best[start] == float("inf"):
            continue
        length = -1
        for end in range(start + 1, count + 1):
            separator, token = tokens[end - 1]
            length += len(token) + (len(separator) if end - 1 > start else 1)
            if length > max_chars:
                break
            cost = best[start] + _PIECE_COST + _uneven(length, max_chars)
            if start > 0:
                cost += cut_cost[start]
            if cost < best[end]:
                best[end], back[end] = cost, start

    pieces: list[str] = []
    end = count
    while end > 0:
        start = back[end]
        piece = tokens[start][1] + "".join(sep + tok for sep, tok in tokens[start + 1 : end])
        pieces.append(piece)
        end = start
    return pieces[::-1]


def _cut_cost(tokens: list[tuple[str, str]], index: int) -> float:
    """Return the cost of starting a piece at `tokens[index]`."""
    separator, token = tokens[index]
    if not separator:
        return _HARD_COST
    previous = tokens[index - 1][1]
    if previous[-1] in ";:":
        rank = 0
    elif previous[-1] == ",":
        rank = 1
    elif previous in _DASHES:
        rank = 2
    elif token in _CONJUNCTIONS and not previous.endswith("-"):
        rank = 3  # but "Fern- | und Regionalverkehr" is one phrase
    else:
        rank = 4
    cost = _BOUNDARY_COST[rank]
    if rank == 4 and (_NUMBER.fullmatch(previous) or not token[0].isalnum()):
        cost += _NUMBER_UNIT_COST
    if rank >= 3 and _bound(previous, token):
        cost += _BOUND_COST
    if previous.endswith("-") and previous not in _DASHES:
        cost += _TORN_COST
    return cost


def _bound(previous: str, token: str) -> bool:
    """Tell whether a cut between `previous` and `token` (no punctuation between) tears a phrase."""
    if previous.lower() in _FUNCTION_WORDS or previous in _NUMBER_LINKS or token in _NUMBER_LINKS:
        return True
    if _NUMBER_WORD.fullmatch(previous):
        # "vierten | November", "zwanzig | Prozent", "fünfundzwanzig | auf", but the phrase
        # may end before a preposition or a conjunction ("sechsundzwanzig | mit leicht ...").
        if token in _BETWEEN_NUMBERS:
            return True
        return token.lower() not in _FUNCTION_WORDS and token not in _CONJUNCTIONS
    if token == "als" and (previous == "mehr" or (previous.islower() and previous.endswith("er"))):
        return True  # "mehr | als", "später | als"
    # "Winter | zweitausendfünfundzwanzig", "Uhr | dreißig": a noun and the number it names.
    word = token.rstrip(".,;:!?")
    return previous[:1].isupper() and word not in _ARTICLES and bool(_NUMBER_WORD.fullmatch(word))


def _uneven(length: int, max_chars: int) -> float:
    """Return the cost of a piece that is much shorter than the limit."""
    cost = _UNEVEN_COST * ((max_chars - length) / max_chars) ** 2
    return cost + (_SHORT_COST if length * 5 < max_chars else 0.0)

"""Read a dash between names: a route, a match, or a short break.

- After a word for a route ("Strecke", "Verbindung", "Zug", "ICE", "Flug", "Linie", "Fahrt",
  also in compounds: "ICE-Strecke", "Direktflug") the names are stops: "die Strecke
  Köln–Dortmund" -> "die Strecke von Köln nach Dortmund", a third name with "über". After
  "von" only "nach" is added; after "zwischen" the names are joined by "und".
- After a word for a match ("Spiel", "Partie", "Duell", "Derby", "Finale", "Pokalspiel") the
  names are opponents: "das Spiel Köln–Dortmund" -> "das Spiel Köln gegen Dortmund".
- Elsewhere an en dash between names is a short break, said as a comma ("Köln, Dortmund"), and
  flagged: it may be a route, a pairing or a coalition, and only an editor can tell.
- A hyphen between capitalised words is nearly always a compound ("Baden-Württemberg",
  "Nato-Gipfel", "Berlin-Mitte") and stays, unless a route or match word stands right before
  it ("der Zug Köln-Dortmund"): then it is read like the dash and flagged, since "die Strecke
  Berlin-Spandau" may name one place. Known double names of places always stay.
- A pair that goes on as a compound ("die Köln–Dortmund-Strecke") stays one word.
"""

from __future__ import annotations

import re

from audionews.speech.numbers import word_set

_ROUTES = word_set("ICE IC EC RE RB IRE Bus Busse Bahn Fähre Fähren Etappe Umzug")
_ROUTE_ENDINGS = (
    "strecke",
    "strecken",
    "verbindung",
    "verbindungen",
    "flug",
    "flüge",
    "linie",
    "route",
    "fahrt",
    "fahrten",
    "trasse",
    "zug",
    "züge",
    "zuges",
    "autobahn",
    "korridor",
    "pipeline",
    "gasleitung",
    "stromleitung",
)
_MATCH_ENDINGS = ("spiel", "spiels", "partie", "duell", "derby", "finale", "begegnung", "match")
_NOT_MATCHES = word_set("Beispiel Zusammenspiel Wortspiel Schauspiel Glücksspiel Planspiel")
# Double names of places: a hyphen here never separates two stops.
_PLACES = word_set(
    "Baden-Württemberg Nordrhein-Westfalen Rheinland-Pfalz Sachsen-Anhalt Schleswig-Holstein "
    "Mecklenburg-Vorpommern Baden-Baden Garmisch-Partenkirchen Castrop-Rauxel "
    "Villingen-Schwenningen Bietigheim-Bissingen Berlin-Brandenburg Elsass-Lothringen "
    "Halle-Neustadt Kaiserslautern-Landstuhl Weil-am-Rhein"
)
# Parts of a city: "Berlin-Mitte", "Köln-Nord" are one place.
_DISTRICTS = word_set("Mitte Nord Süd Ost West Altstadt Innenstadt Zentrum Hauptbahnhof Flughafen")
_LINKS = word_set("am an der im ob bei")  # inside a name: "Frankfurt am Main"

_NAME = r"[A-ZÄÖÜ][^\W\d_]*"
_DASHED = re.compile(
    r"(?<![\w-])" + _NAME + r"(?:-" + _NAME + r")*(?:\s?[–—]\s?" + _NAME + r"(?:-" + _NAME + r")*)+"
    r"(?![\w-])"
)
_HYPHENED = re.compile(r"(?<![\w-])[A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-ZÄÖÜ][a-zäöüß]{2,})+(?![\w-])")
_DASH = re.compile(r"\s?[–—]\s?")


def say_routes(text: str, flags: list[str]) -> str:
    """Read the dashes between names in `text` as stops, opponents or a short break."""
    text = _replace(_DASHED, text, flags, hyphen=False)
    return _replace(_HYPHENED, text, flags, hyphen=True)


def _replace(pattern: re.Pattern[str], text: str, flags: list[str], *, hyphen: bool) -> str:
    """Rewrite every match of `pattern`, including the name's first words before it."""
    out: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        written = match.group()
        names = written.split("-") if hyphen else _DASH.split(written)
        if hyphen and (written in _PLACES or names[-1] in _DISTRICTS):
            continue
        if not hyphen and "-" in names[-1] and names[-1] not in _PLACES:
            continue  # "die Köln–Dortmund-Strecke": one compound, read as one word
        start, said = _said(text, position, match.start(), names, hyphen=hyphen)
        if said is None and hyphen:
            continue
        if said is None:
            said, start = ", ".join(names), match.start()  # a short break, the kind left open
        if hyphen or said.count(",") > written.count(","):
            flags.append(written)
        out.append(text[position:start])
        out.append(said)
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def _said(
    text: str, floor: int, start: int, names: list[str], *, hyphen: bool
) -> tuple[int, str | None]:
    """Return where the rewritten text starts and what it says, or None without a context.

    The words before the names are looked at from the nearest: a route or match word, "von"
    or "zwischen" (not for a hyphen: "von Nato-Staaten"), with up to three words of a longer
    first name between ("Strecke Frankfurt am Main–Berlin").
    """
    words = list(re.finditer(r"\S+", text[floor:start]))
    for taken in range(min(3, len(words)) + 1):
        name_words = words[len(words) - taken :]
        if name_words and not name_words[0].group()[0].isupper():
            continue  # "am Main" of "Frankfurt am Main"
        if any(not (w.group()[0].isupper() or w.group() in _LINKS) for w in name_words):
            break
        rest = words[: len(words) - taken]
        if not rest:
            break
        raw = rest[-1].group()
        if raw[-1] in ",;:.!?":
            break  # a clause ends before the names
        word = raw.lstrip("(„“\"'[")
        first = " ".join([*(w.group() for w in name_words), names[0]])
        begin = floor + name_words[0].start() if name_words else start
        if word.lower() == "zwischen" and not hyphen:
            return begin, _joined([first, *names[1:]])
        if word.lower() == "von" and not hyphen:
            return begin, _stops([first, *names[1:]], "")
        if _is_route(word):
            return begin, _stops([first, *names[1:]], "von ")
        if _is_match(word) and len(names) == 2:
            return begin, f"{first} gegen {names[1]}"
    return start, None


def _stops(names: list[str], opening: str) -> str:
    """Say the names as a route: "von A über B nach C"."""
    middle = "".join(f" über {name}" for name in names[1:-1])
    return f"{opening}{names[0]}{middle} nach {names[-1]}"


def _joined(names: list[str]) -> str:
    """Say the names as a list: "A, B und C"."""
    return ", ".join(names[:-1]) + " und " + names[-1]


def _is_route(word: str) -> bool:
    """Tell whether `word` names a route, also as the end of a compound ("ICE-Strecke")."""
    return word in _ROUTES or (word[:1].isupper() and word.lower().endswith(_ROUTE_ENDINGS))


def _is_match(word: str) -> bool:
    """Tell whether `word` names a match between two teams ("Spiel", "Pokalfinale")."""
    return word not in _NOT_MATCHES and word[:1].isupper() and word.lower().endswith(_MATCH_ENDINGS)

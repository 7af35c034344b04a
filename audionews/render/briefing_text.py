"""What the daily briefing is made of and says: its articles, title, opening and closing.

Pure functions and plain data; `render.briefing` builds the file, `jobs.briefing_job` fills
`BriefingInput` from the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from num2words import num2words

from ..speech.dates import MONTHS

# Bump when the way a briefing is made changes, so every day is built again.
BRIEFING_VERSION = 1
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def _date_words(day: dt.date) -> tuple[str, str]:
    return WEEKDAYS[day.weekday()], f"{day.day}. {MONTHS[day.month - 1]}"


def briefing_title(day: dt.date) -> str:
    """Return „Die Nachrichten vom Dienstag, 1. Dezember“."""
    weekday, date = _date_words(day)
    return f"Die Nachrichten vom {weekday}, {date}"


def opening_text(day: dt.date, count: int) -> str:
    """Return the spoken opening: the day and how many articles follow."""
    weekday, date = _date_words(day)
    howmany = (
        "Eine Meldung" if count == 1 else f"{num2words(count, lang='de').capitalize()} Meldungen"
    )
    return f"Die Nachrichten vom {weekday}, dem {date}. {howmany}."


def closing_text(day: dt.date) -> str:
    weekday, date = _date_words(day)
    return f"Das waren die Nachrichten vom {weekday}, dem {date}."


@dataclass(frozen=True)
class Story:
    """One article of the briefing: its ready rendition, as the database has it."""

    article_id: int
    slug: str
    title: str
    episode: str  # media name of the episode MP3
    chapters: Mapping[str, float]  # section starts in the episode (Rendition.chapters)
    cues: Sequence[Mapping[str, Any]]  # Rendition.cues, episode times
    url: str = ""  # the article's page, for the chapter's link (empty: none)


@dataclass(frozen=True)
class BriefingInput:
    """A day and its articles in the order of the briefing."""

    day: dt.date
    stories: tuple[Story, ...]

    @property
    def title(self) -> str:
        return briefing_title(self.day)


def content_key(item: BriefingInput, settings: Mapping[str, Any]) -> str:
    """Return a hash of everything the briefing of `item` is made of (`settings`: the ones used)."""
    payload = {
        "version": BRIEFING_VERSION,
        "day": item.day.isoformat(),
        "stories": [[s.article_id, s.slug, s.title, s.episode, s.url] for s in item.stories],
        "settings": dict(sorted(settings.items())),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

"""Public HTML pages: the article list and the player page with its read-along transcript."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast
from urllib.parse import urlsplit

import pyphen
from flask import Blueprint, abort, current_app, render_template
from markupsafe import Markup, escape
from sqlalchemy import Select, select

from .. import days
from ..db import db
from ..jobs import briefing_job
from ..jobs.status import current_renditions
from ..models import Article, Rendition
from ..render.transcripts import CHAPTER_TITLES
from ..speech import strip_markdown
from ..speech.dates import MONTHS

bp = Blueprint("pages", __name__)

FILE_LABELS = (
    ("episode", "Ganzer Beitrag"),
    ("summary", "Nur „In Kürze“"),
    ("body", "Nur Hauptartikel"),
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass
class Sentence:
    """One sentence of the transcript with its time span in the episode (None: not timed)."""

    number: int
    text: str
    start: float | None = None
    end: float | None = None


@dataclass
class Section:
    key: str
    label: str
    start: float | None
    paragraphs: list[list[Sentence]] = field(default_factory=list)


@dataclass
class Chapter:
    key: str
    label: str
    start: float


# The home page lists today's news (at most TODAY_MAX) and the EARLIER newest before them;
# the archive (web/archive.py) has the rest, day by day.
TODAY_MAX = 50
EARLIER = 10


def with_audio(articles: list[Article]) -> list[tuple[Article, Rendition]]:
    """Pair each article with its current rendition (one query); leave out those without."""
    renditions = current_renditions(article.id for article in articles)
    return [(a, renditions[a.id]) for a in articles if a.id in renditions]


def articles(query: Select[tuple[Article]]) -> list[Article]:
    """Return the articles `query` selects."""
    return cast(list[Article], list(db.session.scalars(query)))


def listable() -> Select[tuple[Article]]:
    """Return a query of the published articles with audio, newest first (no limit)."""
    return (
        select(Article)
        .where(Article.published.is_(True), Article.renditions.any())
        .order_by(Article.published_at.desc(), Article.id.desc())
    )


@dataclass
class Home:
    today: list[tuple[Article, Rendition]]
    earlier: list[tuple[Article, Rendition]]
    day: date
    more_today: bool


def home() -> Home:
    """Return what the home page lists: today's articles, then the newest before them."""
    settings = current_app.config["AUDIONEWS"]
    day = days.today(settings)
    start, _end = days.day_bounds(day, settings)
    todays = articles(listable().where(Article.published_at >= start).limit(TODAY_MAX + 1))
    earlier = articles(listable().where(Article.published_at < start).limit(EARLIER))
    renditions = current_renditions(article.id for article in todays[:TODAY_MAX] + earlier)

    def paired(articles: list[Article]) -> list[tuple[Article, Rendition]]:
        return [(a, renditions[a.id]) for a in articles if a.id in renditions]

    return Home(paired(todays[:TODAY_MAX]), paired(earlier), day, len(todays) > TODAY_MAX)


@bp.get("/")
def index() -> str:
    listed = home()
    return render_template(
        "index.html",
        items=listed.today + listed.earlier,
        home=listed,
        briefing=briefing_job.home(),
    )


@bp.get("/artikel/<slug>")
def article(slug: str) -> str:
    row = db.session.scalar(
        select(Article).where(Article.slug == slug, Article.published.is_(True))
    )
    rendition = row.current_rendition() if row is not None else None
    if row is None or rendition is None:
        abort(404)
    return render_template(
        "article.html",
        article=row,
        rendition=rendition,
        chapters=chapters(rendition),
        sections=transcript(row, rendition),
        downloads=[(kind, label) for kind, label in FILE_LABELS if rendition.files.get(kind)],
        links=[link for link in row.links or [] if _safe_url(link.get("url", ""))],
    )


def chapters(rendition: Rendition) -> list[Chapter]:
    """Return the rendition's chapters in time order with German labels."""
    found = [
        Chapter(key, CHAPTER_TITLES.get(key, key), float(start))
        for key, start in (rendition.chapters or {}).items()
        if start is not None
    ]
    return sorted(found, key=lambda chapter: chapter.start)


def transcript(article: Article, rendition: Rendition) -> list[Section]:
    """Group the rendition's cues into sections, paragraphs and sentences.

    The cues say what the audio says (display text and episode times, several cues per long
    sentence); the article text says where paragraphs break. Each sentence is looked up in the
    article's paragraphs in order; one that is not found (the text changed after the render)
    stays in the current paragraph. Without cues the article text is shown untimed.
    """
    starts = {key: float(value) for key, value in (rendition.chapters or {}).items()}
    sections: list[Section] = []
    for key in ("summary", "body"):
        section = Section(key, CHAPTER_TITLES[key], starts.get(key))
        sentences = _cue_sentences(rendition.cues or [], key)
        texts = _paragraph_texts(getattr(article, key) or "")
        if sentences:
            section.paragraphs = _group(sentences, texts)
        else:
            section.paragraphs = [[Sentence(n, text)] for n, text in enumerate(texts)]
        if section.paragraphs:
            sections.append(section)
    return sections


def _cue_sentences(cues: list[dict[str, Any]], section: str) -> list[Sentence]:
    """Merge the cues of one section into sentences spanning all their pieces."""
    merged: dict[int, Sentence] = {}
    for cue in cues:
        if cue.get("section") != section:
            continue
        number = int(cue.get("sentence", cue.get("index", 0)))
        start, end = float(cue.get("start", 0.0)), float(cue.get("end", 0.0))
        current = merged.get(number)
        if current is None:
            merged[number] = Sentence(number, str(cue.get("display", "")), start, end)
        else:
            current.start = start if current.start is None else min(current.start, start)
            current.end = end if current.end is None else max(current.end, end)
    return [merged[number] for number in sorted(merged)]


def _paragraph_texts(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [" ".join(strip_markdown(part).split()) for part in _PARAGRAPH_BREAK.split(text) if part]


def _group(sentences: list[Sentence], paragraphs: list[str]) -> list[list[Sentence]]:
    groups: list[list[Sentence]] = [[]]
    where, offset = 0, 0  # paragraph index and position in it
    for sentence in sentences:
        needle = " ".join(sentence.text.split())
        for candidate in range(where, len(paragraphs)):
            found = paragraphs[candidate].find(needle, offset if candidate == where else 0)
            if found >= 0:
                if candidate != where and groups[-1]:
                    groups.append([])
                where, offset = candidate, found + len(needle)
                break
        groups[-1].append(sentence)
    return [group for group in groups if group]


def _safe_url(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in {"http", "https"}
    except ValueError:
        return False


def whole_seconds(seconds: Any) -> int:
    """Return the whole seconds of a duration, rounded down as the player's clock does.

    Every duration a listener reads is this number ("1 Min. 1 Sek.", "1:01", "1 Minute
    1 Sekunde"); the player's script (static/player/words.js) rounds the same way, and so
    does a browser's own player, whose clock ends at 1:01 for 61.7 s.
    """
    try:
        value = float(seconds or 0)
    except (TypeError, ValueError):
        return 0
    return max(0, math.floor(value)) if math.isfinite(value) else 0


@bp.app_template_filter("minutes")
def minutes(seconds: Any) -> str:
    """Format seconds as German words: "3 Min. 5 Sek."."""
    mins, secs = divmod(whole_seconds(seconds), 60)
    return f"{mins} Min. {secs} Sek." if mins else f"{secs} Sek."


@bp.app_template_filter("spoken_duration")
def spoken_duration(seconds: Any) -> str:
    """Format seconds in full German words: "1 Minute 5 Sekunden" (as the player's JS does)."""
    mins, secs = divmod(whole_seconds(seconds), 60)
    parts = []
    if mins:
        parts.append(f"{mins} Minute" if mins == 1 else f"{mins} Minuten")
    if secs or not mins:
        parts.append(f"{secs} Sekunde" if secs == 1 else f"{secs} Sekunden")
    return " ".join(parts)


@bp.app_template_filter("clock")
def clock(seconds: Any) -> str:
    """Format seconds as a clock reading: "1:05"."""
    mins, secs = divmod(whole_seconds(seconds), 60)
    return f"{mins}:{secs:02d}"


@bp.app_template_filter("fragment_seconds")
def fragment_seconds(seconds: Any) -> str:
    """Format a time for a `#t=` link: "12.345", "30"."""
    return f"{max(0.0, float(seconds or 0)):.3f}".rstrip("0").rstrip(".")


# Words this long get soft hyphens: German compounds overflow a 320 px screen, and browsers
# without a German dictionary (Chromium outside Android and macOS, until it has fetched one)
# ignore `hyphens: auto`. Shorter words only wrap at spaces.
HYPHENATE_FROM = 10
_LONG_WORD = re.compile(rf"[^\W\d_]{{{HYPHENATE_FROM},}}")


@lru_cache(maxsize=1)
def _german() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="de_DE")


@bp.app_template_filter("hyphenate")
def hyphenate(text: Any) -> Markup:
    """Escape `text` and put soft hyphens at the German hyphenation points of long words."""
    escaped = str(escape(str(text or "")))
    return Markup(
        _LONG_WORD.sub(lambda m: _german().inserted(m.group(0), hyphen="\u00ad"), escaped)
    )


@bp.app_template_filter("german_date")
def german_date(value: datetime) -> str:
    """Format a date the German way: "27. November 2025"."""
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


@bp.app_template_filter("kilobytes")
def kilobytes(size: Any) -> str:
    """Format a byte count: "593 kB", "1,2 MB"."""
    value = int(size or 0)
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f} MB".replace(".", ",")
    return f"{max(1, round(value / 1000))} kB"


@bp.app_template_filter("paragraphs")
def paragraphs(text: str) -> list[str]:
    """Split article text into paragraphs of display text (inline Markdown removed)."""
    return _paragraph_texts(text or "")

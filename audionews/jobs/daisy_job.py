"""DAISY books against the database: a news day's edition and each article's own book.

`build(day)` is the DAISY product of `day_job`: it brings the book of every published article
of the day up to date, then the day's edition (its articles in the briefing's order, after a
spoken title), each unless its content key is the one of its current row. An article's book
is also made on the first download that finds none for its current rendition
(`article_book`), for articles whose day was never built since. A new row replaces the old
one in one commit, after its zip is published; how long the old ones stay is
`daisy_retention`'s business.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from ..audio.tags import mp3_duration
from ..daisy import package
from ..daisy.model import Book, Part, sentences_from_cues
from ..daisy.opening import speak_title
from ..db import db
from ..models import Article, DaisyBook, Rendition, utcnow
from ..render.briefing_text import briefing_title
from ..render.storage import Storage
from ..web.pages import transcript
from . import briefing_job
from .daisy_retention import expired, prune
from .renderers import renderer

log = logging.getLogger(__name__)

# Bump when the books change shape, so every book is made again.
DAISY_VERSION = 1
DAY_STEM = "tagesausgabe"
# The settings a book is made with (metadata, the spoken title): a change makes it anew.
KEY_SETTINGS = (
    "BASE_URL",
    "PUBLISHER",
    "MP3_BITRATE",
    "LOUDNESS_LUFS",
    "TTS_ENGINE",
    "TTS_FALLBACK",
    "ESPEAK_VOICE",
    "ESPEAK_RATE",
    "GTTS_TLD",
    "GTTS_SLOW",
)
NARRATORS = {"espeak": "eSpeak NG", "gtts": "Google Text-to-Speech"}


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["AUDIONEWS"]
    return settings


def _storage() -> Storage:
    storage: Storage = current_app.extensions["storage"]
    return storage


def _key(payload: dict[str, Any]) -> str:
    settings = _settings()
    payload = payload | {
        "version": DAISY_VERSION,
        "settings": {name: settings[name] for name in KEY_SETTINGS},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _generator() -> str:
    try:
        return f"audionews {metadata.version('audionews')}"
    except metadata.PackageNotFoundError:
        return "audionews"


def _narrator(engines: list[str]) -> str:
    names = dict.fromkeys(NARRATORS.get(name, name) for name in engines if name)
    return f"Synthetische Stimme ({', '.join(names) or 'unbekannt'})"


def _links(article: Article) -> list[tuple[str, str]]:
    links = []
    for link in article.links or []:
        url = str(link.get("url", ""))
        if url.lower().startswith(("http://", "https://")):
            links.append((str(link.get("title") or url), url))
    return links


def _playable(article: Article) -> Rendition | None:
    """Return the rendition a book of `article` is made of: the current one with an episode."""
    rendition = article.current_rendition()
    if rendition is None or "episode" not in (rendition.files or {}):
        return None
    return rendition


def _article_payload(article: Article, rendition: Rendition) -> dict[str, Any]:
    # The text (paragraphs), the links, the audio (content-named) and its cues are what a part
    # is made of; a render of the same text gives the same part, and the book stays.
    cues = json.dumps(rendition.cues or [], sort_keys=True).encode()
    return {
        "article": article.id,
        "content": article.content_hash,
        "episode": rendition.files["episode"],
        "cues": hashlib.sha256(cues).hexdigest(),
        "links": _links(article),
    }


def part_of(article: Article, rendition: Rendition, stem: str) -> Part | None:
    """Return `article` as a part of a book, or None when its audio cannot be used."""
    try:
        audio = _storage().path(rendition.files["episode"])
        duration = mp3_duration(audio)
    except (OSError, ValueError) as exc:
        log.warning("DAISY: the audio of %s is left out: %s", article.slug, exc)
        return None
    # Paragraphs as the page shows them: the cues say what is spoken, the text where it breaks.
    paragraphs = {
        sentence.number: number
        for section in transcript(article, rendition)
        for number, group in enumerate(section.paragraphs)
        for sentence in group
    }
    sentences = sentences_from_cues(rendition.cues or [], paragraphs)
    if not sentences:
        return None
    spoken = next((s.text for s in sentences if s.section == "title"), None)
    return Part(
        stem=stem,
        heading=spoken or article.title,
        audio=audio,
        duration=duration,
        sentences=sentences,
        links=tuple(_links(article)),
        slug=article.slug,
    )


# Rows -------------------------------------------------------------------------------------


def current_day(day: dt.date) -> DaisyBook | None:
    """Return the edition listeners get for `day`."""
    return db.session.scalar(
        select(DaisyBook)
        .where(DaisyBook.day == day, DaisyBook.superseded_at.is_(None))
        .order_by(DaisyBook.id.desc())
        .limit(1)
    )


def current_article(article_id: int) -> DaisyBook | None:
    """Return the newest book of an article (it may be of an older rendition)."""
    return db.session.scalar(
        select(DaisyBook)
        .where(DaisyBook.article_id == article_id, DaisyBook.superseded_at.is_(None))
        .order_by(DaisyBook.id.desc())
        .limit(1)
    )


def _replace(row: DaisyBook) -> None:
    """Add `row` and mark the books it replaces, in one commit."""
    if row.day is not None:
        where = DaisyBook.day == row.day
    else:
        where = DaisyBook.article_id == row.article_id
    for old in db.session.scalars(
        select(DaisyBook).where(where, DaisyBook.superseded_at.is_(None))
    ):
        old.superseded_at = utcnow()
    db.session.add(row)
    db.session.commit()


def _row(published: package.Published, key: str, title: str, articles: list[int]) -> DaisyBook:
    return DaisyBook(
        key=key,
        title=title,
        file=published.name,
        size=published.size,
        duration=published.duration,
        files=published.files,
        toc_items=published.toc_items,
        depth=published.depth,
        articles=articles,
    )


# Building ---------------------------------------------------------------------------------


def article_key(article: Article, rendition: Rendition) -> str:
    return _key({"kind": "article", "parts": [_article_payload(article, rendition)]})


def article_book(article: Article) -> DaisyBook | None:
    """Return the book of `article`'s current rendition, made now if there is none.

    None when the article is not public or has no audio a book can hold.
    """
    rendition = _playable(article) if article.published else None
    if rendition is None:
        return None
    key = article_key(article, rendition)
    live = current_article(article.id)
    if live is not None and live.key == key and _storage().path(live.file).is_file():
        return live
    part = part_of(article, rendition, "a001")
    if part is None:
        return None
    settings = _settings()
    book = Book(
        identifier=f"urn:uuid:{uuid.uuid5(uuid.UUID(article.guid), 'daisy')}",
        title=part.heading,
        date=(article.published_at or rendition.created_at).date(),
        publisher=settings["PUBLISHER"],
        narrator=_narrator([rendition.engine]),
        generator=_generator(),
        parts=(part,),
    )
    published = package.publish(book, _storage(), article.slug)
    row = _row(published, key, book.title, [article.id])
    row.article_id = article.id
    _replace(row)
    log.info("DAISY book of %s: %s (%d bytes)", article.slug, row.file, row.size)
    return row


def edition_title(day: dt.date) -> str:
    """Return „Die Nachrichten vom Dienstag, 1. Dezember 2026“."""
    return f"{briefing_title(day)} {day.year}"


def build(day: dt.date) -> str:
    """Bring the day's article books and its edition up to date; return what it did."""
    entries: list[tuple[Article, Rendition]] = []
    for article in briefing_job.day_articles(day):
        rendition = _playable(article)
        if rendition is not None:
            entries.append((article, rendition))
            article_book(article)
    live = current_day(day)
    if not entries or expired(day):
        if live is not None:
            live.superseded_at = utcnow()
            db.session.commit()
        prune()
        return "expired" if entries else ("removed" if live is not None else "empty")
    title = edition_title(day)
    key = _key(
        {
            "kind": "day",
            "day": day.isoformat(),
            "title": title,
            "parts": [_article_payload(a, r) for a, r in entries],
        }
    )
    if live is not None and live.key == key and _storage().path(live.file).is_file():
        prune()
        return "unchanged"
    parts: list[tuple[Article, Rendition, Part]] = []
    for article, rendition in entries:
        part = part_of(article, rendition, f"a{len(parts) + 1:03d}")
        if part is not None:
            parts.append((article, rendition, part))
    if not parts:
        prune()
        return "empty"
    row = _edition(day, title, key, parts)
    _replace(row)
    prune()
    return "built"


def _edition(
    day: dt.date, title: str, key: str, parts: list[tuple[Article, Rendition, Part]]
) -> DaisyBook:
    """Speak the title, zip the edition and return its (unsaved) row."""
    settings = _settings()
    storage = _storage()
    temp = storage.temp_path(".mp3")
    try:
        # OpeningError (no engine could speak) fails the build: the sweeper tries again.
        opening, engine, _ = speak_title(
            renderer(),
            title,
            temp,
            bitrate_kbps=settings["MP3_BITRATE"],
            publisher=settings["PUBLISHER"],
            date=day,
        )
        base = settings["BASE_URL"].rstrip("/") or "audionews"
        book = Book(
            identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/daisy/{day}')}",
            title=title,
            date=day,
            publisher=settings["PUBLISHER"],
            narrator=_narrator([engine, *(r.engine for _, r, _ in parts)]),
            generator=_generator(),
            parts=tuple(part for _, _, part in parts),
            opening=opening,
        )
        published = package.publish(book, storage, f"{DAY_STEM}-{day.isoformat()}")
    finally:
        temp.unlink(missing_ok=True)
    row = _row(published, key, title, [article.id for article, _, _ in parts])
    row.day = day
    log.info("DAISY edition of %s: %s (%d bytes)", day, row.file, row.size)
    return row


# Views ------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    base = _settings()["BASE_URL"]
    return base.rstrip("/") + path if base else path


def edition_url(day: dt.date) -> str:
    return _absolute(url_for("daisy.edition", day=day.isoformat()))


def article_url(slug: str) -> str:
    return _absolute(url_for("daisy.article", slug=slug))


def newest_edition() -> DaisyBook | None:
    """Return the edition of the newest day that has one (for the home page)."""
    row = db.session.scalar(
        select(DaisyBook)
        .where(DaisyBook.day.is_not(None), DaisyBook.superseded_at.is_(None))
        .order_by(DaisyBook.day.desc(), DaisyBook.id.desc())
        .limit(1)
    )
    if row is None or row.day is None or expired(row.day):
        return None
    return row


def article_view(article: Article) -> dict[str, Any] | None:
    """Return the link of `article`'s book for its page: its URL, and its size once made."""
    rendition = _playable(article) if article.published else None
    if rendition is None:
        return None
    live = current_article(article.id)
    fresh = live is not None and live.key == article_key(article, rendition)
    return {
        "url": article_url(article.slug),
        "size": live.size if fresh and live is not None else None,
    }


def path_of(row: DaisyBook) -> Path:
    return _storage().path(row.file)

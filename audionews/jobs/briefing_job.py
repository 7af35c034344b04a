"""The daily briefing against the database: the day's articles in order, the Briefing rows.

`build(day)` is the briefing's product in `day_job`: it reads which published articles of the
day have a ready rendition with an „In Kürze“, puts them in the editors' order (those they
placed first, the others after them, newest first), and builds the briefing unless its content
key is the one of the current row. The new row replaces the old one in one commit, after every
file is published. A replaced briefing's files stay for `GRACE` (podcast apps that read the
feed a moment ago still get them), unless it holds an article that is no longer public.
"""

from __future__ import annotations

import datetime as dt
import logging
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import select

from ..days import published_on, today
from ..db import db
from ..models import Article, Briefing, NewsDay, utcnow
from ..render.briefing import BriefingBuilder
from ..render.briefing_text import BriefingInput, Story, content_key
from ..render.cover import embedded_cover
from ..render.storage import Storage
from .renderers import renderer
from .status import media_url

log = logging.getLogger(__name__)

GRACE = timedelta(hours=1)
# The settings a briefing is made with: a change builds the next one anew.
KEY_SETTINGS = (
    "BASE_URL",
    "MP3_BITRATE",
    "LOUDNESS_LUFS",
    "PAUSE_PIECE_MS",
    "PAUSE_SENTENCE_MS",
    "PAUSE_SECTION_MS",
    "PUBLISHER",
    "PODCAST_TITLE",
    "PODCAST_IMAGE",
    "TTS_ENGINE",
    "ESPEAK_VOICE",
    "ESPEAK_RATE",
    "GTTS_TLD",
    "GTTS_SLOW",
)


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["AUDIONEWS"]
    return settings


def ordered(articles: list[Article], order: list[int] | None) -> list[Article]:
    """Return `articles` (newest first) with those in the editors' `order` first, in it."""
    if not order:
        return list(articles)
    rank = {article_id: number for number, article_id in enumerate(order)}
    placed = sorted((a for a in articles if a.id in rank), key=lambda a: rank[a.id])
    return placed + [a for a in articles if a.id not in rank]


def day_articles(day: dt.date) -> list[Article]:
    """Return the published articles of `day` in the briefing's order (with or without audio)."""
    articles = cast(list[Article], list(db.session.scalars(published_on(day, _settings()))))
    state = db.session.get(NewsDay, day)
    return ordered(articles, state.article_order if state is not None else None)


def _page_url(slug: str) -> str:
    """Return the absolute URL of an article's page, or "" without AUDIONEWS_BASE_URL."""
    base = _settings()["BASE_URL"]
    if not base:
        return ""  # a worker knows no host name
    path = current_app.url_map.bind("localhost").build("pages.article", {"slug": slug})
    return base.rstrip("/") + path


def stories(day: dt.date) -> list[Story]:
    """Return the articles of `day` that the briefing can hold, in its order."""
    found = []
    for article in day_articles(day):
        rendition = article.current_rendition()
        if rendition is None or "episode" not in rendition.files:
            continue
        if "summary" not in (rendition.chapters or {}):
            continue  # no „In Kürze“
        # The title as its audio says it (the text may have changed since, a render pending).
        spoken = next((c["display"] for c in rendition.cues if c["section"] == "title"), None)
        found.append(
            Story(
                article_id=article.id,
                slug=article.slug,
                title=spoken or article.title,
                episode=rendition.files["episode"],
                chapters=dict(rendition.chapters),
                cues=list(rendition.cues),
                url=_page_url(article.slug),
            )
        )
    return found


def current(day: dt.date) -> Briefing | None:
    """Return the briefing listeners get for `day`."""
    return db.session.scalar(
        select(Briefing)
        .where(Briefing.day == day, Briefing.superseded_at.is_(None))
        .order_by(Briefing.id.desc())
        .limit(1)
    )


def builder() -> BriefingBuilder:
    settings = _settings()
    return BriefingBuilder(
        current_app.extensions["storage"],
        renderer(),
        bitrate_kbps=settings["MP3_BITRATE"],
        artist=settings["PUBLISHER"],
        album=settings["PODCAST_TITLE"],
        cover=embedded_cover(settings),
    )


def build(day: dt.date) -> str:
    """Build the briefing of `day` from the database if its content changed; return what it did."""
    settings = _settings()
    item = BriefingInput(day, tuple(stories(day)))
    live = current(day)
    if not item.stories:
        if live is None:
            return "empty"
        _supersede(day)
        prune(day)
        return "removed"
    key = content_key(item, {name: settings[name] for name in KEY_SETTINGS})
    if live is not None and live.key == key:
        return "unchanged"
    output = builder().build(item)
    _supersede(day)
    db.session.add(
        Briefing(
            day=day,
            key=key,
            title=item.title,
            files=output.files,
            size=output.size,
            duration=output.duration,
            chapters=output.chapters,
            engine=output.engine,
            synthesized=output.synthesized,
            encoded=output.encoded,
            cache_keys=output.cache_keys,
        )
    )
    db.session.commit()
    if output.left_out:
        log.warning("briefing of %s: left out %s", day, ", ".join(output.left_out))
    prune(day)
    return "built"


def _supersede(day: dt.date) -> None:
    for row in db.session.scalars(
        select(Briefing).where(Briefing.day == day, Briefing.superseded_at.is_(None))
    ):
        row.superseded_at = utcnow()


def prune(day: dt.date | None = None) -> int:
    """Delete replaced briefings (of `day`, or all) past GRACE or holding a withdrawn article.

    Their files go once no remaining row names them. Return how many rows went.
    """
    query = select(Briefing).where(Briefing.superseded_at.is_not(None))
    if day is not None:
        query = query.where(Briefing.day == day)
    replaced = db.session.scalars(query).all()
    if not replaced:
        return 0
    ids = {c["article"] for row in replaced for c in row.chapters if c.get("article") is not None}
    public = set(
        db.session.scalars(
            select(Article.id).where(Article.id.in_(ids), Article.published.is_(True))
        )
    )
    cutoff = utcnow() - GRACE
    gone = [
        row
        for row in replaced
        if row.superseded_at is not None
        and (
            row.superseded_at < cutoff
            or any(c.get("article") not in (None, *public) for c in row.chapters)
        )
    ]
    if not gone:
        return 0
    names = {name for row in gone for name in row.files.values()}
    for row in gone:
        db.session.delete(row)
    db.session.commit()
    kept = {name for files in db.session.scalars(select(Briefing.files)) for name in files.values()}
    storage: Storage = current_app.extensions["storage"]
    for name in names - kept:
        try:
            storage.delete(name)
        except (OSError, ValueError):
            log.warning("could not delete briefing file %s", name)
    return len(gone)


def view(row: Briefing) -> dict[str, Any]:
    """Return a briefing as pages and players use it (inside a request)."""
    return {
        "day": row.day.isoformat(),
        "title": row.title,
        "is_today": row.day == today(_settings()),
        "audio": media_url(row.files["audio"]),
        "size": row.size,
        "duration": row.duration,
        "transcript": media_url(row.files["transcript_vtt"]),
        "chapters_url": media_url(row.files["chapters"]),
        "chapters": [
            {"slug": c["slug"], "title": c["title"], "start": c["start"], "end": c["end"]}
            for c in row.chapters
            if c.get("slug")
        ],
    }


def home() -> dict[str, Any] | None:
    """Return the briefing the home page offers: today's, else the newest day's (or None)."""
    row = db.session.scalar(
        select(Briefing)
        .where(Briefing.superseded_at.is_(None), Briefing.day <= today(_settings()))
        .order_by(Briefing.day.desc(), Briefing.id.desc())
        .limit(1)
    )
    return view(row) if row is not None else None

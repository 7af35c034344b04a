"""Podcast feeds: RSS 2.0 with the itunes, podcast (Podcast Index), atom and content namespaces.

`/feed.xml` has one episode per published article with ready audio (the episode MP3);
`/feed/kurz.xml` the summaries; `/feed/briefing.xml` one episode per news day, the daily
briefing (`briefing_feed.py`). The XML (`feed_xml.py`) is built only when the data behind it
changed, and answered with an ETag and Last-Modified so podcast apps polling the feed mostly get
a 304, and with CORS so web-based podcast players can read it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request
from lxml import etree
from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import defer

from ..db import db
from ..models import Article, AuditEvent, Rendition
from ..render.transcripts import clean_text, sidecar_key
from ..speech.markdown import strip_markdown
from . import briefing_feed
from .feed_xml import (
    CONTENT,
    PODCAST,
    RSS_TYPE,
    Feed,
    Urls,
    channel,
    enclosure,
    paragraphs,
    podcast_guid,
    rfc2822,
    settings,
    shorten,
    text,
    x,
)

__all__ = ["BRIEFING", "FEEDS", "FULL", "SHORT", "Feed", "build", "cached", "podcast_guid"]

bp = Blueprint("feeds", __name__)

# Apps poll every few minutes; a short lifetime keeps new episodes quick, 304s keep it cheap.
CACHE_CONTROL = "public, max-age=60"
_EXTENSION = "audionews.feeds"


SEVERAL_A_DAY = "Täglich, mehrmals am Tag"
FULL = Feed("full", "episode", "feeds.full", "", "", "", SEVERAL_A_DAY)
SHORT = Feed(
    "kurz",
    "summary",
    "feeds.short",
    " – In Kürze",
    " Hier nur die Kurzfassungen („In Kürze“).",
    ":kurz",
    SEVERAL_A_DAY,
)
BRIEFING = Feed(
    "briefing",
    briefing_feed.KIND,
    "feeds.briefing",
    " – Die Nachrichten des Tages",
    " Hier eine Folge je Tag: alle Meldungen des Tages in Kürze.",
    "",
    "Täglich",
)
FEEDS = (FULL, SHORT, BRIEFING)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified",
}


@dataclass
class Built:
    settings: tuple[Any, ...]
    state: tuple[Any, ...]
    xml: bytes
    etag: str
    last_modified: datetime | None
    checked: float  # time.monotonic() of the last look at the database


def _show_notes(article: Article, page_url: str, *, body: bool) -> str:
    """Return the HTML show notes: the summary, the body (`body`), the links, escaped."""
    parts: list[Markup] = []
    sections = (("In Kürze", article.summary), ("Hauptartikel", article.body if body else ""))
    for heading, value in sections:
        found = paragraphs(strip_markdown(value or ""))
        if found:
            parts.append(Markup("<h3>{}</h3>").format(heading))
            parts.extend(Markup("<p>{}</p>").format(p) for p in found)
    links = [
        link
        for link in article.links or []
        if urlsplit(str(link.get("url", ""))).scheme in {"http", "https"}
    ]
    if links:
        parts.append(Markup("<h3>Mehr Wissen</h3><ul>"))
        parts.extend(
            Markup('<li><a href="{}">{}</a></li>').format(
                clean_text(link["url"]), clean_text(str(link.get("title") or link["url"]))
            )
            for link in links
        )
        parts.append(Markup("</ul>"))
    parts.append(Markup('<p><a href="{}">Zum Artikel mit dem ganzen Text</a></p>').format(page_url))
    return str(Markup("\n").join(parts))


def _item(
    chan: etree._Element,
    feed: Feed,
    urls: Urls,
    article: Article,
    rendition: Rendition,
    published: datetime,
) -> None:
    kind = feed.kind
    page_url = urls.page(article.slug)
    item = etree.SubElement(chan, "item")
    text(item, "title", article.title)
    text(item, "guid", article.guid + feed.guid_suffix, isPermaLink="false")
    text(item, "link", page_url)
    text(item, "pubDate", rfc2822(published))
    summary = strip_markdown(article.summary)
    text(
        item,
        "description",
        shorten(clean_text(summary) or clean_text(strip_markdown(article.body))),
    )
    notes = _show_notes(article, page_url, body=kind == "episode")
    text(item, x(CONTENT, "encoded"), notes)
    files = rendition.files
    enclosure(
        item,
        urls.media(files[kind]),
        int(rendition.sizes[kind]),
        float(rendition.durations[kind]),
        _sidecars(urls, files, kind),
    )
    chapters = rendition.chapters or {}
    if kind == "episode" and "summary" in chapters:
        # The „In Kürze“ span: what an app plays as a preview of the episode.
        start = float(chapters["summary"])
        end = float(chapters.get("body", rendition.durations[kind]))
        if end > start:
            text(
                item,
                x(PODCAST, "soundbite"),
                "In Kürze",
                startTime=f"{start:.3f}",
                duration=f"{end - start:.3f}",
            )


def _sidecars(urls: Urls, files: dict[str, str], kind: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for what, key in (
        ("vtt", "transcript_vtt"),
        ("json", "transcript_json"),
        ("chapters", "chapters"),
    ):
        name = files.get(sidecar_key(kind, key))
        found[what] = urls.media(name) if name else None
    return found


def _published(article: Article) -> datetime:
    return article.published_at or article.created_at


def _items_query(feed: Feed) -> Select[Article, Rendition]:
    newest = (
        select(Rendition.article_id, func.max(Rendition.id).label("rendition_id"))
        .group_by(Rendition.article_id)
        .subquery()
    )
    deferred = [defer(Rendition.cues), defer(Rendition.options)]
    if feed.kind != "episode":
        deferred.append(defer(Article.body))  # read only for an item without a summary
    return (
        select(Article, Rendition)
        .options(*deferred)
        .join(newest, newest.c.article_id == Article.id)
        .join(Rendition, Rendition.id == newest.c.rendition_id)
        .where(Article.published.is_(True))
        .order_by(func.coalesce(Article.published_at, Article.created_at).desc(), Article.id.desc())
    )


def stable_dates(moments: list[datetime]) -> list[datetime]:
    """Return `moments` (newest first) as whole seconds, each at least a second before the last.

    RFC 2822 dates have whole seconds: articles imported together would share one pubDate, and
    apps then order them each their own way. Counting back from the first keeps the feed's order.
    """
    result: list[datetime] = []
    for moment in moments:
        second = moment.replace(microsecond=0)
        if result and second >= result[-1]:
            second = result[-1] - timedelta(seconds=1)
        result.append(second)
    return result


def _article_items(chan: etree._Element, feed: Feed, urls: Urls, limit: int) -> None:
    query = _items_query(feed)
    if feed.kind == "episode":
        query = query.limit(limit)  # every rendition has an episode
    rows: list[tuple[Article, Rendition]] = []
    for article, rendition in db.session.execute(query.execution_options(yield_per=200)):
        if len(rows) >= limit:
            break
        if feed.kind in rendition.files:  # an article without a summary has no short episode
            rows.append((article, rendition))
    dates = stable_dates([_published(article) for article, _ in rows])
    for (article, rendition), published in zip(rows, dates, strict=True):
        _item(chan, feed, urls, article, rendition, published)


def build(feed: Feed, base_url: str, last_modified: datetime | None) -> bytes:
    """Return the feed's XML: the channel and its newest FEED_ITEMS episodes."""
    urls = Urls(base_url)
    rss = channel(feed, FEEDS, urls, last_modified)
    limit = int(settings()["FEED_ITEMS"])
    if feed is BRIEFING:
        briefing_feed.items(rss[0], urls, limit)
    else:
        _article_items(rss[0], feed, urls, limit)
    return bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _state(feed: Feed) -> tuple[tuple[Any, ...], list[datetime]]:
    """Return a fingerprint of everything `feed` shows and the moments it changed, in one query."""
    if feed is BRIEFING:
        return briefing_feed.state()
    return _articles_state()


def _articles_state() -> tuple[tuple[Any, ...], list[datetime]]:
    """Return the fingerprint of the article feeds.

    A new rendition raises max(rendition.id); deleting one lowers the count; publishing,
    unpublishing or editing an article moves max(article.updated_at) or the published set;
    deleting one adds an audit event.
    The article aggregates scan the table (no index), so `cached` asks at most once per
    FEED_RECHECK_SECONDS.
    """
    published = Article.published.is_(True)
    newest = select(func.max(Rendition.id)).scalar_subquery()
    row = db.session.execute(
        select(
            newest,
            select(func.count()).select_from(Rendition).scalar_subquery(),
            # Rendition ids grow with time: the newest row has the latest created_at.
            select(Rendition.created_at).where(Rendition.id == newest).scalar_subquery(),
            select(func.max(Article.updated_at)).scalar_subquery(),
            select(func.count()).select_from(Article).where(published).scalar_subquery(),
            select(func.sum(Article.id)).where(published).scalar_subquery(),
            # Deleting an article leaves no row behind but its audit event: the feed changed.
            select(func.max(AuditEvent.at)).where(AuditEvent.action == "delete").scalar_subquery(),
        )
    ).one()
    state = tuple(row)
    return state, [m for m in (state[2], state[3], state[6]) if isinstance(m, datetime)]


def _last_modified(moments: list[datetime]) -> datetime | None:
    if not moments:
        return None
    # HTTP dates have whole seconds; a 304 must not hide a change within the same second.
    return max(moments).replace(tzinfo=UTC, microsecond=0)


_lock = threading.Lock()
MAX_CACHED = 12  # three feeds for a few host names (say localhost and the public name)


def cached(feed: Feed) -> Built:
    """Return the feed, built again only when the data or settings behind it changed.

    Within FEED_RECHECK_SECONDS of the last look the built feed is served without asking the
    database; after that one cheap query decides whether to build it again.
    """
    values = settings()
    base_url = values["BASE_URL"] or request.host_url
    slot = (feed.name, base_url, request.script_root)
    fingerprint = tuple(values.items())
    cache: dict[tuple[str, str, str], Built] = current_app.extensions.setdefault(_EXTENSION, {})
    entry = cache.get(slot)
    now = time.monotonic()
    if entry is not None and entry.settings == fingerprint:
        if now - entry.checked < float(values["FEED_RECHECK_SECONDS"]):
            return entry
        state, moments = _state(feed)
        if entry.state == state:
            entry.checked = now
            return entry
    else:
        state, moments = _state(feed)
    last_modified = _last_modified(moments)
    previous = entry.last_modified if entry is not None else None
    if previous is not None and (last_modified is None or last_modified <= previous):
        # Deleting the newest article moves the newest time in the data backwards; the feed
        # changed now all the same, and If-Modified-Since must not get a 304 for it.
        changed = datetime.now(UTC).replace(microsecond=0)
        last_modified = max(changed, previous + timedelta(seconds=1))
    xml = build(feed, base_url, last_modified)
    entry = Built(fingerprint, state, xml, hashlib.sha256(xml).hexdigest()[:32], last_modified, now)
    with _lock:
        cache[slot] = entry
        # Without AUDIONEWS_BASE_URL every Host header gets its own slot: keep only the newest
        # few, so made-up hosts cannot grow the cache without bound.
        while len(cache) > MAX_CACHED:
            del cache[next(iter(cache))]
    return entry


def _respond(feed: Feed) -> Response:
    entry = cached(feed)
    response = current_app.response_class(entry.xml, mimetype=RSS_TYPE)
    response.set_etag(entry.etag)
    if entry.last_modified is not None:
        response.last_modified = entry.last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    # Web-based podcast players read feeds from their own origin: every feed here is public.
    response.headers.update(CORS_HEADERS)
    response.make_conditional(request)
    return response


@bp.get("/feed.xml")
def full() -> Response:
    return _respond(FULL)


@bp.get("/feed/kurz.xml")
def short() -> Response:
    return _respond(SHORT)


@bp.get("/feed/briefing.xml")
def briefing() -> Response:
    return _respond(BRIEFING)

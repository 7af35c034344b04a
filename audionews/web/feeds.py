"""Podcast feeds: RSS 2.0 with the itunes, podcast (Podcast Index), atom and content namespaces.

`/feed.xml` has one episode per published article with ready audio (the episode MP3);
`/feed/kurz.xml` the summaries. The XML is built with lxml (never from string templates, so any
article text gives well-formed XML), only when the data behind it changed, and answered with an
ETag and Last-Modified so podcast apps polling the feed mostly get a 304.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, current_app, request, url_for
from lxml import etree
from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import defer

from ..categories import parse_category
from ..db import db
from ..models import Article, AuditEvent, Rendition
from ..render.cover import default_cover_name
from ..render.transcripts import clean_text, sidecar_key
from ..speech.markdown import strip_markdown
from .media import CHAPTERS_TYPE

bp = Blueprint("feeds", __name__)

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NSMAP = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT}
# The Podcast Index namespace's own UUID: podcast:guid = uuid5(this, feed URL sans scheme).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
RSS_TYPE = "application/rss+xml"
# Apple shows at most 4000 characters of a description.
DESCRIPTION_CHARS = 4000
# Apps poll every few minutes; a short lifetime keeps new episodes quick, 304s keep it cheap.
CACHE_CONTROL = "public, max-age=60"
_EXTENSION = "audionews.feeds"


@dataclass(frozen=True)
class Feed:
    """One of the two feeds: which MP3 its items carry and how it names itself."""

    name: str
    kind: str  # the Rendition.files key of the enclosure
    endpoint: str
    title_suffix: str
    description_suffix: str
    guid_suffix: str  # the summary items are other episodes than the full ones


FULL = Feed("full", "episode", "feeds.full", "", "", "")
SHORT = Feed(
    "kurz",
    "summary",
    "feeds.short",
    " – In Kürze",
    " Hier nur die Kurzfassungen („In Kürze“).",
    ":kurz",
)


@dataclass
class Built:
    settings: tuple[Any, ...]
    state: tuple[Any, ...]
    xml: bytes
    etag: str
    last_modified: datetime | None
    checked: float  # time.monotonic() of the last look at the database


def _x(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _text(parent: etree._Element, tag: str, text: str, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    element.text = clean_text(text)
    return element


def podcast_guid(feed_url: str) -> str:
    """Return the podcast:guid of a feed URL: UUIDv5 of the URL without scheme and trailing "/"."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def rfc2822(moment: datetime) -> str:
    """Return a naive-UTC or aware datetime as an RFC 2822 date ("Tue, 03 Jun 2025 …  GMT")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


class _Urls:
    """Absolute URLs: AUDIONEWS_BASE_URL when set, else the host of the request."""

    _MARK = "__name__"

    def __init__(self, base_url: str) -> None:
        self.base = (base_url or request.host_url).rstrip("/")
        # url_for is slow next to string joins, and a feed needs thousands of media URLs.
        self._media = self("media.get", name=self._MARK).split(self._MARK)
        self._page = self("pages.article", slug=self._MARK).split(self._MARK)

    def __call__(self, endpoint: str, **values: Any) -> str:
        return self.base + url_for(endpoint, **values)

    def media(self, name: str) -> str:
        return quote(name).join(self._media)

    def page(self, slug: str) -> str:
        return quote(slug).join(self._page)


def _plain(text: str) -> str:
    return clean_text(strip_markdown(text))


def _paragraphs(text: str) -> list[str]:
    return [p for p in (clean_text(part) for part in re.split(r"\n\s*\n", text)) if p]


def _show_notes(summary: str, links: list[dict[str, str]], page_url: str) -> str:
    """Return the HTML show notes: the summary and the "Mehr Wissen" links, escaped."""
    parts: list[Markup] = []
    paragraphs = _paragraphs(summary)
    if paragraphs:
        parts.append(Markup("<h3>In Kürze</h3>"))
        parts.extend(Markup("<p>{}</p>").format(p) for p in paragraphs)
    links = [
        link for link in links if urlsplit(str(link.get("url", ""))).scheme in {"http", "https"}
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


def _description(summary: str, article: Article) -> str:
    text = clean_text(summary) or _plain(article.body)
    if len(text) > DESCRIPTION_CHARS:
        text = text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return text


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["AUDIONEWS"]
    return settings


def _channel(feed: Feed, urls: _Urls, last_modified: datetime | None) -> etree._Element:
    settings = _settings()
    title = (settings["PODCAST_TITLE"] or "audionews") + feed.title_suffix
    author = settings["PODCAST_AUTHOR"] or settings["PUBLISHER"] or "audionews"
    feed_url = urls(feed.endpoint)
    site_url = urls("pages.index")
    image = settings["PODCAST_IMAGE"] or urls.media(default_cover_name())

    rss = etree.Element("rss", {"version": "2.0"}, nsmap=NSMAP)
    channel = etree.SubElement(rss, "channel")
    etree.SubElement(channel, _x(ATOM, "link"), {"href": feed_url, "rel": "self", "type": RSS_TYPE})
    _text(channel, "title", title)
    _text(channel, "link", site_url)
    _text(channel, "description", settings["PODCAST_DESCRIPTION"] + feed.description_suffix)
    _text(channel, "language", "de")
    _text(channel, "copyright", settings["PODCAST_COPYRIGHT"] or f"© {author}")
    _text(channel, "generator", "audionews")
    if last_modified is not None:
        _text(channel, "lastBuildDate", rfc2822(last_modified))
    picture = etree.SubElement(channel, "image")
    _text(picture, "url", image)
    _text(picture, "title", title)
    _text(picture, "link", site_url)
    etree.SubElement(channel, _x(ITUNES, "image"), {"href": image})
    top, sub = parse_category(settings["PODCAST_CATEGORY"])
    category = etree.SubElement(channel, _x(ITUNES, "category"), {"text": top})
    if sub:
        etree.SubElement(category, _x(ITUNES, "category"), {"text": sub})
    _text(channel, _x(ITUNES, "explicit"), "true" if settings["PODCAST_EXPLICIT"] else "false")
    _text(channel, _x(ITUNES, "author"), author)
    owner = etree.SubElement(channel, _x(ITUNES, "owner"))
    _text(owner, _x(ITUNES, "name"), author)
    _text(owner, _x(ITUNES, "email"), settings["PODCAST_EMAIL"])
    _text(channel, _x(ITUNES, "type"), settings["PODCAST_TYPE"])
    _text(channel, _x(PODCAST, "guid"), podcast_guid(feed_url))
    _text(
        channel,
        _x(PODCAST, "locked"),
        "yes" if settings["PODCAST_LOCKED"] else "no",
        owner=clean_text(settings["PODCAST_EMAIL"]),
    )
    _text(channel, _x(PODCAST, "medium"), "podcast")
    return rss


def _item(
    channel: etree._Element, feed: Feed, urls: _Urls, article: Article, rendition: Rendition
) -> None:
    kind = feed.kind
    page_url = urls.page(article.slug)
    item = etree.SubElement(channel, "item")
    _text(item, "title", article.title)
    _text(item, "guid", article.guid + feed.guid_suffix, isPermaLink="false")
    _text(item, "link", page_url)
    _text(item, "pubDate", rfc2822(article.created_at))
    summary = strip_markdown(article.summary)
    _text(item, "description", _description(summary, article))
    _text(item, _x(CONTENT, "encoded"), _show_notes(summary, article.links or [], page_url))
    etree.SubElement(
        item,
        "enclosure",
        {
            "url": urls.media(rendition.files[kind]),
            "length": str(int(rendition.sizes[kind])),
            "type": "audio/mpeg",
        },
    )
    _text(item, _x(ITUNES, "duration"), str(round(float(rendition.durations[kind]))))
    _text(item, _x(ITUNES, "episodeType"), "full")
    _text(item, _x(ITUNES, "explicit"), "true" if _settings()["PODCAST_EXPLICIT"] else "false")
    files = rendition.files
    vtt, js, chapters = (
        files.get(sidecar_key(kind, what))
        for what in ("transcript_vtt", "transcript_json", "chapters")
    )
    # Renditions from before transcripts existed simply have none.
    if vtt:
        etree.SubElement(
            item,
            _x(PODCAST, "transcript"),
            {"url": urls.media(vtt), "type": "text/vtt", "language": "de", "rel": "captions"},
        )
    if js:
        etree.SubElement(
            item,
            _x(PODCAST, "transcript"),
            {"url": urls.media(js), "type": "application/json", "language": "de"},
        )
    if chapters:
        etree.SubElement(
            item,
            _x(PODCAST, "chapters"),
            {"url": urls.media(chapters), "type": CHAPTERS_TYPE},
        )


def _items_query() -> Select[Article, Rendition]:
    newest = (
        select(Rendition.article_id, func.max(Rendition.id).label("rendition_id"))
        .group_by(Rendition.article_id)
        .subquery()
    )
    return (
        select(Article, Rendition)
        # The feed never reads these (large) columns; Article.body only without a summary.
        .options(
            defer(Article.body),
            defer(Rendition.cues),
            defer(Rendition.options),
        )
        .join(newest, newest.c.article_id == Article.id)
        .join(Rendition, Rendition.id == newest.c.rendition_id)
        .where(Article.published.is_(True))
        .order_by(Article.created_at.desc(), Article.id.desc())
    )


def build(feed: Feed, base_url: str, last_modified: datetime | None) -> bytes:
    """Return the feed's XML: the channel and its newest FEED_ITEMS episodes."""
    urls = _Urls(base_url)
    rss = _channel(feed, urls, last_modified)
    channel = rss[0]
    limit = int(_settings()["FEED_ITEMS"])
    query = _items_query()
    if feed.kind == "episode":
        query = query.limit(limit)  # every rendition has an episode
    count = 0
    for article, rendition in db.session.execute(query.execution_options(yield_per=200)):
        if count >= limit:
            break
        if feed.kind not in rendition.files:
            continue  # an article without a summary has no short episode
        _item(channel, feed, urls, article, rendition)
        count += 1
    return bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _state() -> tuple[Any, ...]:
    """Return a fingerprint of everything a feed shows, in one query.

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
    return tuple(row)


def _last_modified(state: tuple[Any, ...]) -> datetime | None:
    moments = [m for m in (state[2], state[3], state[6]) if isinstance(m, datetime)]
    if not moments:
        return None
    # HTTP dates have whole seconds; a 304 must not hide a change within the same second.
    return max(moments).replace(tzinfo=UTC, microsecond=0)


_lock = threading.Lock()
MAX_CACHED = 8  # two feeds for a few host names (say localhost and the public name)


def cached(feed: Feed) -> Built:
    """Return the feed, built again only when the data or settings behind it changed.

    Within FEED_RECHECK_SECONDS of the last look the built feed is served without asking the
    database; after that one cheap query decides whether to build it again.
    """
    settings = _settings()
    base_url = settings["BASE_URL"] or request.host_url
    slot = (feed.name, base_url, request.script_root)
    fingerprint = tuple(settings.items())
    cache: dict[tuple[str, str, str], Built] = current_app.extensions.setdefault(_EXTENSION, {})
    entry = cache.get(slot)
    now = time.monotonic()
    if entry is not None and entry.settings == fingerprint:
        if now - entry.checked < float(settings["FEED_RECHECK_SECONDS"]):
            return entry
        state = _state()
        if entry.state == state:
            entry.checked = now
            return entry
    else:
        state = _state()
    last_modified = _last_modified(state)
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
    response.make_conditional(request)
    return response


@bp.get("/feed.xml")
def full() -> Response:
    return _respond(FULL)


@bp.get("/feed/kurz.xml")
def short() -> Response:
    return _respond(SHORT)

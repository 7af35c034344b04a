"""The parts every podcast feed shares: namespaces, URLs, dates, the channel, show-notes HTML.

The XML is built with lxml (never from string templates), so any article text gives
well-formed XML; text goes through `clean_text`, which drops what XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from flask import current_app, request, url_for
from lxml import etree

from ..categories import parse_category
from ..render.cover import default_cover_name
from ..render.transcripts import clean_text
from .media import CHAPTERS_TYPE

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


@dataclass(frozen=True)
class Feed:
    """One of the feeds: what its items are and how it names itself."""

    name: str
    kind: str  # the Rendition.files key of the enclosure; "briefing": the daily briefing
    endpoint: str
    title_suffix: str
    description_suffix: str
    guid_suffix: str  # the summary items are other episodes than the full ones
    frequency: str  # podcast:updateFrequency, for people


def x(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def text(parent: etree._Element, tag: str, value: str, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    element.text = clean_text(value)
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


class Urls:
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


def settings() -> dict[str, Any]:
    values: dict[str, Any] = current_app.config["AUDIONEWS"]
    return values


def explicit() -> str:
    return "true" if settings()["PODCAST_EXPLICIT"] else "false"


def paragraphs(value: str) -> list[str]:
    return [p for p in (clean_text(part) for part in re.split(r"\n\s*\n", value)) if p]


def shorten(value: str) -> str:
    """Return `value` cut at a word to fit Apple's description limit."""
    if len(value) > DESCRIPTION_CHARS:
        value = value[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return value


def channel(
    feed: Feed, feeds: Sequence[Feed], urls: Urls, last_modified: datetime | None
) -> etree._Element:
    """Return the <rss> element with the channel of `feed`; `feeds` are all, for the podroll."""
    values = settings()
    title = (values["PODCAST_TITLE"] or "audionews") + feed.title_suffix
    author = values["PODCAST_AUTHOR"] or values["PUBLISHER"] or "audionews"
    feed_url = urls(feed.endpoint)
    site_url = urls("pages.index")
    image = values["PODCAST_IMAGE"] or urls.media(default_cover_name())

    rss = etree.Element("rss", {"version": "2.0"}, nsmap=NSMAP)
    chan = etree.SubElement(rss, "channel")
    etree.SubElement(chan, x(ATOM, "link"), {"href": feed_url, "rel": "self", "type": RSS_TYPE})
    text(chan, "title", title)
    text(chan, "link", site_url)
    text(chan, "description", values["PODCAST_DESCRIPTION"] + feed.description_suffix)
    text(chan, "language", "de")
    text(chan, "copyright", values["PODCAST_COPYRIGHT"] or f"© {author}")
    text(chan, "generator", "audionews")
    if last_modified is not None:
        text(chan, "lastBuildDate", rfc2822(last_modified))
    picture = etree.SubElement(chan, "image")
    text(picture, "url", image)
    text(picture, "title", title)
    text(picture, "link", site_url)
    etree.SubElement(chan, x(ITUNES, "image"), {"href": image})
    top, sub = parse_category(values["PODCAST_CATEGORY"])
    category = etree.SubElement(chan, x(ITUNES, "category"), {"text": top})
    if sub:
        etree.SubElement(category, x(ITUNES, "category"), {"text": sub})
    text(chan, x(ITUNES, "explicit"), explicit())
    text(chan, x(ITUNES, "author"), author)
    owner = etree.SubElement(chan, x(ITUNES, "owner"))
    text(owner, x(ITUNES, "name"), author)
    text(owner, x(ITUNES, "email"), values["PODCAST_EMAIL"])
    text(chan, x(ITUNES, "type"), values["PODCAST_TYPE"])
    text(chan, x(PODCAST, "guid"), podcast_guid(feed_url))
    text(
        chan,
        x(PODCAST, "locked"),
        "yes" if values["PODCAST_LOCKED"] else "no",
        owner=clean_text(values["PODCAST_EMAIL"]),
    )
    text(chan, x(PODCAST, "medium"), "podcast")
    # News come every day; the text is for people, the rule (RFC 5545) for apps.
    text(chan, x(PODCAST, "updateFrequency"), feed.frequency, rrule="FREQ=DAILY")
    # The other feeds of this site, so apps can offer them beside this one.
    podroll = etree.SubElement(chan, x(PODCAST, "podroll"))
    for other in feeds:
        if other is not feed:
            other_url = urls(other.endpoint)
            attributes = {
                "feedGuid": podcast_guid(other_url),
                "feedUrl": other_url,
                "title": clean_text((values["PODCAST_TITLE"] or "audionews") + other.title_suffix),
            }
            etree.SubElement(podroll, x(PODCAST, "remoteItem"), attributes)
    return rss


def enclosure(
    item: etree._Element, url: str, length: int, duration: float, sidecars: dict[str, str | None]
) -> None:
    """Add the MP3, its duration, episode type, explicit flag, transcripts and chapters."""
    etree.SubElement(item, "enclosure", {"url": url, "length": str(length), "type": "audio/mpeg"})
    text(item, x(ITUNES, "duration"), str(round(duration)))
    text(item, x(ITUNES, "episodeType"), "full")
    text(item, x(ITUNES, "explicit"), explicit())
    # Renditions from before transcripts existed simply have none.
    if sidecars.get("vtt"):
        etree.SubElement(
            item,
            x(PODCAST, "transcript"),
            {"url": sidecars["vtt"] or "", "type": "text/vtt", "language": "de", "rel": "captions"},
        )
    if sidecars.get("json"):
        etree.SubElement(
            item,
            x(PODCAST, "transcript"),
            {"url": sidecars["json"] or "", "type": "application/json", "language": "de"},
        )
    if sidecars.get("chapters"):
        etree.SubElement(
            item, x(PODCAST, "chapters"), {"url": sidecars["chapters"] or "", "type": CHAPTERS_TYPE}
        )

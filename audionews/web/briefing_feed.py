"""The items of `/feed/briefing.xml`: one episode per news day, the day's briefing.

Each day keeps its guid for good (a UUIDv5 of the day), while its enclosure follows the newest
build; its pubDate is the start of the news day, so days are distinct and in order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from lxml import etree
from markupsafe import Markup
from sqlalchemy import func, select

from ..days import day_bounds
from ..db import db
from ..jobs import daisy_retention
from ..models import Briefing
from ..render.transcripts import clean_text
from .feed_xml import CONTENT, Urls, enclosure, rfc2822, settings, shorten, text, x

KIND = "briefing"
# Fixed for good: every briefing guid derives from it and the day.
GUID_NAMESPACE = uuid.UUID("882cf6ab-0696-48fa-afe6-e1e03cd35ada")


def guid(day: dt.date) -> str:
    """Return the guid of a day's briefing episode: the same for every build of that day."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"briefing:{day.isoformat()}"))


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _show_notes(row: Briefing, urls: Urls) -> str:
    """Return the HTML show notes: the day's articles as links, with where each begins."""
    parts = [Markup("<h3>Die Meldungen</h3><ol>")]
    for chapter in row.chapters:
        if chapter.get("slug"):
            parts.append(
                Markup('<li><a href="{}">{}</a> (ab {})</li>').format(
                    urls.page(chapter["slug"]),
                    clean_text(chapter["title"]),
                    _clock(chapter["start"]),
                )
            )
    parts.append(Markup("</ol>"))
    if not daisy_retention.expired(row.day):  # the day's DAISY edition (web/daisy.py)
        parts.append(
            Markup(
                '<p><a href="{}">{} als DAISY-Hörbuch</a> (ZIP, für DAISY-Player und -Apps)</p>'
            ).format(urls("daisy.edition", day=row.day.isoformat()), row.title)
        )
    return str(Markup("\n").join(parts))


def current_rows(limit: int) -> list[Briefing]:
    """Return the current briefing of each of the newest `limit` days, newest first."""
    newest = (
        select(func.max(Briefing.id))
        .where(Briefing.superseded_at.is_(None))
        .group_by(Briefing.day)
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Briefing)
            .where(Briefing.id.in_(newest))
            .order_by(Briefing.day.desc())
            .limit(limit)
        )
    )


def items(chan: etree._Element, urls: Urls, limit: int) -> None:
    """Add the briefing episodes of the newest `limit` days to `chan`."""
    values = settings()
    for row in current_rows(limit):
        item = etree.SubElement(chan, "item")
        text(item, "title", row.title)
        text(item, "guid", guid(row.day), isPermaLink="false")
        text(item, "link", urls("pages.index"))
        text(item, "pubDate", rfc2822(day_bounds(row.day, values)[0]))
        titles = [c["title"] for c in row.chapters if c.get("slug")]
        text(item, "description", shorten("Die Meldungen: " + "; ".join(titles) + "."))
        text(item, x(CONTENT, "encoded"), _show_notes(row, urls))
        files = row.files
        enclosure(
            item,
            urls.media(files["audio"]),
            row.size,
            row.duration,
            {
                "vtt": urls.media(files["transcript_vtt"]),
                "json": urls.media(files["transcript_json"]),
                "chapters": urls.media(files["chapters"]),
            },
        )


def state() -> tuple[tuple[Any, ...], list[dt.datetime]]:
    """Return a fingerprint of the briefings and the moments they changed, in one query.

    A new build raises max(id); a day whose articles all went is superseded without a
    successor (max(superseded_at), the current count); pruning lowers the count.
    """
    current = Briefing.superseded_at.is_(None)
    row = db.session.execute(
        select(
            select(func.max(Briefing.id)).scalar_subquery(),
            select(func.count()).select_from(Briefing).scalar_subquery(),
            select(func.count()).select_from(Briefing).where(current).scalar_subquery(),
            select(func.max(Briefing.created_at)).scalar_subquery(),
            select(func.max(Briefing.superseded_at)).scalar_subquery(),
        )
    ).one()
    fingerprint = tuple(row)
    return fingerprint, [m for m in (row[3], row[4]) if isinstance(m, dt.datetime)]

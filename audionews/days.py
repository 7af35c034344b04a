"""News days: which day an article belongs to, in the newsroom's time zone.

A news day runs from `DAY_START_HOUR` local time (`TIMEZONE`) to the same hour the next day, so
an article published at 02:00 with a day starting at 04:00 belongs to the day before. The
daily briefing, the DAISY edition and the archive all use this one definition. An article's
day is that of its first publication (`Article.published_at`); times in the database are UTC
without a zone, like every other timestamp there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from .models import Article

UTC = dt.UTC


def zone(settings: Mapping[str, Any]) -> ZoneInfo:
    return ZoneInfo(settings["TIMEZONE"])


def local_time(moment: dt.datetime, settings: Mapping[str, Any]) -> dt.datetime:
    """Return the database time `moment` (UTC, naive) in the newsroom's zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone(settings))


def news_day(moment: dt.datetime, settings: Mapping[str, Any]) -> dt.date:
    """Return the news day of the database time `moment` (UTC, naive)."""
    local = local_time(moment, settings)
    return (local - dt.timedelta(hours=settings["DAY_START_HOUR"])).date()


def day_bounds(day: dt.date, settings: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """Return the start (inclusive) and end (exclusive) of `day` as database times.

    Computed from local wall-clock times, so a day with a daylight-saving change is 23 or 25
    hours long, as it is for the newsroom.
    """
    hour = dt.time(settings["DAY_START_HOUR"])
    tz = zone(settings)

    def utc(local_day: dt.date) -> dt.datetime:
        local = dt.datetime.combine(local_day, hour, tzinfo=tz)
        return local.astimezone(UTC).replace(tzinfo=None)

    return utc(day), utc(day + dt.timedelta(days=1))


def today(settings: Mapping[str, Any], now: dt.datetime | None = None) -> dt.date:
    """Return the current news day (`now`: a database time, default the present)."""
    moment = now or dt.datetime.now(UTC).replace(tzinfo=None)
    return news_day(moment, settings)


def published_on(day: dt.date, settings: Mapping[str, Any]) -> Select[tuple[Article]]:
    """Return a query of the published articles of `day`, newest first.

    Whether an article has audio yet is the caller's business (renditions are loaded with
    the articles where they are listed).
    """
    start, end = day_bounds(day, settings)
    return (
        select(Article)
        .where(
            Article.published.is_(True),
            Article.published_at >= start,
            Article.published_at < end,
        )
        .order_by(Article.published_at.desc(), Article.id.desc())
    )

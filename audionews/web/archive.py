"""The archive: `/archiv/` lists the news days of a year, `/archiv/<YYYY-MM-DD>` one day.

A day is a news day (days.py): an article belongs to the day of its first publication. The
day list counts a year's days in one query (a range of the `published_at` index per day); a
day's page lists at most `DAY_PAGE` articles a page, with that day's briefing and DAISY book
where they exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from sqlalchemy import DateTime, Integer, Select, column, func, select, values

from .. import days
from ..db import db
from ..jobs import briefing_job, daisy_job, daisy_retention
from ..models import Article
from ..speech.dates import MONTHS
from .pages import articles, listable, with_audio

bp = Blueprint("archive", __name__, url_prefix="/archiv")

DAY_PAGE = 50
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
FIRST_YEAR = 1970


@dataclass
class Day:
    day: dt.date
    count: int

    @property
    def label(self) -> str:
        return day_label(self.day)


@dataclass
class Month:
    label: str
    anchor: str
    days: list[Day]


def day_label(day: dt.date) -> str:
    """Return "Dienstag, 1. Dezember 2026"."""
    return f"{WEEKDAYS[day.weekday()]}, {day.day}. {MONTHS[day.month - 1]} {day.year}"


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["AUDIONEWS"]
    return settings


def _not_found(message: str, detail: str) -> tuple[str, int]:
    return render_template("error.html", status=404, message=message, detail=detail), 404


def years() -> list[int]:
    """Return the years that have news, newest first (from the first and last publication)."""
    settings = _settings()
    newest = articles(listable().limit(1))
    oldest = articles(listable().order_by(None).order_by(Article.published_at).limit(1))
    if not newest or not oldest:
        return []
    first, last = oldest[0].published_at, newest[0].published_at
    if first is None or last is None:
        return []
    return list(
        range(days.news_day(last, settings).year, days.news_day(first, settings).year - 1, -1)
    )


def days_of(year: int) -> list[Day]:
    """Return the news days of `year` that have published articles with audio, newest first."""
    settings = _settings()
    start = dt.date(year, 1, 1)
    bounds = []
    day = start
    while day.year == year:
        bounds.append((*days.day_bounds(day, settings), day))
        day += dt.timedelta(days=1)
    ranges = (
        values(
            column("number", Integer),
            column("starts", DateTime),
            column("ends", DateTime),
            name="news_days",
        )
        .data([(number, begin, end) for number, (begin, end, _) in enumerate(bounds)])
        .cte()
    )
    # A count per day, each an index range of `published_at` (a join lets SQLite pair every
    # day with every article).
    per_day = (
        select(func.count(Article.id))
        .where(
            Article.published_at >= ranges.c.starts,
            Article.published_at < ranges.c.ends,
            Article.published.is_(True),
            Article.renditions.any(),
        )
        .scalar_subquery()
    )
    counted = db.session.execute(select(ranges.c.number, per_day)).all()
    found = [Day(bounds[number][2], count) for number, count in counted if count]
    return sorted(found, key=lambda item: item.day, reverse=True)


def months(found: list[Day]) -> list[Month]:
    grouped: list[Month] = []
    for item in found:
        label = f"{MONTHS[item.day.month - 1]} {item.day.year}"
        if not grouped or grouped[-1].label != label:
            grouped.append(Month(label, f"m-{item.day.year}-{item.day.month:02d}", []))
        grouped[-1].days.append(item)
    return grouped


@bp.get("/")
def index() -> Any:
    known = years()
    raw = request.args.get("jahr", "")
    if raw:
        year = int(raw) if raw.isdigit() and len(raw) == 4 else None
        if year is None or year not in known:
            return _not_found(
                "Für dieses Jahr gibt es kein Archiv.",
                f"„{raw[:20]}“ ist kein Jahr mit Nachrichten."
                + (f" Nachrichten gibt es aus {', '.join(map(str, known))}." if known else ""),
            )
    else:
        year = known[0] if known else None
    found = days_of(year) if year is not None else []
    return render_template(
        "archive_index.html", year=year, years=known, months=months(found), total=len(found)
    )


def parse_day(text: str) -> dt.date | None:
    """Return the date of "YYYY-MM-DD", or None for anything else."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if day.year >= FIRST_YEAR else None


@bp.get("/<string(length=10):day>")
def day(day: str) -> Any:
    date = parse_day(day)
    if date is None:
        return _not_found(
            "Diesen Tag gibt es nicht.",
            f"„{day}“ ist kein Datum in der Form JJJJ-MM-TT, etwa /archiv/2026-12-01.",
        )
    page = _page()
    rows = articles(_day_query(date).limit(DAY_PAGE + 1).offset((page - 1) * DAY_PAGE))
    items = with_audio(rows[:DAY_PAGE])
    briefing = briefing_job.current(date)
    edition = daisy_job.current_day(date) if not daisy_retention.expired(date) else None
    if not items and page == 1 and briefing is None:
        return _not_found(
            "An diesem Tag gibt es keine Nachrichten.",
            f"Am {day_label(date)} wurde kein Beitrag mit Ton veröffentlicht.",
        )
    return render_template(
        "archive_day.html",
        date=date,
        label=day_label(date),
        items=items,
        page=page,
        more=len(rows) > DAY_PAGE,
        briefing=briefing_job.view(briefing) if briefing is not None else None,
        edition=_edition(edition),
        previous=_neighbour(date, before=True),
        following=_neighbour(date, before=False),
    )


def _day_query(date: dt.date) -> Select[tuple[Article]]:
    return days.published_on(date, _settings()).where(Article.renditions.any())


def _page() -> int:
    raw = request.args.get("seite", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 6 and int(raw) > 0 else 1


def _edition(row: Any) -> dict[str, Any] | None:
    if row is None or row.day is None:
        return None
    return {
        "url": daisy_job.edition_url(row.day),
        "size": row.size,
        "count": len(row.articles),
    }


def _neighbour(date: dt.date, *, before: bool) -> dict[str, str] | None:
    """Return the link of the nearest earlier (or later) day with news."""
    settings = _settings()
    start, end = days.day_bounds(date, settings)
    column_ = Article.published_at
    query = select(column_).where(Article.published.is_(True), Article.renditions.any())
    if before:
        query = query.where(column_ < start).order_by(column_.desc())
    else:
        query = query.where(column_ >= end).order_by(column_.asc())
    moment = db.session.scalar(query.limit(1))
    if moment is None:
        return None
    other = days.news_day(moment, settings)
    return {"url": url_for("archive.day", day=other.isoformat()), "label": day_label(other)}

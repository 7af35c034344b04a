"""DAISY talking books for download: a news day's edition and each article's own book.

`/daisy/<YYYY-MM-DD>.zip` and `/daisy/artikel/<slug>.zip` answer with the current book's zip
(Range, HEAD, ETag as `/media`); the URLs stay while the books behind them are rebuilt, so
they are cached briefly and revalidated by ETag (the content hash in the zip's name). The
template globals give the pages their links with sizes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, render_template, send_file
from sqlalchemy import select
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from ..db import db
from ..jobs import daisy_job, daisy_retention
from ..models import Article, DaisyBook
from ..speech.dates import MONTHS

bp = Blueprint("daisy", __name__)

ZIP_TYPE = "application/zip"
CACHE_CONTROL = "public, max-age=60, no-transform"


def _not_found(message: str, detail: str, status: int = 404) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message, detail=detail), status


def _etag(row: DaisyBook) -> str:
    # <stem>-<12 hex digits of the content's sha256>-daisy.zip
    return row.file.removesuffix(f"-{daisy_job.package.SUFFIX}").rsplit("-", 1)[-1]


def _send(row: DaisyBook, download_name: str) -> Response:
    path = daisy_job.path_of(row)
    try:
        response = send_file(
            path,
            mimetype=ZIP_TYPE,
            as_attachment=True,
            download_name=download_name,
            conditional=True,
            etag=_etag(row),
            max_age=60,
        )
    except RequestedRangeNotSatisfiable:
        response = current_app.response_class(
            "Der angefragte Bereich liegt außerhalb der Datei.\n", status=416, mimetype="text/plain"
        )
        response.headers["Content-Range"] = f"bytes */{path.stat().st_size}"
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Accept-Ranges"] = "bytes"
    return response


def _date_text(day: dt.date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


@bp.get("/daisy/<day>.zip")
def edition(day: str) -> Any:
    try:
        date = dt.date.fromisoformat(day) if len(day) == 10 else None
    except ValueError:
        date = None
    if date is None:
        return _not_found(
            "Diese Ausgabe gibt es nicht.",
            f"„{day}“ ist kein Datum in der Form JJJJ-MM-TT, etwa /daisy/2026-12-01.zip.",
        )
    if daisy_retention.expired(date):
        keep = current_app.config["AUDIONEWS"]["DAISY_KEEP_DAYS"]
        return _not_found(
            "Diese Ausgabe ist nicht mehr verfügbar.",
            f"DAISY-Ausgaben bleiben {keep} Tage zum Herunterladen; "
            f"die vom {_date_text(date)} ist älter.",
            410,
        )
    row = daisy_job.current_day(date)
    if row is None or not daisy_job.path_of(row).is_file():
        return _not_found(
            "Für diesen Tag gibt es keine DAISY-Ausgabe.",
            f"Am {_date_text(date)} wurde (noch) kein Beitrag mit Ton veröffentlicht.",
        )
    return _send(row, f"audionews-{date.isoformat()}-daisy.zip")


@bp.get("/daisy/artikel/<slug>.zip")
def article(slug: str) -> Any:
    row = db.session.scalar(select(Article).where(Article.slug == slug, Article.published))
    book = daisy_job.article_book(row) if row is not None else None
    if row is None or book is None:
        return _not_found(
            "Dieses DAISY-Hörbuch gibt es nicht.",
            f"Es gibt keinen veröffentlichten Beitrag „{slug}“ mit Ton.",
        )
    return _send(book, f"{slug}-daisy.zip")


@bp.app_template_global()
def daisy_edition() -> dict[str, Any] | None:
    """Return the newest day's edition for the home page: URL, date, size."""
    row = daisy_job.newest_edition()
    if row is None or row.day is None:
        return None
    return {
        "url": daisy_job.edition_url(row.day),
        "date": _date_text(row.day),
        "iso": row.day.isoformat(),
        "size": row.size,
        "count": len(row.articles),
    }


@bp.app_template_global()
def daisy_article(article: Article) -> dict[str, Any] | None:
    """Return the link to `article`'s book for its page (size once it is made)."""
    return daisy_job.article_view(article)

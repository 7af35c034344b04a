"""The dashboard: the articles, a page at a time, with revision, state, status and last change.

Filters (render status, the news day of the last change, a text in title or slug) and paging
run in the database; a page's statuses come in three queries (`jobs.status.statuses`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from ... import catalog
from ...cache.prune import human
from ...cache.usage import usage
from ...days import day_bounds
from ...db import db
from ...jobs.status import statuses
from ...models import Article, Job, JobStatus, Rendition
from .. import pages
from ..pages import whole_seconds
from .audit import record
from .blueprint import bp

STATUS_LABELS = {
    "queued": "In der Warteschlange",
    "rendering": "Wird vertont",
    "ready": "Fertig",
    "failed": "Fehlgeschlagen",
}
FILTERS = {"": "Alle", **STATUS_LABELS}
# A rendering job's phase (renderer.PHASES) and what its progress counts, in German.
PHASE_LABELS = {
    "synthesis": ("Sprechen", "Sätzen"),
    "planning": ("Planen und Lautheit messen", "Abschnitten"),
    "encoding": ("MP3 kodieren", "Abschnitten"),
    "joining": ("Zusammenfügen", "Abschnitten"),
    "publishing": ("Veröffentlichen", "Schritten"),
}


def clock(seconds: float | None) -> str:
    """Return a duration as "m:ss Min." for people."""
    if seconds is None:
        return "–"
    total = whole_seconds(seconds)  # rounded down, as on the public pages and in the player
    return f"{total // 60}:{total % 60:02d} Min."


def describe(status: dict[str, Any]) -> str:
    """Return the render status in plain German."""
    state = status["status"]
    text = STATUS_LABELS.get(state, state)
    progress = status.get("progress") or {}
    if state == "rendering" and progress.get("total"):
        phase = progress.get("phase") or "synthesis"
        label, unit = PHASE_LABELS.get(phase, PHASE_LABELS["synthesis"])
        text += f" – {label}: {progress['done']} von {progress['total']} {unit}"
    elif state == "ready":
        durations = status.get("duration") or {}
        text += f" ({status['engine']}, gesamt {clock(durations.get('episode'))})"
    elif state in ("failed", "queued") and status.get("error"):
        text += f": {status['error']}"
    return text


PAGE = 50
MAX_TEXT = 200


@dataclass
class Filters:
    """What the dashboard shows: a status, a news day of the last change, a text; a page."""

    state: str = ""
    day: dt.date | None = None
    text: str = ""
    page: int = 1

    @classmethod
    def from_request(cls) -> Filters:
        state = request.args.get("status", "")
        raw_day = request.args.get("tag", "")
        try:
            day = dt.date.fromisoformat(raw_day) if len(raw_day) == 10 else None
        except ValueError:
            day = None
        text = " ".join("".join(c for c in request.args.get("q", "") if c.isprintable()).split())
        raw_page = request.args.get("seite", "1")
        page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() else 1
        return cls(
            state if state in FILTERS else "", day, text[:MAX_TEXT], min(max(page, 1), 10_000)
        )

    @property
    def active(self) -> bool:
        return bool(self.state or self.day or self.text)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the query arguments of these filters (for links to other pages)."""
        values = {
            "status": self.state,
            "tag": self.day.isoformat() if self.day else "",
            "q": self.text,
            "seite": self.page if self.page > 1 else "",
        } | changes
        return {key: value for key, value in values.items() if value not in ("", None, 1)}


def status_expression() -> ColumnElement[str]:
    """Return the render status of `article_status` as SQL, so the database can filter on it."""

    def newest_job(column: Any) -> Any:
        job = aliased(Job)
        return (
            select(column(job))
            .where(job.article_id == Article.id)
            .order_by(job.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    job_status = newest_job(lambda job: job.status)
    job_revision = newest_job(lambda job: job.revision)
    current = (
        select(Rendition.id)
        .where(Rendition.article_id == Article.id, Rendition.revision == Article.revision)
        .exists()
    )
    return case(
        (job_status.in_(JobStatus.LIVE), job_status),
        (current, JobStatus.READY),
        (
            and_(job_status == JobStatus.FAILED, job_revision == Article.revision),
            JobStatus.FAILED,
        ),
        else_=JobStatus.QUEUED,
    )


def filtered(filters: Filters) -> Select[tuple[Article]]:
    """Return the articles `filters` let through, the latest change first (not paged)."""
    query = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if filters.state:
        query = query.where(status_expression() == filters.state)
    if filters.day is not None:
        start, end = day_bounds(filters.day, current_app.config["AUDIONEWS"])
        query = query.where(Article.updated_at >= start, Article.updated_at < end)
    if filters.text:
        pattern = (
            "%" + filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                Article.title.ilike(pattern, escape="\\"),
                Article.slug.ilike(pattern, escape="\\"),
            )
        )
    return query


def count(filters: Filters) -> int:
    query = filtered(filters).order_by(None).with_only_columns(func.count(Article.id))
    return int(db.session.scalar(query) or 0)


def rows(filters: Filters | None = None) -> list[dict[str, Any]]:
    """Return one page of the dashboard's rows: article, status, label, durations."""
    filters = filters or Filters()
    articles = pages.articles(filtered(filters).limit(PAGE).offset((filters.page - 1) * PAGE))
    return [
        {
            "article": article,
            "status": status,
            "label": describe(status),
            "durations": {k: clock(v) for k, v in (status["duration"] or {}).items()},
        }
        for article, status in zip(articles, statuses(articles), strict=True)
    ]


@bp.get("/")
def dashboard() -> str:
    filters = Filters.from_request()
    total = count(filters)
    return render_template(
        "editor/dashboard.html",
        rows=rows(filters),
        total=total,
        pages=max(1, -(-total // PAGE)),
        filters=filters,
        state=filters.state,
        labels=FILTERS,
        first=(filters.page - 1) * PAGE + 1,
        cache=media_size(),
    )


def media_size() -> dict[str, Any]:
    """Return the media folder's size for the dashboard (measured at most a minute ago)."""
    measured = usage(current_app.extensions["storage"]).by_kind()
    sizes = {kind: human(nbytes) for kind, (_files, nbytes) in measured.items()}
    total = sum(nbytes for _files, nbytes in measured.values())
    return sizes | {
        "total": human(total),
        "daily": bool(current_app.config["AUDIONEWS"]["CACHE_PRUNE"]),
    }


@bp.get("/status.json")
def status_json() -> Response:
    """Return the render status of every article, for the dashboard's quiet updates."""
    return jsonify(
        {
            "articles": [
                {
                    "slug": row["article"].slug,
                    "status": row["status"]["status"],
                    "label": row["label"],
                    "progress": row["status"]["progress"],
                }
                for row in rows(Filters.from_request())
            ]
        }
    )


@bp.post("/vertonen")
def render_many() -> Any:
    """Re-render the selected articles, all of them, or those whose render failed."""
    scope = request.form.get("umfang", "auswahl")
    query = select(Article).order_by(Article.id)
    if scope == "fehlgeschlagen":
        query = query.where(status_expression() == JobStatus.FAILED)
    elif scope != "alle":
        query = query.where(Article.slug.in_(request.form.getlist("slug")[:1000]))
    chosen = list(db.session.scalars(query))
    if not chosen:
        flash("Keine Artikel ausgewählt: Bitte mindestens einen ankreuzen.", "error")
        return redirect(url_for("editor.dashboard"))
    catalog.request_render(chosen)
    for article in chosen:
        record("render", article.slug, f"Fassung {article.revision}")
    flash(f"{len(chosen)} Artikel werden neu vertont.", "info")
    return redirect(url_for("editor.dashboard"))

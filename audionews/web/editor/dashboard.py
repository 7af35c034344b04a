"""The dashboard: every article with revision, state, render status and last change."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from ... import catalog
from ...cache.prune import human
from ...cache.usage import usage
from ...db import db
from ...jobs.status import article_status
from ...models import Article
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
    elif state == "failed" and status.get("error"):
        text += f": {status['error']}"
    return text


def rows(state: str = "") -> list[dict[str, Any]]:
    articles = db.session.scalars(select(Article).order_by(Article.updated_at.desc())).all()
    result = []
    for article in articles:
        status = article_status(article)
        if state and status["status"] != state:
            continue
        result.append(
            {
                "article": article,
                "status": status,
                "label": describe(status),
                "durations": {k: clock(v) for k, v in (status["duration"] or {}).items()},
            }
        )
    return result


@bp.get("/")
def dashboard() -> str:
    state = request.args.get("status", "")
    if state not in FILTERS:
        state = ""
    return render_template(
        "editor/dashboard.html", rows=rows(state), state=state, filters=FILTERS, cache=media_size()
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
                for row in rows()
            ]
        }
    )


@bp.post("/vertonen")
def render_many() -> Any:
    """Re-render the selected articles, all of them, or those whose render failed."""
    scope = request.form.get("umfang", "auswahl")
    articles = list(db.session.scalars(select(Article).order_by(Article.id)))
    if scope == "alle":
        chosen = articles
    elif scope == "fehlgeschlagen":
        chosen = [a for a in articles if article_status(a)["status"] == "failed"]
    else:
        wanted = set(request.form.getlist("slug"))
        chosen = [a for a in articles if a.slug in wanted]
    if not chosen:
        flash("Keine Artikel ausgewählt: Bitte mindestens einen ankreuzen.", "error")
        return redirect(url_for("editor.dashboard"))
    catalog.request_render(chosen)
    for article in chosen:
        record("render", article.slug, f"Fassung {article.revision}")
    flash(f"{len(chosen)} Artikel werden neu vertont.", "info")
    return redirect(url_for("editor.dashboard"))

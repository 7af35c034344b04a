"""The day's briefing in the back office: its state, a player, and the order of its articles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import update

from ...days import today
from ...db import db
from ...jobs import briefing_job, day_job
from ...models import Article, NewsDay
from .audit import record
from .blueprint import bp

PATH = "/nachrichten-des-tages"


def _day(value: str | None) -> dt.date | None:
    """Return the day named by `value` (YYYY-MM-DD), today when empty, None when unreadable."""
    if not value:
        return today(current_app.config["AUDIONEWS"])
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _why_not(article: Article) -> str:
    """Return why an article is not in the briefing, or "" when it is (or will be)."""
    rendition = article.current_rendition()
    if rendition is None:
        return "noch ohne Ton"
    if "summary" not in (rendition.chapters or {}):
        return "ohne „In Kürze“"
    return ""


def _state(day: dt.date) -> str:
    state = db.session.get(NewsDay, day)
    if state is None or state.built >= state.changed:
        return ""
    if state.error:
        return f"Die letzte Erstellung ist fehlgeschlagen: {state.error}"
    if state.building_since is not None:
        return "Die Sendung wird gerade neu erstellt."
    if day_job.renders_pending(day):
        return "Die Sendung wird neu erstellt, sobald die Artikel des Tages vertont sind."
    return "Die Sendung wird gleich neu erstellt."


def _page(
    day: dt.date, errors: dict[str, str] | None = None, values: dict[int, str] | None = None
) -> tuple[str, int]:
    articles = briefing_job.day_articles(day)
    state = db.session.get(NewsDay, day)
    row = briefing_job.current(day)
    page = render_template(
        "editor/briefing.html",
        day=day,
        articles=articles,
        excluded={a.id: _why_not(a) for a in articles},
        values=values or {a.id: str(n) for n, a in enumerate(articles, start=1)},
        ordered=bool(state is not None and state.article_order),
        briefing=briefing_job.view(row) if row is not None else None,
        built_at=row.created_at if row is not None else None,
        state=_state(day),
        errors=errors or {},
    )
    return page, 400 if errors else 200


@bp.get(PATH)
def briefing() -> tuple[str, int]:
    day = _day(request.args.get("tag"))
    if day is None:
        fallback = today(current_app.config["AUDIONEWS"])
        return _page(fallback, {"tag": "Bitte einen Tag als Datum angeben, z. B. 2025-12-01."})
    return _page(day)


@bp.post(PATH + "/<day>")
def order_briefing(day: str) -> Any:
    chosen = _day(day)
    if chosen is None:
        return _page(today(current_app.config["AUDIONEWS"]), {"tag": "Diesen Tag gibt es nicht."})
    articles = briefing_job.day_articles(chosen)
    if request.form.get("automatisch"):
        order: list[int] | None = None
        message = "Die Meldungen stehen wieder in der Reihenfolge „neueste zuerst“."
        detail = "neueste zuerst"
    else:
        values = {a.id: request.form.get(f"position-{a.id}", "").strip() for a in articles}
        positions: dict[int, int] = {}
        for article in articles:
            try:
                positions[article.id] = int(values[article.id])
            except ValueError:
                positions[article.id] = 0
            if not 1 <= positions[article.id] <= len(articles):
                error = f"„{article.title}“: bitte eine Position von 1 bis {len(articles)} angeben."
                return _page(chosen, {f"position-{article.id}": error}, values)
        rank = {a.id: number for number, a in enumerate(articles)}
        order = sorted(positions, key=lambda i: (positions[i], rank[i]))
        message = "Reihenfolge gespeichert; die Sendung wird neu erstellt."
        detail = ", ".join(str(i) for i in order)
    day_job.mark(chosen)
    db.session.execute(update(NewsDay).where(NewsDay.day == chosen).values(article_order=order))
    db.session.commit()
    record("briefing-order", chosen.isoformat(), detail)
    flash(message, "info")
    return redirect(url_for("editor.briefing", tag=chosen.isoformat()))

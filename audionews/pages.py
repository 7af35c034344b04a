"""Public HTML pages: the article list and the player page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from .db import db
from .models import Article, Rendition

bp = Blueprint("pages", __name__)


def _listed() -> list[tuple[Article, Rendition]]:
    """Return published articles that have ready audio, newest first."""
    articles = db.session.scalars(
        select(Article).where(Article.published.is_(True)).order_by(Article.created_at.desc())
    ).all()
    listed = []
    for article in articles:
        rendition = article.current_rendition()
        if rendition is not None:
            listed.append((article, rendition))
    return listed


@bp.get("/")
def index() -> str:
    return render_template("index.html", items=_listed())


@bp.get("/artikel/<slug>")
def article(slug: str) -> str:
    row = db.session.scalar(
        select(Article).where(Article.slug == slug, Article.published.is_(True))
    )
    rendition = row.current_rendition() if row is not None else None
    if row is None or rendition is None:
        abort(404)
    return render_template("article.html", article=row, rendition=rendition)


@bp.app_template_filter("minutes")
def minutes(seconds: Any) -> str:
    """Format seconds as German words: "3 Min. 5 Sek."."""
    total = round(float(seconds or 0))
    mins, secs = divmod(total, 60)
    return f"{mins} Min. {secs} Sek." if mins else f"{secs} Sek."

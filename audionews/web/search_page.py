"""`GET /suche?q=…`: German full-text search over the published articles, newest first.

Every query gets a page: an empty one asks for a word, a cut one says so, one the index
cannot take apart (signs only) finds nothing. The search itself is `search.index.find`; a
page holds `PAGE` hits, each with the sentence that matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request
from markupsafe import Markup
from sqlalchemy import select

from ..db import db
from ..models import Article
from ..search import index
from ..search.text import Query, matched_sentence, parse

bp = Blueprint("search", __name__)

PAGE = 20
MAX_PAGE = 500


@dataclass
class Hit:
    article: Article
    sentence: Markup


def page_number(raw: str | None) -> int:
    """Return the page asked for: a whole number from 1 to MAX_PAGE, else 1."""
    raw = raw or "1"
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def hits(query: Query, page: int) -> tuple[list[Hit], bool]:
    """Return the hits of page `page` (published articles with audio) and whether more follow."""
    ids = index.find(db.session.connection(), query, PAGE + 1, (page - 1) * PAGE)
    if not ids:
        return [], False
    found = {
        article.id: article
        for article in db.session.scalars(
            select(Article).where(
                Article.id.in_(ids[:PAGE]),
                Article.published.is_(True),
                Article.renditions.any(),
            )
        )
    }
    listed = [
        Hit(a, matched_sentence(query, a.title, a.summary, a.body))
        for a in (found.get(i) for i in ids[:PAGE])
        if a is not None
    ]
    return listed, len(ids) > PAGE


@bp.get("/suche")
def results() -> Any:
    raw = request.args.get("q", "")
    query = parse(raw)
    page = page_number(request.args.get("seite"))
    found, more = hits(query, page) if not query.empty else ([], False)
    return render_template(
        "search.html",
        query=query,
        asked=bool(raw.strip()),
        search_text=query.text,
        hits=found,
        page=page,
        more=more,
        first=(page - 1) * PAGE + 1,
    )

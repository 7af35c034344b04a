"""The JSON API under /api/v1: articles in, status and file URLs out."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from sqlalchemy import and_, or_, select

from .. import catalog
from ..articles import ArticleError, ArticleInput, check_source_id, parse_json_bytes, parse_text
from ..db import db
from ..jobs import daisy_job
from ..jobs.status import article_status, statuses
from ..models import Article, Job, LexiconEntry
from ..render.voice import script_for
from .auth import has_valid_token, token_required
from .editor.audit import record
from .errors import ApiError
from .security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, never cookies: nothing to forge


def _read_article() -> ArticleInput:
    """Parse the request body as JSON or as the text format, or raise a 4xx ApiError."""
    limit = current_app.config["AUDIONEWS"]["MAX_ARTICLE_BYTES"]
    data = request.get_data(cache=False)
    mimetype = request.mimetype
    if len(data) > limit:
        raise ApiError(413, "too_large", f"Der Text ist größer als {limit // 1000} kB.", "body")
    try:
        if mimetype == "application/json":
            return _with_source_id(parse_json_bytes(data, max_bytes=limit))
        if mimetype in {"text/plain", "text/markdown", ""}:
            return _with_source_id(parse_text(data, max_bytes=limit))
    except ArticleError as exc:
        raise ApiError(400, "invalid_article", exc.message, exc.field) from None
    raise ApiError(
        415,
        "unsupported_media_type",
        "Bitte application/json oder text/plain (das Artikel-Textformat) senden.",
    )


def _with_source_id(data: ArticleInput) -> ArticleInput:
    """Take `?source_id=` too: the text format has no place for it."""
    given = request.args.get("source_id")
    if given is None:
        return data
    source_id = check_source_id(given)
    if data.source_id is not None and data.source_id != source_id:
        raise ArticleError("Die „source_id“ im Text und in der Adresse weichen ab.", "source_id")
    return dataclasses.replace(data, source_id=source_id)


def _save_response(result: catalog.SaveResult, created_status: int) -> tuple[Response, int]:
    body: dict[str, Any] = article_status(result.article)
    body.update(
        {
            "created": result.created,
            "changed": result.changed,
            "job": result.job.id if result.job else body["job"],
            "source_id": result.article.source_id,
        }
    )
    return jsonify(body), created_status if result.created else 200


DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _whole(name: str, default: int, largest: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not 1 <= int(raw) <= largest:
        raise ApiError(
            400,
            "invalid_parameter",
            f"„{name}“ muss eine ganze Zahl von 1 bis {largest} sein.",
            name,
        )
    return int(raw)


@bp.get("/articles")
def list_articles() -> Response:
    """List articles newest first, a page at a time (`page` or `before`, and `limit`)."""
    limit = _whole("limit", DEFAULT_LIMIT, MAX_LIMIT)
    page = _whole("page", 1, 1_000_000)
    before = request.args.get("before")
    newest = (Article.created_at.desc(), Article.id.desc())
    query = select(Article)
    if not has_valid_token():
        query = query.where(Article.published.is_(True))
    if before is not None:
        if "page" in request.args:
            raise ApiError(400, "invalid_parameter", "Bitte „page“ oder „before“, nicht beides.")
        anchor = db.session.scalar(query.where(Article.slug == before))
        if anchor is None:
            raise ApiError(
                400, "invalid_parameter", f"Es gibt keinen Artikel „{before[:80]}“.", "before"
            )
        query = query.where(
            or_(
                Article.created_at < anchor.created_at,
                and_(Article.created_at == anchor.created_at, Article.id < anchor.id),
            )
        )
    rows = list(
        db.session.scalars(
            query.order_by(*newest).limit(limit + 1).offset(0 if before else (page - 1) * limit)
        )
    )
    articles = rows[:limit]
    more = len(rows) > limit
    body: dict[str, Any] = {
        "articles": statuses(articles),
        "limit": limit,
        "page": None if before else page,
        "next": None,
        "next_before": articles[-1].slug if more else None,
    }
    if more:
        args = {"limit": limit} | (
            {"before": articles[-1].slug} if before is not None else {"page": page + 1}
        )
        body["next"] = url_for("api.list_articles", **args)
    return jsonify(body)


@bp.post("/articles")
@token_required
def create_article() -> tuple[Response, int]:
    result = _save(_read_article())
    return _save_response(result, 201)


@bp.put("/articles/<slug>")
@token_required
def update_article(slug: str) -> tuple[Response, int]:
    _find(slug)
    data = _read_article()
    if data.slug and data.slug != slug:
        raise ApiError(400, "invalid_article", "Die Kennung im Text passt nicht zur URL.", "slug")
    result = _save(data, slug=slug, must_exist=True)
    return _save_response(result, 200)


@bp.get("/articles/<slug>")
def get_article(slug: str) -> Response:
    article = _find(slug)
    if not article.published and not has_valid_token():
        # Unpublished (e.g. embargoed) articles are visible to token holders only.
        raise ApiError(404, "not_found", f"Es gibt keinen Artikel „{slug}“.")
    body = article_status(article)
    body["daisy"] = daisy_job.article_url(slug) if daisy_job.article_view(article) else None
    return jsonify(body)


@bp.get("/articles/<slug>/script")
def get_script(slug: str) -> Response:
    """Return the spoken version of the current revision, segment by segment."""
    article = _find(slug)
    if not article.published and not has_valid_token():
        raise ApiError(404, "not_found", f"Es gibt keinen Artikel „{slug}“.")
    settings = current_app.config["AUDIONEWS"]
    script = script_for(
        article.title, article.summary, article.body, settings, LexiconEntry.current()
    )
    rendition = article.ready_for(article.revision)
    # Cue times belong to the segments of the render of this very revision.
    times = {cue["index"]: cue for cue in rendition.cues} if rendition is not None else {}
    segments = []
    for segment in script:
        item: dict[str, Any] = segment.to_dict()
        cue = times.get(segment.index)
        if cue is not None and cue.get("display") == segment.display:
            item["start"], item["end"] = cue["start"], cue["end"]
        segments.append(item)
    return jsonify(
        {
            "slug": article.slug,
            "revision": article.revision,
            "rendered": rendition is not None,
            "unsure": sorted({flag for segment in script for flag in segment.flags}),
            "segments": segments,
        }
    )


@bp.post("/articles/<slug>/render")
@token_required
def render_article(slug: str) -> tuple[Response, int]:
    (job,) = catalog.request_render([_find(slug)])
    record("render", slug, f"Fassung {job.revision}", actor=_actor())
    return jsonify(job.to_dict()), 202


@bp.get("/jobs/<int(max=9223372036854775807):job_id>")
def get_job(job_id: int) -> Response:
    job = db.session.get(Job, job_id)
    # Job ids are sequential: without a token, a job of an unpublished article answers
    # exactly like one that does not exist, so counting through ids reveals nothing of it.
    if job is None or not (job.article.published or has_valid_token()):
        raise ApiError(404, "not_found", f"Es gibt keinen Auftrag {job_id}.")
    return jsonify(job.to_dict())


def _actor() -> str:
    return f"API: {g.api_token.name}"


def _save(data: ArticleInput, **options: Any) -> catalog.SaveResult:
    """Save through the catalog; a conflict or a vanished article is a 4xx with a sentence.

    A change is recorded in the back office's audit log.
    """
    try:
        result = catalog.save(data, actor=_actor(), owner=g.api_token.name, **options)
    except ArticleError as exc:
        raise ApiError(409, "conflict", exc.message, exc.field) from None
    except catalog.NotFound as exc:
        raise ApiError(404, "not_found", f"Es gibt keinen Artikel „{exc}“.") from None
    if result.changed:
        action = "create" if result.created else "edit"
        record(action, result.article.slug, f"Fassung {result.article.revision}", actor=_actor())
    return result


def _find(slug: str) -> Article:
    try:
        return catalog.find(slug)
    except catalog.NotFound:
        raise ApiError(404, "not_found", f"Es gibt keinen Artikel „{slug}“.") from None

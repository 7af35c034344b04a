"""What an article's audio looks like to the outside: status, files, durations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from ..db import db
from ..models import Article, Job, JobStatus, Rendition

# Rendition.files also names transcripts and chapters; the API's "audio" lists the MP3s only.
AUDIO_KINDS = ("summary", "body", "episode")


def media_url(name: str) -> str:
    """Return the URL of a media file: absolute when AUDIONEWS_BASE_URL is set."""
    path = url_for("media.get", name=name)
    base = current_app.config["AUDIONEWS"]["BASE_URL"]
    return base.rstrip("/") + path if base else path


def current_renditions(ids: Iterable[int]) -> dict[int, Rendition]:
    """Return the current rendition of each article of `ids` (one query; cues not loaded).

    The same choice as `Article.current_rendition`: the highest revision, then the newest.
    """
    wanted = list(ids)
    if not wanted:
        return {}
    ranked = (
        select(
            Rendition.id,
            func.row_number()
            .over(
                partition_by=Rendition.article_id,
                order_by=(Rendition.revision.desc(), Rendition.id.desc()),
            )
            .label("rank"),
        )
        .where(Rendition.article_id.in_(wanted))
        .subquery()
    )
    rows = db.session.scalars(
        select(Rendition)
        .options(defer(Rendition.cues), defer(Rendition.cache_keys))
        .join(ranked, ranked.c.id == Rendition.id)
        .where(ranked.c.rank == 1)
    )
    return {row.article_id: row for row in rows}


def latest_jobs(ids: Iterable[int]) -> dict[int, Job]:
    """Return the newest job of each article of `ids` (one query)."""
    wanted = list(ids)
    if not wanted:
        return {}
    newest = (
        select(func.max(Job.id)).where(Job.article_id.in_(wanted)).group_by(Job.article_id)
    ).scalar_subquery()
    return {
        job.article_id: job for job in db.session.scalars(select(Job).where(Job.id.in_(newest)))
    }


def statuses(articles: list[Article]) -> list[dict[str, Any]]:
    """Return `article_status` of each of `articles` in three queries, whatever their number."""
    ids = [article.id for article in articles]
    # Jobs first, then renditions, for the reason article_status gives.
    jobs = latest_jobs(ids)
    renditions = current_renditions(ids)
    return [
        article_status(article, (jobs.get(article.id), renditions.get(article.id)))
        for article in articles
    ]


def article_status(
    article: Article, known: tuple[Job | None, Rendition | None] | None = None
) -> dict[str, Any]:
    """Return the API view of an article: its render status and its last good audio.

    `known`: its latest job and current rendition, loaded already (`statuses`).
    """
    # The job first, then the rendition, and each read once: a worker commits both together,
    # and under PostgreSQL's READ COMMITTED every query sees the newest commit, so a job seen
    # ready always comes with its rendition, and status and audio agree.
    if known is None:
        job = article.latest_job()
        rendition = article.current_rendition()
    else:
        job, rendition = known
    current = rendition is not None and rendition.revision == article.revision
    if job is not None and job.status in JobStatus.LIVE:
        status = job.status
    elif current:
        status = JobStatus.READY
    elif job is not None and job.status == JobStatus.FAILED and job.revision == article.revision:
        status = JobStatus.FAILED
    else:
        status = JobStatus.QUEUED
    return {
        "slug": article.slug,
        "guid": article.guid,
        "title": article.title,
        "revision": article.revision,
        "published": article.published,
        "status": status,
        # A failed re-render leaves the last good audio up; its reason still shows. So does
        # why a queued job waits to be tried again (a full disk).
        "error": job.error or None
        if job is not None and job.status in (JobStatus.FAILED, JobStatus.QUEUED)
        else None,
        "progress": {"done": job.done, "total": job.total, "phase": job.phase or None}
        if job is not None
        else None,
        "job": job.id if job is not None else None,
        "engine": rendition.engine if rendition else None,
        "rendered_revision": rendition.revision if rendition else None,
        "audio": {
            kind: media_url(rendition.files[kind]) if kind in rendition.files else None
            for kind in AUDIO_KINDS
        }
        if rendition
        else None,
        "duration": {kind: rendition.durations.get(kind) for kind in AUDIO_KINDS}
        if rendition
        else None,
        "updated_at": article.updated_at.isoformat() + "Z",
    }
